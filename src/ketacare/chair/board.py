"""The nurse board: every session in a chair at the acting clinic, one row each.

`read_board` is the one read behind the board page (`/board/`) and `GET /api/v1/board`: the
acting clinic's sessions `in_chair` or `dosed`, each judged by the monitoring rules at `now`
(`ketacare.chair.state.judge`: next reading due, open alerts, discharge readiness). It needs
VIEW_SESSION (a denied audit event and a 403 otherwise) and records the list read with the ids
of the patients shown. Its cost does not grow with the number of chairs: one query for the
sessions with their pre-dose, dose, plan and patient joined, one for all their readings and one
for all their alerts (plus the count when paged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_list_read
from ketacare.chair.models import AlertLevel, PreDose, Reading, SessionAlert
from ketacare.chair.presentation import minutes_between
from ketacare.chair.state import Chair, judge
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

BOARD = "nurse_board"
# The sessions a nurse watches: checked in, or dosed and not yet discharged.
BOARD_STATUSES = (SessionStatus.IN_CHAIR, SessionStatus.DOSED)


@dataclass(frozen=True)
class BoardRow:
    """One chair on the board (contracts.md 2.3 `GET /board` item, plus what the page shows)."""

    session: TreatmentSession
    pre_dose: PreDose | None
    chair: str
    route: str
    status: str
    dosing: str | None
    dose_at: dt.datetime | None
    minutes_since_dose: int | None
    last_reading: Reading | None
    next_reading_due: dt.datetime | None
    overdue: bool
    minutes_overdue: int | None
    open_alerts: int
    open_critical_alerts: int
    # Ready once a clinician attests dissociation resolved (the attestation is made at
    # discharge, so it is assumed here); None before the dose.
    discharge_ready: bool | None
    discharge_earliest: dt.datetime | None
    discharge_unmet: tuple[str, ...]

    @property
    def session_id(self) -> int:
        return self.session.pk

    @property
    def patient_id(self) -> int:
        return self.session.patient_id

    @property
    def last_reading_at(self) -> dt.datetime | None:
        return self.last_reading.at if self.last_reading is not None else None


# The columns the board shows and the monitoring rules judge, and no others: building model
# objects is most of a board request's cost (30 chairs: about 250 objects), and the wide rows
# (the patient's contact details, the dose's steps, who recorded what) are not on the board.
# A column missing here costs a query per chair when read (the query-count tests say so).
_VITALS = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")
_SESSION_COLUMNS = ("clinic_id", "patient_id", "plan_id", "number", "status")
_JOINED_COLUMNS = (
    "plan__route",
    "patient__given_name",
    "patient__family_name",
    "pre_dose__chair",
    "pre_dose__dosing",
    "pre_dose__checked_in_at",
    *(f"pre_dose__{name}" for name in _VITALS),
    # The checklist the rules read (`state.monitor_state`).
    "pre_dose__rems_setting_certified",
    "pre_dose__rems_patient_enrolled",
    "pre_dose__pregnancy_status_documented",
    "pre_dose__escort_confirmed",
    "pre_dose__last_food_at",
    "pre_dose__last_liquid_at",
    "pre_dose__nasal_medication_at",
    "dose__at",
    "dose__infusion_duration_min",
)
_READING_COLUMNS = ("session_id", "at", *_VITALS, "moaas", "cadss", "symptoms")
_ALERT_COLUMNS = ("session_id", "rule", "level", "at", "acknowledged_at")


def board_sessions(membership: Membership | None) -> QuerySet[TreatmentSession]:
    """The acting clinic's sessions in a chair, by chair then check-in, with pre-dose, dose, plan
    and patient joined; only the columns shown or judged."""
    return (
        scoped(TreatmentSession.objects.all(), membership)
        .filter(status__in=BOARD_STATUSES)
        .select_related("plan", "patient", "pre_dose", "dose")
        .only(*_SESSION_COLUMNS, *_JOINED_COLUMNS)
        .order_by("pre_dose__chair", "pre_dose__checked_in_at", "pk")
    )


def _by_session(queryset: QuerySet[Any], sessions: list[TreatmentSession]) -> dict[int, list[Any]]:
    """The rows of `queryset` belonging to `sessions`, in one query, by session id. A plain query
    grouped here rather than `prefetch_related`, which builds a queryset per session (about a
    fifth of a 30-chair board's cost)."""
    grouped: dict[int, list[Any]] = {session.pk: [] for session in sessions}
    if not sessions:
        return grouped
    clinic_ids = {session.clinic_id for session in sessions}
    for row in queryset.filter(session_id__in=list(grouped), clinic_id__in=clinic_ids):
        grouped[row.session_id].append(row)
    return grouped


def _chairs(sessions: list[TreatmentSession]) -> list[Chair]:
    """The board's sessions with their readings and alerts (two queries for all of them). They
    are neither discharged nor given a REMS form yet: no query for those rows (state.chair_of
    would ask for them)."""
    readings = _by_session(Reading.objects.only(*_READING_COLUMNS).order_by("at", "pk"), sessions)
    alerts = _by_session(
        SessionAlert.objects.only(*_ALERT_COLUMNS).order_by("at", "rule", "pk"), sessions
    )
    return [
        Chair(
            session=session,
            pre_dose=getattr(session, "pre_dose", None),
            dose=getattr(session, "dose", None),
            readings=readings[session.pk],
            alerts=alerts[session.pk],
            side_effects=[],
            discharge=None,
            rems_form=None,
        )
        for session in sessions
    ]


def board_row(chair: Chair, *, now: dt.datetime) -> BoardRow:
    """One chair as the board shows it, judged at `now`."""
    dose_at = chair.dose.at if chair.dose is not None else None
    # Before the dose the rules give neither a reading due nor a discharge (`evaluate`), the
    # only judgements a card shows: a third of a busy board is judged for nothing otherwise.
    result = judge(chair, now=now, dissociation_resolved=True) if dose_at is not None else None
    due = result.next_reading_due if result is not None else None
    overdue = due is not None and now > due
    discharge = result.discharge if result is not None else None
    open_alerts = chair.open_alerts
    return BoardRow(
        session=chair.session,
        pre_dose=chair.pre_dose,
        chair=chair.pre_dose.chair if chair.pre_dose is not None else "",
        route=chair.route,
        status=chair.session.status,
        dosing=chair.pre_dose.dosing if chair.pre_dose is not None else None,
        dose_at=dose_at,
        minutes_since_dose=minutes_between(dose_at, now) if dose_at is not None else None,
        last_reading=chair.readings[-1] if chair.readings else None,
        next_reading_due=due,
        overdue=overdue,
        minutes_overdue=minutes_between(due, now) if overdue and due is not None else None,
        open_alerts=len(open_alerts),
        open_critical_alerts=sum(1 for a in open_alerts if a.level == AlertLevel.CRITICAL),
        discharge_ready=discharge.ready if discharge is not None else None,
        discharge_earliest=discharge.earliest if discharge is not None else None,
        discharge_unmet=tuple(rule for rule, _ in discharge.reasons) if discharge else (),
    )


def read_board(
    membership: Membership | None,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[BoardRow], int]:
    """The board of the acting clinic at `now`: its rows (all, or one page) and their count.

    VIEW_SESSION, else a denied audit event and PermissionDenied. The read is audited with the
    ids of the patients shown (their names are on the board)."""
    require_role(membership, Permission.VIEW_SESSION, action=Action.READ, object_type=BOARD)
    now = now or timezone.now()
    sessions = board_sessions(membership)
    if limit is None:
        shown = list(sessions)
        count = len(shown)
    else:
        count = sessions.count()
        shown = list(sessions[offset : offset + limit])
    rows = [board_row(chair, now=now) for chair in _chairs(shown)]
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"board offset={offset} shown={len(rows)} total={count}",
    )
    return rows, count
