"""Use cases of the measurement schedule: read a clinic's schedule (its defaults until an admin
edits it), edit it (CHANGE_CLINIC), and lay a plan's timepoints out from it.

`sync_timepoints` runs inside the transaction that created a plan or moved or cancelled one of
its sessions (treatment's `plan_scheduled` signal): it adds the timepoints the plan lacks and
moves the due date of unanswered ones whose session moved. An answered timepoint never changes,
and none is deleted (links and answers point at them); a cancelled session's timepoint is left
out of every "due" list instead (`timepoints.live`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.models import MeasurementSchedule, Timepoint
from ketacare.outcomes.schedule import (
    DEFAULT_CLINICIAN_INSTRUMENTS,
    DEFAULT_PATIENT_INSTRUMENTS,
    ScheduleError,
    ScheduleSettings,
    SessionDate,
    check_settings,
    timepoints,
)
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.treatment.models import TreatmentPlan

SCHEDULE = "measurement_schedule"
TIMEPOINT = "timepoint"


def schedule_of(clinic_id: int) -> MeasurementSchedule:
    """The clinic's schedule; an unsaved one with the defaults when it has none yet."""
    found = MeasurementSchedule.objects.filter(clinic_id=clinic_id).first()
    if found is not None:
        return found
    return MeasurementSchedule(
        clinic_id=clinic_id,
        patient_instruments=list(DEFAULT_PATIENT_INSTRUMENTS),
        clinician_instruments=list(DEFAULT_CLINICIAN_INSTRUMENTS),
    )


def settings_of(schedule: MeasurementSchedule) -> ScheduleSettings:
    return ScheduleSettings(
        patient_instruments=tuple(schedule.patient_instruments),
        clinician_instruments=tuple(schedule.clinician_instruments),
        before_each_induction_session=schedule.before_each_induction_session,
        weekly_for_weeks=schedule.weekly_for_weeks,
        monthly_until_months=schedule.monthly_until_months,
    )


def read_schedule(*, by: Membership) -> MeasurementSchedule:
    """The schedule of the acting clinic, for its edit page (CHANGE_CLINIC), the read audited."""
    require_role(by, Permission.CHANGE_CLINIC, action=Action.READ, object_type=SCHEDULE)
    schedule = schedule_of(by.clinic_id)
    record_event(
        action=Action.READ, membership=by, object_type=SCHEDULE, object_id=schedule.pk or ""
    )
    return schedule


def update_schedule(
    *, by: Membership, values: Mapping[str, object], version: int | None
) -> MeasurementSchedule:
    """Replace the clinic's schedule with `values` (the five settings), checked against the
    clinical core's instruments. A bad value is a ValidationError naming its field and nothing
    changes; `version` as read (None for a clinic still on the defaults) is a 409 when stale.
    The new schedule applies to plans created or rescheduled from now on."""
    require_role(by, Permission.CHANGE_CLINIC, action=Action.UPDATE, object_type=SCHEDULE)
    try:
        checked = check_settings(**{name: values.get(name) for name in _FIELDS})
    except ScheduleError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None
    with transaction.atomic(durable=True):
        current = MeasurementSchedule.objects.select_for_update().filter(clinic_id=by.clinic_id)
        schedule = current.first() or schedule_of(by.clinic_id)
        stored_version = schedule.version if schedule.pk is not None else None
        if version != stored_version:
            raise Conflict(
                "Someone else saved the schedule first; reload to see their change.",
                code="stale_version",
            )
        schedule.patient_instruments = list(checked.patient_instruments)
        schedule.clinician_instruments = list(checked.clinician_instruments)
        schedule.before_each_induction_session = checked.before_each_induction_session
        schedule.weekly_for_weeks = checked.weekly_for_weeks
        schedule.monthly_until_months = checked.monthly_until_months
        if schedule.pk is not None:
            schedule.version += 1
        schedule.save()
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=SCHEDULE,
            object_id=schedule.pk,
            detail=f"version={schedule.version}",
        )
    return schedule


_FIELDS = (
    "patient_instruments",
    "clinician_instruments",
    "before_each_induction_session",
    "weekly_for_weeks",
    "monthly_until_months",
)


def sync_timepoints(plan: TreatmentPlan, *, by: Membership | None = None) -> tuple[int, int]:
    """Create the plan's missing timepoints and move unanswered ones to their session's new
    date; idempotent. Returns (created, moved); audited when anything changed."""
    sessions = list(
        TreatmentSession.objects.filter(clinic_id=plan.clinic_id, plan_id=plan.pk)
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("pk", "number", "phase", "date")
    )
    session_ids = {number: pk for pk, number, _, _ in sessions}
    wanted = timepoints(
        settings_of(schedule_of(plan.clinic_id)),
        [SessionDate(number, phase, date) for _, number, phase, date in sessions],
    )
    existing = {
        (row.kind, row.sequence, row.instrument): row
        for row in Timepoint.objects.filter(clinic_id=plan.clinic_id, plan_id=plan.pk)
    }
    new_rows: list[Timepoint] = []
    moved: list[Timepoint] = []
    for due in wanted:
        row = existing.get(due.key)
        if row is None:
            new_rows.append(
                Timepoint(
                    clinic_id=plan.clinic_id,
                    patient_id=plan.patient_id,
                    plan_id=plan.pk,
                    session_id=session_ids.get(due.session_number)
                    if due.session_number is not None
                    else None,
                    kind=due.kind,
                    sequence=due.sequence,
                    instrument=due.instrument,
                    audience=due.audience,
                    due_on=due.due_on,
                )
            )
        elif row.assessment_id is None:
            # A timepoint follows its session when that one is moved or cancelled (a baseline
            # moves to the new first session, and stays expected).
            session_id = (
                session_ids.get(due.session_number) if due.session_number is not None else None
            )
            if (row.due_on, row.session_id) != (due.due_on, session_id):
                row.due_on = due.due_on
                row.session_id = session_id
                moved.append(row)
    if not new_rows and not moved:
        return (0, 0)
    with transaction.atomic():
        Timepoint.objects.bulk_create(new_rows)
        Timepoint.objects.bulk_update(moved, ["due_on", "session"])
        record_event(
            action=Action.UPDATE if existing else Action.CREATE,
            membership=by,
            clinic_id=plan.clinic_id,
            object_type=TIMEPOINT,
            patient_id=plan.patient_id,
            detail=f"sync plan={plan.pk} created={len(new_rows)} moved={len(moved)}",
        )
    return (len(new_rows), len(moved))
