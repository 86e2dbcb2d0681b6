"""Sessions with their REMS forms for the REMS tests, built directly with the models: a
discharged esketamine session with everything the form records (pre-dose, dose, readings, a side
effect, the discharge and its form), and an IV one for the "no form for this route" cases.

The values are chosen so each field of the form is unmistakable in a PDF's text: dose 84 mg (3
devices), lot `LOT-84A7`, 152/94 mmHg at +40 min, 128/82 mmHg before completion, discharge at
+125 min (duration 125 minutes), ready without the 2-hour rule at 95 minutes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketacare.accounts.services import create_api_token
from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SideEffect,
)
from ketacare.clinical.adverse import rems_form_due
from ketacare.treatment.models import SessionStatus, TreatmentSession
from tests.factories import (
    DoseOrderFactory,
    EligibilityReviewFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
)

LOT = "LOT-84A7"
_names = itertools.count(1)


def moment(day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` after 09:00 on `day`, clinic time (the dose is given at 09:00)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return start + dt.timedelta(minutes=minutes)


def esketamine_plan(clinic: Any, prescriber: Any, patient: Any = None, dose_mg: int = 84) -> Any:
    patient = patient or PatientFactory(
        clinic=clinic,
        given_name="Robin",
        family_name=f"Formfield{next(_names)}",
        date_of_birth=dt.date(1981, 5, 6),
        sex_at_birth="female",
    )
    review = EligibilityReviewFactory(
        patient=patient, route="esketamine_nasal", signed_by=prescriber.user
    )
    plan = TreatmentPlanFactory(
        patient=patient,
        protocol="esketamine_trd_label",
        route="esketamine_nasal",
        review=review,
        created_by=prescriber.user,
    )
    DoseOrderFactory(
        plan=plan,
        dose_mg_per_kg=None,
        duration_min=None,
        dose_mg=dose_mg,
        signed_by=prescriber.user,
    )
    return plan


def session_in_chair(
    plan: Any, nurse: Any, *, day: dt.date | None = None, number: int = 1, status: str = "dosed"
) -> TreatmentSession:
    """A session of `plan` with its pre-dose checks and (unless `in_chair`) its dose."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    session = TreatmentSessionFactory(
        plan=plan, number=number, date=day, status=status, dose_text="84 mg"
    )
    rows = {"clinic": plan.clinic, "patient": plan.patient, "session": session}
    user = nurse.user
    PreDose.objects.create(
        **rows,
        checked_in_at=moment(day, -20),
        chair="Chair 2",
        nurse=user,
        at=moment(day, -10),
        systolic=128,
        diastolic=80,
        heart_rate=72,
        spo2=98,
        identity_confirmed=True,
        consent_current=True,
        rems_setting_certified=True,
        rems_patient_enrolled=True,
        escort_confirmed=True,
        escort_phone="617-555-0190",
        dosing="go",
        recorded_by=user,
        recorded_at=moment(day, -10),
    )
    if status == SessionStatus.IN_CHAIR:
        return session
    order = plan.current_order
    DoseGiven.objects.create(
        **rows,
        order=order,
        at=moment(day, 0),
        lot_number=LOT,
        dose_mg=Decimal(order.dose_mg) if order.dose_mg else Decimal("35.0"),
        devices=order.dose_mg // 28 if order.dose_mg else None,
        steps=[],
        given_by=user,
        recorded_at=moment(day, 0),
    )
    return session


def discharged_session(
    clinic: Any,
    nurse: Any,
    prescriber: Any,
    *,
    plan: Any = None,
    day: dt.date | None = None,
    number: int = 1,
    submitted: bool = False,
    due_on: dt.date | None = None,
) -> TreatmentSession:
    """A discharged esketamine session of `clinic` with its REMS form (not yet submitted)."""
    plan = plan or esketamine_plan(clinic, prescriber)
    session = session_in_chair(plan, nurse, day=day, number=number, status="discharged")
    day = session.date
    rows = {"clinic": plan.clinic, "patient": plan.patient, "session": session}
    user = nurse.user
    for minute, values in (
        (40, {"systolic": 152, "diastolic": 94, "heart_rate": 84, "spo2": 97, "moaas": 4,
              "cadss": 12}),
        (90, {"systolic": 138, "diastolic": 86, "spo2": 98, "moaas": 5, "cadss": 0}),
        (118, {"systolic": 128, "diastolic": 82, "heart_rate": 74, "spo2": 98,
               "respiratory_rate": 14, "moaas": 5}),
    ):  # fmt: skip
        Reading.objects.create(
            **rows, at=moment(day, minute), recorded_by=user, recorded_at=moment(day, minute),
            **values,
        )  # fmt: skip
    SideEffect.objects.create(
        **rows,
        term="nausea",
        grade=1,
        serious=False,
        onset_at=moment(day, 20),
        resolved_at=moment(day, 60),
        action="Observed; resolved without treatment",
        recorded_by=user,
        recorded_at=moment(day, 25),
    )
    Discharge.objects.create(
        **rows,
        at=moment(day, 125),
        by=user,
        dissociation_resolved=True,
        no_driving_instructed=True,
        criteria=[],
        ready_without_minimum_min=95,
        recorded_at=moment(day, 125),
    )
    RemsForm.objects.create(
        **rows,
        due_on=due_on or rems_form_due(day),
        submitted_at=moment(day, 200) if submitted else None,
        submitted_by=user if submitted else None,
    )
    return session


def iv_session(clinic: Any, nurse: Any, prescriber: Any) -> TreatmentSession:
    """A discharged IV ketamine session (no REMS form: another route)."""
    patient = PatientFactory(clinic=clinic)
    plan = TreatmentPlanFactory(
        patient=patient,
        review=EligibilityReviewFactory(patient=patient, signed_by=prescriber.user),
        created_by=prescriber.user,
    )
    DoseOrderFactory(plan=plan, signed_by=prescriber.user)
    session = session_in_chair(plan, nurse, status="discharged")
    Discharge.objects.create(
        clinic=clinic,
        patient=plan.patient,
        session=session,
        at=moment(session.date, 110),
        by=nurse.user,
        dissociation_resolved=True,
        no_driving_instructed=True,
        criteria=[],
        recorded_at=moment(session.date, 110),
    )
    return session


def form_of(session: TreatmentSession) -> RemsForm:
    return RemsForm.objects.get(session=session)


def api_call(client: Any, person: Any, method: str, path: str, body: Any = None, **params: Any):
    """A request to the API with a bearer token of `person`."""
    user = getattr(person, "user", person)
    token = create_api_token(user=user, name="rems-tests").value
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(path, params, headers=headers)
    return client.generic(
        method.upper(),
        path,
        "" if body is None else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
