"""The dose: computed by the clinical core from the plan's signed order and the weight, its
arithmetic kept; for IV ketamine (a controlled substance) the count of drawn, given and wasted
with a second person who witnesses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode
from ketacare.chair.models import DoseGiven, PreDose, SessionAlert
from ketacare.chair.queries import DOSE
from ketacare.chair.services.alerts import persist_alerts
from ketacare.chair.services.base import (
    SETTINGS,
    bump,
    charted_time,
    check_version,
    clinic_member,
    judged,
    lock_chair,
    may,
    milligrams,
    refuse,
    refuse_closed,
    resolve_now,
    text,
    with_rows,
)
from ketacare.chair.services.predose import current_holds, hold_reasons, refuse_unless_today
from ketacare.chair.state import Chair
from ketacare.clinical.dosing import (
    DoseOrder,
    DoseResult,
    EsketamineDoseOrder,
    IvDoseOrder,
    OralDoseOrder,
    check_esketamine_dose,
    check_esketamine_frequency,
    compute_dose,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    Dosing,
    MonitorResult,
    undecidable_holds,
)
from ketacare.clinical.monitoring.dose_gate import DoseGate, dose_refusals, missing_pre_dose
from ketacare.clinical.protocols import get_protocol
from ketacare.clinics.models import Clinic
from ketacare.clinics.permissions import Permission
from ketacare.patients.queries import latest_weight_kg
from ketacare.patients.services import consent_stands, latest_consent
from ketacare.treatment.models import DoseOrder as SignedOrder
from ketacare.treatment.models import SessionStatus, TreatmentSession
from ketacare.treatment.orders import indication_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from ketacare.clinics.models import Membership

LOT_MAX_CHARS = DoseGiven._meta.get_field("lot_number").max_length or 40
# Sessions whose dose was given (DOSE-ESK-MAX-FREQUENCY counts doses actually given).
GIVEN = (SessionStatus.DOSED, SessionStatus.DISCHARGED)


@dataclass(frozen=True, slots=True)
class DoseOutcome:
    """The saved dose, the clinical core's computation (`result.alerts`: e.g. the DOSE-IV-MGKG
    warning), its arithmetic as sentences, and the monitoring state after the dose."""

    dose: DoseGiven
    result: DoseResult
    steps: list[str]
    monitor: MonitorResult
    alerts: list[SessionAlert]
    session: TreatmentSession
    """The session as the change left it (its status and new version)."""


def _number(value: object, field: str, *, places: int) -> float | None:
    """A number as the record keeps it (`places` decimals: more would be rounded silently)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValidationError({field: "Give a number."}, code="invalid")
    exact = Decimal(str(value))
    if not exact.is_finite():
        raise ValidationError({field: "Give a number."}, code="invalid")
    # Only a number written with more decimals than kept is rounded (rounding a huge one would
    # exceed the precision of a Decimal); its limits are the clinical core's.
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        try:
            kept = exact == round(exact, places)
        except InvalidOperation:
            kept = False
        if not kept:
            raise ValidationError(
                {field: f"Give a number with at most {places} decimal places."}, code="invalid"
            )
    return float(value)


def _refuse_unless_in_chair(session: TreatmentSession) -> None:
    refuse_closed(session)
    if session.status == SessionStatus.DOSED:
        raise ChairConflict(
            ChairConflictCode.ALREADY_DOSED, f"Session {session.number} is dosed already."
        )
    if session.status != SessionStatus.IN_CHAIR:
        raise ChairConflict(
            ChairConflictCode.NO_PRE_DOSE,
            "Record the pre-dose checks before the dose.",
            reasons=[missing_pre_dose()],
        )


def _pre_dose(chair: Chair) -> PreDose:
    if chair.pre_dose is None:
        raise ChairConflict(
            ChairConflictCode.NO_PRE_DOSE,
            "Record the pre-dose checks first.",
            reasons=[missing_pre_dose()],
        )
    return chair.pre_dose


def checklist_refusals(chair: Chair) -> tuple[str, ...]:
    """What must stand before any dose (`ketacare.clinical.monitoring.dose_gate`): identity and
    consent confirmed at the chair, the chart's latest treatment consent standing on the
    session's date, for esketamine the REMS gate (the clinic's certification and the patient's
    enrolment, SAFE-REMS-GATE), and no pregnancy on the chart (SAFE-PREGNANCY)."""
    row = _pre_dose(chair)
    session = chair.session
    patient = session.patient
    return dose_refusals(
        DoseGate(
            route=chair.route,
            identity_confirmed=row.identity_confirmed,
            consent_confirmed=row.consent_current,
            consent_on_chart=consent_stands(latest_consent(patient), on=session.date),
            setting_certified=row.rems_setting_certified,
            clinic_certified=Clinic.objects.filter(pk=session.clinic_id)
            .values_list("esketamine_rems_certified", flat=True)
            .get(),
            patient_enrolled=row.rems_patient_enrolled,
            pregnant_on_chart=patient.pregnant,
        )
    )


def _refuse_hold(chair: Chair, now: dt.datetime) -> None:
    result = current_holds(chair, now)
    if result.dosing is not Dosing.HOLD:
        return
    row = _pre_dose(chair)
    if row.proceed_at is None:
        raise ChairConflict(
            ChairConflictCode.DOSING_HOLD,
            "Dosing is on hold: a prescriber records the decision to proceed, or the pre-dose "
            "checks are taken again.",
            reasons=hold_reasons(result),
        )
    never = undecidable_holds(result.alerts)
    if never:
        raise ChairConflict(
            ChairConflictCode.HOLD_NOT_DECIDABLE,
            "Dosing is on a hold nobody may dose over.",
            reasons=[f"{alert.rule}: {alert.message}" for alert in never],
        )


def _esketamine_given(chair: Chair) -> list[tuple[dt.date, int]]:
    """The date and plan of each of the patient's other esketamine sessions whose dose was
    given (one query, for the spacing rule and the course's first dose)."""
    session = chair.session
    return list(
        TreatmentSession.objects.filter(
            clinic_id=session.clinic_id,
            patient_id=session.patient_id,
            plan__route=ESKETAMINE,
            status__in=GIVEN,
        )
        .exclude(pk=session.pk)
        .values_list("date", "plan_id")
    )


def _refuse_frequency(chair: Chair, given: list[tuple[dt.date, int]]) -> None:
    """DOSE-ESK-MAX-FREQUENCY over the patient's esketamine doses actually given."""
    alert = check_esketamine_frequency([day for day, _plan in given], chair.session.date)
    if alert is not None:
        raise ChairConflict(
            ChairConflictCode.RULE_REFUSED,
            "The esketamine label's spacing rule forbids a dose today.",
            reasons=[f"{alert.rule}: {alert.message}"],
        )


def _refuse_off_label_dose(
    chair: Chair, order: SignedOrder, given: list[tuple[dt.date, int]]
) -> None:
    """SAFE-ESK-DOSE again at dose time, by the clinical core (`check_esketamine_dose`): the
    order was checked when signed, but the course's first dose is the one given first, so a
    TRD course's first dose keeps to DOSE-ESK-FIRST-TRD (and an MDSI course to
    DOSE-ESK-FIRST-MDSI) whatever order is current. The course is the plan, as at signing
    (`treatment.services.sign_order`). Refused: 422 naming `dose_mg`, nothing saved."""
    session = chair.session
    first_session = not any(plan_id == session.plan_id for _day, plan_id in given)
    try:
        check = check_esketamine_dose(
            order.dose_mg or 0,
            indication=indication_of(get_protocol(session.plan.protocol)),
            first_session=first_session,
            settings=SETTINGS,
        )
    except ClinicalInputError as error:
        raise ValidationError({"dose_mg": error.message}, code="invalid") from None
    if not check.allowed:
        refused = [alert for alert in check.alerts if alert.level == "critical"]
        raise ValidationError(
            {
                "dose_mg": " ".join(f"{alert.rule}: {alert.message}" for alert in refused)
                + " A prescriber signs an order with the label's dose."
            },
            code="label_dose",
        )


def _order_of(chair: Chair) -> SignedOrder:
    order = (
        SignedOrder.objects.filter(clinic_id=chair.session.clinic_id, plan_id=chair.session.plan_id)
        .order_by("-number")
        .first()
    )
    if order is None:
        raise ChairConflict(
            ChairConflictCode.NO_ORDER, "The plan has no signed dose order: a prescriber signs one."
        )
    return order


def _core_order(
    chair: Chair,
    order: SignedOrder,
    weight_kg: float | None,
    concentration_mg_per_ml: float | None,
) -> DoseOrder:
    if chair.route == IV_KETAMINE:
        weight = weight_kg if weight_kg is not None else latest_weight_kg(chair.session.patient)
        if weight is None:
            raise ValidationError(
                {"weight_kg": "The chart has no weight: weigh the patient and give weight_kg."},
                code="required",
            )
        if order.concentration_mg_per_ml is not None:
            concentration = float(order.concentration_mg_per_ml)
        elif concentration_mg_per_ml is not None:
            concentration = concentration_mg_per_ml
        else:
            # No bag concentration known (the order's is optional): the dose in mg does not
            # depend on it, so the core computes it at its lowest allowed concentration and the
            # volume and pump rate are dropped (`_without_volume`), never shown.
            concentration = float(SETTINGS.value("DOSE-IV-CONC", "minimum_mg_per_ml"))
        return IvDoseOrder(
            weight_kg=weight,
            dose_mg_per_kg=float(order.dose_mg_per_kg or 0),
            duration_min=order.duration_min or 0,
            concentration_mg_per_ml=concentration,
        )
    # A signed order of the route always holds its dose (treatment.orders); 0 would be refused
    # by the core's limits, never given.
    if chair.route == ESKETAMINE:
        return EsketamineDoseOrder(dose_mg=order.dose_mg or 0)
    return OralDoseOrder(dose_mg=order.dose_mg or 0)


def _computed(core: DoseOrder, *, with_volume: bool) -> DoseResult:
    try:
        result = compute_dose(core, SETTINGS)
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None
    if with_volume:
        return result
    return replace(
        result,
        volume_ml=None,
        rate_ml_per_h=None,
        steps=tuple(step for step in result.steps if step.label == "dose"),
    )


def step_sentences(result: DoseResult) -> list[str]:
    """The arithmetic as sentences, as the clinical core wrote each step: `Dose: 70 kg x 0.5
    mg/kg = 35.0 mg` (with the core's multiplication sign)."""
    return [f"{step.label.capitalize()}: {step.text}" for step in result.steps]


def _count(
    *,
    by: Membership,
    route: str,
    dose_mg: Decimal,
    drawn_mg: object,
    wasted_mg: object,
    witness_id: object,
    given_by_id: int,
) -> tuple[Decimal, Decimal, AbstractBaseUser] | None:
    """The controlled-substance count (IV ketamine): drawn = given + wasted, witnessed by a
    second member of the clinic who charts sessions; None when no count is given."""
    drawn = milligrams(drawn_mg, "drawn_mg")
    wasted = milligrams(wasted_mg, "wasted_mg")
    if drawn is None and wasted is None and witness_id is None:
        return None
    if route != IV_KETAMINE:
        raise ValidationError(
            {"drawn_mg": "The drawn/wasted count is recorded for IV ketamine."}, code="invalid"
        )
    if drawn is None:
        raise ValidationError({"drawn_mg": "Give the amount drawn."}, code="required")
    if wasted is None:
        raise ValidationError({"wasted_mg": "Give the amount wasted (0 if none)."}, code="required")
    if drawn != dose_mg + wasted:
        raise ValidationError(
            {
                "drawn_mg": f"Drawn ({drawn} mg) must equal given ({dose_mg} mg) plus wasted "
                f"({wasted} mg)."
            },
            code="count",
        )
    if witness_id is None:
        raise ValidationError(
            {"witness_id": "A second person witnesses the count."}, code="required"
        )
    witness = clinic_member(by, witness_id, "witness_id", permission=Permission.CHART_SESSION)
    if witness.pk in (by.user_id, given_by_id):
        raise ValidationError(
            {"witness_id": "The witness is a second person, not the one who gives or counts."},
            code="same_person",
        )
    return drawn, wasted, witness


def record_dose(
    *,
    session: TreatmentSession,
    lot_number: object,
    at: dt.datetime | None = None,
    weight_kg: object = None,
    concentration_mg_per_ml: object = None,
    drawn_mg: object = None,
    wasted_mg: object = None,
    witness_id: object = None,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> DoseOutcome:
    """Give the dose of the plan's current signed order (`at`: the first esketamine device, the
    IV infusion start or the oral dose).

    CHART_SESSION. 409 with `reasons` ("RULE-ID: sentence") when the pre-dose record is missing,
    identity or consent is not confirmed, the chart holds no current treatment consent,
    (esketamine) the clinic is not REMS-certified or the enrolment is not recorded, the chart
    records a pregnancy, dosing is on hold without a prescriber's decision, or
    DOSE-ESK-MAX-FREQUENCY would be broken by the doses given; 409 once dosed. Esketamine: the
    order's dose is checked again against the label (SAFE-ESK-DOSE: the course's first TRD dose
    is DOSE-ESK-FIRST-TRD's), 422 `dose_mg` otherwise. IV: the weight
    given, else the chart's latest (none: 422 `weight_kg`); the order's concentration, else
    `concentration_mg_per_ml`, else none (the dose in mg stands, volume and pump rate stay
    empty). Limits are the clinical core's (422 naming the field). The IV count is optional here
    (`record_count` later).
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.CREATE)
    when = charted_time(at, "at", now)
    lot = text(lot_number, "lot_number", max_chars=LOT_MAX_CHARS, required=True, what="lot number")
    weight = _number(weight_kg, "weight_kg", places=1)
    concentration = _number(concentration_mg_per_ml, "concentration_mg_per_ml", places=2)
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        check_version(locked, version)
        _refuse_unless_in_chair(locked)
        refuse_unless_today(locked, now)
        pre = _pre_dose(chair)
        if when < pre.at:
            raise ValidationError(
                {"at": f"The dose must not be before the pre-dose checks ({pre.at.isoformat()})."},
                code="before_pre_dose",
            )
        missing = checklist_refusals(chair)
        if missing:
            raise ChairConflict(
                ChairConflictCode.CHECKLIST_INCOMPLETE,
                "The pre-dose checklist is incomplete.",
                reasons=list(missing),
            )
        _refuse_hold(chair, max(now, when))
        order = _order_of(chair)
        if chair.route == ESKETAMINE:
            given = _esketamine_given(chair)
            _refuse_frequency(chair, given)
            _refuse_off_label_dose(chair, order, given)
        core = _core_order(chair, order, weight, concentration)
        result = _computed(
            core,
            with_volume=chair.route != IV_KETAMINE
            or order.concentration_mg_per_ml is not None
            or concentration is not None,
        )
        dose_mg = Decimal(str(result.dose_mg))
        count = _count(
            by=by,
            route=chair.route,
            dose_mg=dose_mg,
            drawn_mg=drawn_mg,
            wasted_mg=wasted_mg,
            witness_id=witness_id,
            given_by_id=by.user_id,
        )
        steps = step_sentences(result)
        row = DoseGiven(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            session=locked,
            order=order,
            at=when,
            lot_number=lot,
            weight_kg=Decimal(str(core.weight_kg)) if isinstance(core, IvDoseOrder) else None,
            dose_mg=dose_mg,
            volume_ml=None if result.volume_ml is None else Decimal(str(result.volume_ml)),
            rate_ml_per_h=None
            if result.rate_ml_per_h is None
            else Decimal(str(result.rate_ml_per_h)),
            devices=result.devices,
            infusion_duration_min=order.duration_min if chair.route == IV_KETAMINE else None,
            steps=steps,
            given_by=by.user,
            recorded_at=now,
        )
        if count is not None:
            row.drawn_mg, row.wasted_mg, row.witness = count
        row.save()
        locked.status = SessionStatus.DOSED
        bump(locked, "status")
        dosed = with_rows(chair, dose=row)
        monitor = judged(dosed, now=max(now, when))
        new = persist_alerts(dosed, monitor, now)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=DOSE,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"session={locked.pk} order={order.pk} route={chair.route} "
            f"dose_mg={dose_mg} count={'yes' if count else 'no'} "
            f"proceed={'yes' if pre.proceed_at else 'no'}",
        )
    return DoseOutcome(
        dose=row, result=result, steps=steps, monitor=monitor, alerts=new, session=locked
    )


def _dosed(chair: Chair) -> DoseGiven:
    refuse_closed(chair.session)
    if chair.dose is None:
        raise ChairConflict(ChairConflictCode.NOT_DOSED, "No dose is recorded for this session.")
    return chair.dose


def record_count(
    *,
    session: TreatmentSession,
    drawn_mg: object,
    wasted_mg: object,
    witness_id: object,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> DoseGiven:
    """The IV controlled-substance count after the dose, when it was not given with it (or to
    correct it before it is witnessed): drawn = given + wasted, a second person as witness.

    CHART_SESSION; IV ketamine only (422 `drawn_mg`); refused once witnessed (409 `witnessed`).
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.UPDATE)
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        check_version(locked, version)
        dose = _dosed(chair)
        if dose.witness_confirmed_at is not None:
            raise ChairConflict(
                ChairConflictCode.WITNESSED, "The count is witnessed: it no longer changes."
            )
        count = _count(
            by=by,
            route=chair.route,
            dose_mg=dose.dose_mg,
            drawn_mg=drawn_mg,
            wasted_mg=wasted_mg,
            witness_id=witness_id,
            given_by_id=dose.given_by_id,
        )
        if count is None:
            raise ValidationError({"drawn_mg": "Give the amount drawn."}, code="required")
        dose.drawn_mg, dose.wasted_mg, dose.witness = count
        dose.save(update_fields=["drawn_mg", "wasted_mg", "witness"])
        bump(locked)
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=DOSE,
            object_id=dose.pk,
            patient_id=locked.patient_id,
            detail=f"count session={locked.pk} witness={dose.witness_id}",
        )
    return dose


def confirm_witness(
    *, session: TreatmentSession, by: Membership, now: dt.datetime | None = None
) -> DoseGiven:
    """The named witness confirms the count, signed in as themselves (anyone else: 403).

    CHART_SESSION. No count or no witness named: 409 `no_count`; confirmed already: 409
    `witnessed`.
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.UPDATE)
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        dose = _dosed(chair)
        if dose.witness_id is None or dose.drawn_mg is None:
            raise ChairConflict(
                ChairConflictCode.NO_COUNT, "No count with a witness is recorded for this dose."
            )
        if dose.witness_confirmed_at is not None:
            raise ChairConflict(ChairConflictCode.WITNESSED, "The count is witnessed already.")
        if dose.witness_id != by.user_id:
            raise refuse(
                by,
                object_type=DOSE,
                object_id=dose.pk,
                patient_id=locked.patient_id,
                reason="not_the_witness",
                message="Only the witness named on the count may confirm it.",
            )
        dose.witness_confirmed_at = now
        dose.save(update_fields=["witness_confirmed_at"])
        bump(locked)
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=DOSE,
            object_id=dose.pk,
            patient_id=locked.patient_id,
            detail=f"witness session={locked.pk}",
        )
    return dose
