"""Discharge: every DISCH-* criterion of reference 3.6 must hold; a prescriber may override
any of them with a written reason but the esketamine 2-hour minimum (DISCH-OVERRIDE,
SAFE-ESK-2H). An esketamine discharge opens the session's REMS Patient Monitoring Form, due
within the REMS deadline (SAFE-REMS-FORM).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode
from ketacare.chair.models import Discharge, RemsForm
from ketacare.chair.queries import DISCHARGE
from ketacare.chair.services.base import (
    SETTINGS,
    bump,
    charted_time,
    check_version,
    flag,
    judged,
    lock_chair,
    may,
    refuse_closed,
    resolve_now,
    text,
)
from ketacare.chair.state import Chair
from ketacare.clinical.adverse import rems_form_due
from ketacare.clinical.monitoring import ESKETAMINE, overridable_unmet, with_driving_instruction
from ketacare.clinical.monitoring import Discharge as CoreDischarge
from ketacare.clinics.permissions import Permission
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

OVERRIDE_MAX_CHARS = Discharge._meta.get_field("override_reason").max_length or 1000


def _criteria(discharge: CoreDischarge) -> list[dict[str, object]]:
    return [
        {
            "rule": c.rule,
            "status": c.status.value,
            "overridable": c.overridable,
            "sentence": c.sentence,
        }
        for c in discharge.criteria
    ]


def _reasons(discharge: CoreDischarge, rules: tuple[str, ...] | None = None) -> list[str]:
    return [
        f"{rule}: {sentence}"
        for rule, sentence in discharge.reasons
        if rules is None or rule in rules
    ]


def judge_discharge(
    chair: Chair,
    *,
    at: dt.datetime,
    dissociation_resolved: bool,
    no_driving_instructed: bool,
    overrides: tuple[str, ...] = (),
) -> CoreDischarge:
    """The DISCH-* criteria at `at` with the clinician's attestations (SAFE-NO-DRIVE included)."""
    result = judged(chair, now=at, dissociation_resolved=dissociation_resolved, overrides=overrides)
    if result.discharge is None:
        raise ChairConflict(ChairConflictCode.NOT_DOSED, "Only a dosed session can be discharged.")
    return with_driving_instruction(
        result.discharge, instructed=no_driving_instructed, overrides=overrides
    )


def _ready_without_minimum(value: object, chair: Chair, at: dt.datetime) -> int | None:
    """REMS evaluation question (reference 3.2): minutes from the start of administration at
    which the patient would have been ready to leave without the 2-hour rule."""
    if value is None or chair.dose is None:
        return None
    elapsed = math.ceil((at - chair.dose.at).total_seconds() / 60)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= elapsed:
        raise ValidationError(
            {
                "ready_without_minimum_min": f"Give whole minutes from the dose, 0 to {elapsed} "
                "(the time of discharge)."
            },
            code="invalid",
        )
    return value


def discharge_session(
    *,
    session: TreatmentSession,
    dissociation_resolved: object,
    no_driving_instructed: object,
    at: dt.datetime | None = None,
    override_reason: object = None,
    ready_without_minimum_min: object = None,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> Chair:
    """Discharge a dosed session when every DISCH-* criterion holds at `at` (default now).

    CHART_SESSION. Unmet criteria without an override: 409 `discharge_criteria_unmet` with the
    reasons. `override_reason` is a prescriber's (DECIDE_SESSION, 403 otherwise) and overrides
    every unmet criterion that may be overridden; DISCH-ESK-MIN-TIME never is (409 still).
    Stores the criteria as judged; the status becomes `discharged`; for esketamine the REMS
    form is opened with its deadline. Returns the chair as it now stands.
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.UPDATE)
    when = charted_time(at, "at", now)
    dissociation = bool(flag(dissociation_resolved, "dissociation_resolved", required=True))
    instructed = bool(flag(no_driving_instructed, "no_driving_instructed", required=True))
    reason = (
        None
        if override_reason is None
        else text(
            override_reason,
            "override_reason",
            max_chars=OVERRIDE_MAX_CHARS,
            required=True,
            what="reason for the override",
        )
    )
    if reason is not None:
        may(
            by,
            Permission.DECIDE_SESSION,
            session,
            action=Action.UPDATE,
            message="Only a prescriber may override a discharge criterion.",
        )
    with transaction.atomic(durable=True):
        chair = lock_chair(session, whole=True)  # answered with the whole chair
        locked = chair.session
        check_version(locked, version)
        refuse_closed(locked)
        dose = chair.dose
        if locked.status != SessionStatus.DOSED or dose is None:
            raise ChairConflict(
                ChairConflictCode.NOT_DOSED, "Only a dosed session can be discharged."
            )
        if when < dose.at:
            raise ValidationError(
                {"at": f"Discharge must not be before the dose ({dose.at.isoformat()})."},
                code="before_dose",
            )
        last = max((reading.at for reading in chair.readings), default=None)
        if last is not None and when < last:
            raise ValidationError(
                {"at": f"Discharge must not be before the last reading ({last.isoformat()})."},
                code="before_reading",
            )
        ready_min = _ready_without_minimum(ready_without_minimum_min, chair, when)
        judged_now = judge_discharge(
            chair,
            at=when,
            dissociation_resolved=dissociation,
            no_driving_instructed=instructed,
        )
        overridable, never = overridable_unmet(judged_now)
        if never:
            raise ChairConflict(
                ChairConflictCode.DISCHARGE_CRITERIA_UNMET,
                "The patient cannot be discharged yet: a criterion that may not be overridden "
                "does not hold.",
                reasons=_reasons(judged_now),
            )
        overrides: tuple[str, ...] = ()
        final = judged_now
        if overridable:
            if reason is None:
                raise ChairConflict(
                    ChairConflictCode.DISCHARGE_CRITERIA_UNMET,
                    "The discharge criteria do not all hold.",
                    reasons=_reasons(judged_now),
                )
            overrides = overridable
            final = judge_discharge(
                chair,
                at=when,
                dissociation_resolved=dissociation,
                no_driving_instructed=instructed,
                overrides=overrides,
            )
        row = Discharge.objects.create(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            session=locked,
            at=when,
            by=by.user,
            dissociation_resolved=dissociation,
            no_driving_instructed=instructed,
            criteria=_criteria(final),
            overridden=list(overrides),
            override_reason=reason if overrides else "",
            ready_without_minimum_min=ready_min,
            recorded_at=now,
        )
        chair.discharge = row
        if chair.route == ESKETAMINE:
            chair.rems_form = RemsForm.objects.create(
                clinic_id=locked.clinic_id,
                patient_id=locked.patient_id,
                session=locked,
                due_on=rems_form_due(locked.date, SETTINGS),
            )
        locked.status = SessionStatus.DISCHARGED
        bump(locked, "status")
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=DISCHARGE,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"session={locked.pk} overridden={','.join(overrides)} "
            f"rems_form={chair.rems_form.pk if chair.rems_form else ''}",
        )
    return chair
