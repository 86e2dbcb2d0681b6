"""The clinical chart's records: weights, office vitals, allergies, medications, conditions, the
antidepressant-trial ledger and rating scales. Every use case needs chart_clinical (a
coordinator, a clinic admin and an auditor may not) and ends with its audit event.

Append-only rows (weights, vitals, scales) are never updated; rows people keep current
(allergies, medications, conditions, trials) carry a `version` and a simple-history trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.clinical.eligibility import CONDITION_CODES
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import score
from ketacare.clinical.monitoring.plausibility import check_plausible
from ketacare.clinical.monitoring.readings import SessionState, Vitals
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found
from ketacare.patients.errors import ChartConflict, StaleVersion
from ketacare.patients.models import (
    Allergy,
    AntidepressantTrial,
    Assessment,
    Condition,
    Medication,
    OfficeVitals,
    WeightMeasurement,
)
from ketacare.patients.services._common import (
    audit,
    check_texts,
    clinical_error,
    day,
    moment,
    optional_day,
    require,
)
from ketacare.patients.signals import assessment_recorded

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

R = TypeVar("R", bound=models.Model)

# DOSE-IV-WEIGHT (reference 1.2) bounds the weight any dose may be computed from; a weight the
# dose engine would refuse is not charted either.
WEIGHT_RULE = "DOSE-IV-WEIGHT"
# Office vitals are held to the plausibility limits of reference 3.7 (MON-PLAUSIBILITY) that the
# chair uses; the clinical core checks them as the vitals of a pre-dose record (its route does
# not change the limits).
_VITALS_ROUTE = "iv_ketamine"
# A trial ledger entry longer than this is a typing error, not a trial (a data-entry bound).
MAX_TRIAL_WEEKS = 520


def _save_new(
    record: R,
    *,
    by: Membership,
    patient: Patient,
    object_type: str,
    then: Callable[[R], object] | None = None,
) -> R:
    """Insert one chart row of `patient` recorded by `by`, audited, in one transaction; `then`
    runs inside it (what other apps do with the new row stands or falls with it)."""
    record.clinic_id = patient.clinic_id  # type: ignore[attr-defined]
    record.patient_id = patient.pk  # type: ignore[attr-defined]
    record.recorded_by_id = by.user_id  # type: ignore[attr-defined]
    record._history_user = by.user  # type: ignore[attr-defined]  # simple-history's hook
    with transaction.atomic(durable=True):
        record.save()
        audit(
            action=Action.CREATE,
            by=by,
            object_type=object_type,
            object_id=record.pk,
            patient=patient,
        )
        if then is not None:
            then(record)
    return record


def _full_clean(record: models.Model) -> None:
    record.full_clean(exclude=["clinic", "patient", "recorded_by"], validate_constraints=False)


def _update_versioned(
    model: type[R],
    *,
    by: Membership,
    patient: Patient,
    pk: int,
    version: int | None,
    values: dict[str, Any],
    object_type: str,
    detail: str = "",
) -> R:
    """Change one versioned row if `version` is current (None: whatever is current), keep its
    history, audit. A stale version is a 409 and nothing changes."""
    base = model.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk, pk=pk)  # type: ignore[attr-defined]
    now = timezone.now()
    with transaction.atomic(durable=True):
        current = base.values_list("version", flat=True).first()
        if current is None:
            raise deny_not_found(
                membership=by,
                object_type=object_type,
                object_id=pk,
                patient_id=patient.pk,
                action=Action.UPDATE,
            )
        expected = current if version is None else version
        if not base.filter(version=expected).update(**values, version=expected + 1):
            raise StaleVersion()
        saved = base.get()
        model.history.bulk_history_create(  # type: ignore[attr-defined]
            [saved], update=True, default_user=by.user, default_date=now
        )
        audit(
            action=Action.UPDATE,
            by=by,
            object_type=object_type,
            object_id=pk,
            patient=patient,
            detail=f"version={expected + 1}{' ' + detail if detail else ''}",
        )
    return saved


def _chart(
    by: Membership, patient: Patient, *, object_type: str, action: Action = Action.CREATE
) -> None:
    require(by, Permission.CHART_CLINICAL, action=action, object_type=object_type, patient=patient)


# --- weights and office vitals (append-only) ------------------------------------------------


def _tenths(value: object) -> Decimal | None:
    """`value` as a decimal to 0.1 (half up), or None when it is no number."""
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def check_weight_kg(value: object) -> Decimal:
    """A weight within DOSE-IV-WEIGHT's limits, to 0.1 kg; ValidationError on `weight_kg`."""
    low = DEFAULT_SETTINGS.value(WEIGHT_RULE, "minimum_kg")
    high = DEFAULT_SETTINGS.value(WEIGHT_RULE, "maximum_kg")
    message = f"weight_kg must be from {low:g} to {high:g} kg ({WEIGHT_RULE})."
    if isinstance(value, bool):
        raise ValidationError({"weight_kg": message}, code="range")
    weight = _tenths(value)
    if weight is None:
        raise ValidationError({"weight_kg": message}, code="invalid")
    if not weight.is_finite() or not low <= weight <= high:
        raise ValidationError({"weight_kg": f"{message} Got {value}."}, code="range")
    return weight


def record_weight(
    *, by: Membership, patient: Patient, weight_kg: object, measured_on: dt.date | None = None
) -> WeightMeasurement:
    _chart(by, patient, object_type="weight")
    record = WeightMeasurement(
        weight_kg=check_weight_kg(weight_kg), measured_on=day(measured_on, "measured_on")
    )
    return _save_new(record, by=by, patient=patient, object_type="weight")


def record_office_vitals(
    *,
    by: Membership,
    patient: Patient,
    systolic: int,
    diastolic: int,
    heart_rate: int | None = None,
    spo2: int | None = None,
    at: dt.datetime | None = None,
) -> OfficeVitals:
    """Vitals taken outside a session, held to MON-PLAUSIBILITY (reference 3.7)."""
    _chart(by, patient, object_type="office_vitals")
    now = timezone.now()
    when = moment(at, "at", now=now)
    vitals = Vitals(systolic=systolic, diastolic=diastolic, heart_rate=heart_rate, spo2=spo2)
    try:
        check_plausible(
            SessionState(route=_VITALS_ROUTE, pre_dose=vitals),
            now=max(now, when),
            settings=DEFAULT_SETTINGS,
        )
    except ClinicalInputError as error:
        field = error.field.removeprefix("pre_dose.")
        raise ValidationError(
            {field: error.message.replace("pre_dose.", "")}, code="plausibility"
        ) from None
    record = OfficeVitals(
        at=when, systolic=systolic, diastolic=diastolic, heart_rate=heart_rate, spo2=spo2
    )
    return _save_new(record, by=by, patient=patient, object_type="office_vitals")


# --- conditions ------------------------------------------------------------------------------


def _check_condition_code(code: str) -> None:
    if code not in CONDITION_CODES:
        # contracts.md 2.0: an unknown identifier is an input error naming its field.
        raise ValidationError(
            {"code": f"Unknown condition code {str(code)[:60]!r}; see the reference's list."},
            code="unknown_code",
        )


def add_condition(
    *,
    by: Membership,
    patient: Patient,
    code: str,
    onset_on: dt.date | None = None,
    note: str = "",
) -> Condition:
    """Chart a condition by the reference's screening code; an unknown code is a 422 on `code`,
    a code already active a 409."""
    _chart(by, patient, object_type="condition")
    _check_condition_code(code)
    check_texts({"note": note})
    record = Condition(code=code, onset_on=optional_day(onset_on, "onset_on"), note=note)
    _full_clean(record)
    already = f"The condition {code} is already active in this chart."
    if Condition.objects.filter(
        clinic_id=patient.clinic_id, patient_id=patient.pk, code=code, resolved_on__isnull=True
    ).exists():
        raise ChartConflict(already, code="active")
    try:
        return _save_new(record, by=by, patient=patient, object_type="condition")
    except IntegrityError:  # charted by someone else a moment ago
        raise ChartConflict(already, code="active") from None


def resolve_condition(
    *,
    by: Membership,
    patient: Patient,
    code: str,
    resolved_on: dt.date | None = None,
    version: int | None = None,
) -> Condition:
    """Mark the active condition `code` resolved (the row and its history stay)."""
    _chart(by, patient, object_type="condition", action=Action.UPDATE)
    when = day(resolved_on, "resolved_on")
    check_texts({"code": code})
    _check_condition_code(code)
    pk = (
        Condition.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, code=code, resolved_on__isnull=True
        )
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise ChartConflict(
            f"No active condition {str(code)[:60]!r} in this chart.", code="not_active"
        )
    return _update_versioned(
        Condition,
        by=by,
        patient=patient,
        pk=pk,
        version=version,
        values={"resolved_on": when},
        object_type="condition",
        detail="resolved",
    )


# --- medications and allergies ---------------------------------------------------------------


def add_medication(
    *,
    by: Membership,
    patient: Patient,
    name: str,
    medication_class: str,
    dose: str = "",
    started_on: dt.date | None = None,
) -> Medication:
    _chart(by, patient, object_type="medication")
    check_texts({"name": name, "dose": dose})
    record = Medication(
        name=(name or "").strip(),
        medication_class=medication_class,
        dose=(dose or "").strip(),
        started_on=optional_day(started_on, "started_on"),
    )
    _full_clean(record)
    return _save_new(record, by=by, patient=patient, object_type="medication")


def stop_medication(
    *,
    by: Membership,
    patient: Patient,
    medication_id: int,
    stopped_on: dt.date | None = None,
    version: int | None = None,
) -> Medication:
    """Stop a medication: it stays in the chart with its stop date."""
    _chart(by, patient, object_type="medication", action=Action.UPDATE)
    when = day(stopped_on, "stopped_on")
    current = (
        Medication.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, pk=medication_id
        )
        .values("stopped_on", "started_on")
        .first()
    )
    if current is None:
        raise deny_not_found(
            membership=by,
            object_type="medication",
            object_id=medication_id,
            patient_id=patient.pk,
            action=Action.UPDATE,
        )
    if current["stopped_on"] is not None:
        raise ChartConflict("This medication is already stopped.", code="stopped")
    if current["started_on"] is not None and when < current["started_on"]:
        raise ValidationError({"stopped_on": "stopped_on must not be before started_on."})
    return _update_versioned(
        Medication,
        by=by,
        patient=patient,
        pk=medication_id,
        version=version,
        values={"stopped_on": when},
        object_type="medication",
        detail="stopped",
    )


def add_allergy(
    *,
    by: Membership,
    patient: Patient,
    substance: str,
    reaction: str = "",
    severity: str = "",
) -> Allergy:
    _chart(by, patient, object_type="allergy")
    check_texts({"substance": substance, "reaction": reaction})
    record = Allergy(
        substance=(substance or "").strip(), reaction=(reaction or "").strip(), severity=severity
    )
    _full_clean(record)
    return _save_new(record, by=by, patient=patient, object_type="allergy")


def remove_allergy(
    *, by: Membership, patient: Patient, allergy_id: int, version: int | None = None
) -> Allergy:
    """Mark an allergy entered in error or no longer present inactive (history kept)."""
    _chart(by, patient, object_type="allergy", action=Action.UPDATE)
    return _update_versioned(
        Allergy,
        by=by,
        patient=patient,
        pk=allergy_id,
        version=version,
        values={"is_active": False},
        object_type="allergy",
        detail="inactive",
    )


# --- antidepressant trials and rating scales --------------------------------------------------


def add_trial(
    *,
    by: Membership,
    patient: Patient,
    drug: str,
    weeks: int,
    adequate: bool,
    outcome: str,
    current_episode: bool,
    daily_dose_mg: object = None,
    adherence: str = "unknown",
) -> AntidepressantTrial:
    """One line of the trial ledger ELIG-TRD counts (reference 2.1)."""
    _chart(by, patient, object_type="antidepressant_trial")
    check_texts({"drug": drug})
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 < weeks <= MAX_TRIAL_WEEKS:
        raise ValidationError({"weeks": f"weeks must be from 1 to {MAX_TRIAL_WEEKS}."})
    dose: Decimal | None = None
    if daily_dose_mg is not None:
        dose = _tenths(daily_dose_mg)
        if dose is None or not dose.is_finite() or dose <= 0:
            raise ValidationError({"daily_dose_mg": "daily_dose_mg must be a positive number."})
    record = AntidepressantTrial(
        drug=(drug or "").strip(),
        daily_dose_mg=dose,
        weeks=weeks,
        adherence=adherence or "unknown",
        adequate=adequate,
        outcome=outcome,
        current_episode=current_episode,
    )
    _full_clean(record)
    return _save_new(record, by=by, patient=patient, object_type="antidepressant_trial")


def record_assessment(
    *,
    by: Membership,
    patient: Patient,
    instrument: str,
    answers: list[Any],
    completed_at: dt.datetime | None = None,
) -> Assessment:
    """A completed rating scale, scored by the clinical core exactly as `ketacare score`."""
    _chart(by, patient, object_type="assessment")
    when = moment(completed_at, "completed_at")
    try:
        result = score(instrument, answers)
    except ClinicalInputError as error:
        raise clinical_error(error) from None
    record = Assessment(
        instrument=result.instrument,
        answers=list(answers),
        total=result.total,
        severity=result.severity or "",
        flags=list(result.flags),
        completed_at=when,
    )
    return _save_new(
        record,
        by=by,
        patient=patient,
        object_type="assessment",
        then=lambda saved: assessment_recorded.send(sender=Assessment, assessment=saved, by=by),
    )
