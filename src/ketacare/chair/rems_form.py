"""The fields of the REMS Patient Monitoring Form (clinical-reference.md 3.2, SAFE-REMS-FORM),
filled from the chart and the session's chair-side record.

`rems_form_of(chair, clinic=...)` assembles them in two queries more than the loaded chair (the
medication list and whether an earlier esketamine session exists). Every answer that is a
medical judgement (vitals in range, sedation, dissociation, respiratory depression, the 40-minute
blood pressure, the dose box) is the clinical core's (`ketacare.clinical.rems_form`); this module
only maps rows to it and words the result. The page, the PDF and the tests read the same object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.template.loader import render_to_string

from ketacare.chair.state import Chair, core_reading, judge, monitor_state
from ketacare.clinical import rems_form as form_rules
from ketacare.clinical.adverse import OTHER, TERMS
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinics.models import Clinic, Route
from ketacare.patients.queries import current_medications
from ketacare.treatment.models import SessionStatus, TreatmentSession

PDF_TEMPLATE = "chair/rems_form_pdf.html"


@dataclass(frozen=True)
class BloodPressure:
    systolic: int
    diastolic: int
    at: dt.datetime
    minutes_after_dose: int | None

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} mmHg"


@dataclass(frozen=True)
class MedicationLine:
    """One class the form asks about: whether the medication list has one, and which."""

    code: str
    words: str
    present: bool
    names: tuple[str, ...]


@dataclass(frozen=True)
class AdverseEvent:
    term: str
    grade: int
    serious: bool
    onset_at: dt.datetime
    resolved_at: dt.datetime | None
    action: str


@dataclass(frozen=True)
class RemsFormData:
    """Every field of the form, in the form's order."""

    form_id: int
    session_id: int
    session_number: int
    # Patient
    patient_name: str
    date_of_birth: dt.date
    sex: str
    first_treatment: bool
    enrolled: bool | None
    medications: tuple[MedicationLine, ...]
    # Monitoring healthcare provider and setting
    provider_name: str
    provider_phone: str
    provider_email: str
    setting_name: str
    setting_address: str
    # Session
    session_date: dt.date
    dose_mg: Decimal
    dose_choice: str
    devices: int | None
    lot_number: str
    dose_at: dt.datetime
    end_at: dt.datetime
    duration_min: int
    minimum_min: int
    ready_without_minimum_min: int | None
    vitals_ok_before: bool | None
    vitals_ok_at_end: bool | None
    bp_before: BloodPressure | None
    bp_forty_min: BloodPressure | None
    bp_at_end: BloodPressure | None
    sedation: bool | None
    dissociation: bool | None
    respiratory_depression: bool | None
    adverse_events: tuple[AdverseEvent, ...]
    # The clinic's own bookkeeping of the form
    due_on: dt.date
    submitted_at: dt.datetime | None
    submitted_by: str

    @property
    def dose_boxes(self) -> tuple[tuple[int, bool], ...]:
        """The form's fixed dose boxes (mg, ticked), the clinical core's; "other" otherwise."""
        return tuple((mg, self.dose_choice == str(mg)) for mg in form_rules.FORM_DOSES_MG)

    @property
    def other_dose(self) -> bool:
        return self.dose_choice == form_rules.OTHER_DOSE

    @property
    def pressures(self) -> tuple[tuple[str, BloodPressure | None], ...]:
        """The three blood pressures the form records, with the form's words."""
        return (
            ("Before administration", self.bp_before),
            ("About 40 minutes after administration", self.bp_forty_min),
            ("Before session completion", self.bp_at_end),
        )


def _person(user: object) -> str:
    full = user.get_full_name().strip()  # type: ignore[attr-defined]
    return full or user.get_username()  # type: ignore[attr-defined]


def _pressure(reading: CoreReading | None, dose_at: dt.datetime) -> BloodPressure | None:
    if reading is None or reading.systolic is None or reading.diastolic is None:
        return None
    return BloodPressure(
        systolic=reading.systolic,
        diastolic=reading.diastolic,
        at=reading.at,
        minutes_after_dose=form_rules.treatment_duration_min(dose_at, reading.at),
    )


def _medication_lines(session: TreatmentSession) -> tuple[MedicationLine, ...]:
    # The medication list as it stood on the session's day: started by then (or undated) and not
    # stopped before it.
    rows = list(
        current_medications(session.patient, today=session.date)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=session.date))
        .order_by("name", "pk")
        .values_list("name", "medication_class")
    )
    names: dict[str, list[str]] = {}
    for name, medication_class in rows:
        names.setdefault(medication_class, []).append(name)
    return tuple(
        MedicationLine(code=code, words=words, present=present, names=tuple(names.get(code, ())))
        for code, words, present in form_rules.concomitant_medications(names)
    )


def _first_treatment(session: TreatmentSession) -> bool:
    """No esketamine session of the patient (any plan) was dosed before this one."""
    earlier = TreatmentSession.objects.filter(
        clinic_id=session.clinic_id,
        patient_id=session.patient_id,
        plan__route=Route.ESKETAMINE_NASAL,
        status__in=(SessionStatus.DOSED, SessionStatus.DISCHARGED),
    ).filter(Q(date__lt=session.date) | Q(date=session.date, pk__lt=session.pk))
    return not earlier.exists()


def _address(clinic: Clinic) -> str:
    return f"{clinic.address_line}, {clinic.city}, {clinic.state} {clinic.zip_code}"


def rems_form_of(chair: Chair, *, clinic: Clinic) -> RemsFormData:
    """The form of a discharged esketamine session (`ketacare.chair.rems.get_form_chair_for`
    checked that), read from `chair` and two queries."""
    session, pre_dose, dose, discharge, form = (
        chair.session,
        chair.pre_dose,
        chair.dose,
        chair.discharge,
        chair.rems_form,
    )
    if dose is None or discharge is None or form is None:
        raise ValueError("The REMS form needs a dosed and discharged session.")
    patient = session.patient
    result = judge(chair, now=discharge.at)
    state = monitor_state(chair)
    readings = [core_reading(r) for r in chair.readings]
    terms = [effect.term for effect in chair.side_effects]
    provider = pre_dose.nurse if pre_dose is not None else discharge.by
    bp_before = None
    if pre_dose is not None:
        bp_before = BloodPressure(
            systolic=pre_dose.systolic,
            diastolic=pre_dose.diastolic,
            at=pre_dose.at,
            minutes_after_dose=None,
        )
    return RemsFormData(
        form_id=form.pk,
        session_id=session.pk,
        session_number=session.number,
        patient_name=f"{patient.given_name} {patient.family_name}",
        date_of_birth=patient.date_of_birth,
        sex=patient.get_sex_at_birth_display(),
        first_treatment=_first_treatment(session),
        enrolled=pre_dose.rems_patient_enrolled if pre_dose is not None else None,
        medications=_medication_lines(session),
        provider_name=_person(provider),
        # KetaCare keeps no personal phone numbers of staff: the setting's number reaches them.
        provider_phone=clinic.phone,
        provider_email=provider.email,
        setting_name=clinic.name,
        setting_address=_address(clinic),
        session_date=session.date,
        dose_mg=dose.dose_mg,
        dose_choice=form_rules.dose_choice(float(dose.dose_mg)),
        devices=dose.devices,
        lot_number=dose.lot_number,
        dose_at=dose.at,
        end_at=discharge.at,
        duration_min=form_rules.treatment_duration_min(dose.at, discharge.at),
        minimum_min=form_rules.minimum_monitoring_min(),
        ready_without_minimum_min=discharge.ready_without_minimum_min,
        vitals_ok_before=form_rules.vitals_acceptable_before_dose(state, result.alerts),
        vitals_ok_at_end=form_rules.vitals_acceptable_at_end(state, result.alerts, discharge.at),
        bp_before=bp_before,
        bp_forty_min=_pressure(form_rules.forty_minute_blood_pressure(dose.at, readings), dose.at),
        bp_at_end=_pressure(form_rules.blood_pressure_at_end(readings, discharge.at), dose.at),
        sedation=form_rules.sedation_occurred(state, terms),
        dissociation=form_rules.dissociation_occurred(state, terms),
        respiratory_depression=form_rules.respiratory_depression_occurred(state, result.alerts),
        adverse_events=tuple(
            AdverseEvent(
                term=effect.other_term
                if effect.term == OTHER
                else TERMS.get(effect.term, effect.term),
                grade=effect.grade,
                serious=effect.serious,
                onset_at=effect.onset_at,
                resolved_at=effect.resolved_at,
                action=effect.action,
            )
            for effect in chair.side_effects
        ),
        due_on=form.due_on,
        submitted_at=form.submitted_at,
        submitted_by=_person(form.submitted_by) if form.submitted_by is not None else "",
    )


def form_pdf_html(data: RemsFormData, *, generated_at: dt.datetime) -> str:
    """The HTML document the PDF is printed from (the page's fields, the print style)."""
    return render_to_string(PDF_TEMPLATE, {"rems": data, "generated_at": generated_at})


def form_pdf(data: RemsFormData, *, generated_at: dt.datetime) -> bytes:
    """The form as a PDF (WeasyPrint). Nothing is fetched while rendering: no base URL, and a
    fetcher that refuses every address, so a stray link in the template fails instead of
    reaching out."""
    # Imported here: WeasyPrint loads Pango and its fonts, which no other request needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    document = HTML(string=form_pdf_html(data, generated_at=generated_at), url_fetcher=refuse_all)
    return bytes(document.write_pdf())
