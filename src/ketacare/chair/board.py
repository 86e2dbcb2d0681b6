"""The nurse board: every session in a chair at the acting clinic, one row each.

`read_board` is the one read behind the board page (`/board/`) and `GET /api/v1/board`: the
acting clinic's sessions `in_chair` or `dosed`, each judged by the monitoring rules at `now`
(`ketacare.clinical.monitoring.evaluate`: next reading due, open alerts, discharge readiness). It
needs VIEW_SESSION (a denied audit event and a 403 otherwise) and records the list read with the
ids of the patients shown. Its cost does not grow with the number of chairs: one query for the
sessions with their pre-dose, dose, plan and patient joined, one for all their readings and one
for all their alerts (up to 48 chairs), each compiled once per database connection.

The board is asked for again every 15 s by every nurse's screen, so it reads plain tuples of the
columns it shows or judges (no model objects) and builds the clinical core's `SessionState`
straight from them, as `ketacare.chair.state.monitor_state` builds it from a loaded `Chair` (a
test holds the two to the same state and the same row at many times). A state unchanged since
the last poll keeps its judgement until the moment the core names (`judgement_changes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from django.utils import timezone

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_list_read
from ketacare.chair.models import AlertLevel, Reading, SessionAlert
from ketacare.chair.presentation import minutes_between
from ketacare.chair.state import Chair, core_reading, judge
from ketacare.clinical.monitoring import (
    CHECKLIST_TIMES,
    Attestations,
    Checklist,
    MonitorResult,
    SessionState,
    Vitals,
    evaluate,
    judgement_changes,
    needs_acknowledgement,
)
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.compiled import PADDED_LENGTHS, CompiledRead, padded
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

BOARD = "nurse_board"
# The sessions a nurse watches: checked in, or dosed and not yet discharged.
BOARD_STATUSES = (SessionStatus.IN_CHAIR, SessionStatus.DOSED)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One chair on the board (contracts.md 2.3 `GET /board` item, plus what the page shows).

    `pre_dose` holds the pre-dose vitals (None without a pre-dose record), `last_reading` the
    latest reading as the clinical core reads it (None before the first)."""

    session_id: int
    patient_id: int
    clinic_id: int
    number: int
    family_name: str
    given_name: str
    pre_dose: Vitals | None
    chair: str
    route: str
    status: str
    dosing: str | None
    dose_at: dt.datetime | None
    minutes_since_dose: int | None
    last_reading: CoreReading | None
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
    def last_reading_at(self) -> dt.datetime | None:
        return self.last_reading.at if self.last_reading is not None else None

    @property
    def session(self) -> TreatmentSession:
        """The session as a model instance holding the board's columns (any other column is
        read from the database when asked for, as a deferred field)."""
        known = {
            "id": self.session_id,
            "clinic_id": self.clinic_id,
            "patient_id": self.patient_id,
            "number": self.number,
            "status": self.status,
        }
        fields = [f.attname for f in TreatmentSession._meta.concrete_fields if f.attname in known]
        return TreatmentSession.from_db(DEFAULT_DB_ALIAS, fields, [known[f] for f in fields])


# The columns the board shows and the monitoring rules judge, and no others, as tuples: building
# model objects was most of a board request's cost (30 chairs: about 250 objects), and the wide
# rows (the patient's contact details, the dose's steps, who recorded what) are not on the board.
_VITALS = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")
_CHECKLIST = (
    "rems_setting_certified",
    "rems_patient_enrolled",
    "pregnancy_status_documented",
    "escort_confirmed",
    "last_food_at",
    "last_liquid_at",
    "nasal_medication_at",
)
_SESSION_COLUMNS = (
    "pk",
    "clinic_id",
    "patient_id",
    "number",
    "status",
    "plan__route",
    "patient__family_name",
    "patient__given_name",
    "pre_dose__id",
    "pre_dose__chair",
    "pre_dose__dosing",
    *(f"pre_dose__{name}" for name in _VITALS),
    # The checklist the rules read (`state.monitor_state`).
    *(f"pre_dose__{name}" for name in _CHECKLIST),
    "dose__at",
    "dose__infusion_duration_min",
)
_READING_COLUMNS = ("session_id", "at", *_VITALS, "moaas", "cadss", "symptoms")
_ALERT_COLUMNS = ("session_id", "level", "acknowledged_at")


def _board_sessions(clinic_id: int) -> QuerySet[Any]:
    """The clinic's sessions in a chair, by chair then check-in, as tuples of the columns."""
    return (
        TreatmentSession.objects.filter(clinic_id=clinic_id, status__in=BOARD_STATUSES)
        .order_by("pre_dose__chair", "pre_dose__checked_in_at", "pk")
        .values_list(*_SESSION_COLUMNS)
    )


def _compiled_of_sessions(
    model: type[Reading] | type[SessionAlert], columns: tuple[str, ...], length: int
) -> CompiledRead:
    """The rows of `model` of `length` sessions of one clinic, as tuples of `columns`."""

    def build(clinic_id: int, *session_ids: int) -> QuerySet[Any]:
        queryset = model.objects.filter(clinic_id=clinic_id, session_id__in=session_ids)
        return queryset.order_by("session_id", "at", "pk").values_list(*columns)

    return CompiledRead(f"board.{model.__name__}.{length}", model, build, 1 + length)


# The board's three reads, compiled once per connection (`ketacare.clinics.compiled`): building
# them with the ORM on every 15-s poll of every nurse's screen cost more than running them.
_SESSIONS = CompiledRead("board.sessions", TreatmentSession, _board_sessions, 1)
_READINGS = {n: _compiled_of_sessions(Reading, _READING_COLUMNS, n) for n in PADDED_LENGTHS}
_ALERTS = {n: _compiled_of_sessions(SessionAlert, _ALERT_COLUMNS, n) for n in PADDED_LENGTHS}


def _by_session(
    reads: dict[int, CompiledRead], ids: list[int], clinic_id: int
) -> dict[int, list[tuple[Any, ...]]]:
    """The rows of the sessions `ids` (of `clinic_id`) by session id, each session's in the
    read's order: one statement for up to 48 sessions."""
    grouped: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in ids}
    for chunk in padded(ids):
        for row in reads[len(chunk)].rows(clinic_id, *chunk):
            grouped[row[0]].append(row)
    return grouped


def _state(
    route: str,
    dose_at: dt.datetime | None,
    infusion_duration_min: int | None,
    pre_dose: Vitals | None,
    checklist: Checklist | None,
    readings: tuple[CoreReading, ...],
    open_critical: int,
) -> SessionState:
    """The clinical core's view of a board session, as `state.monitor_state` makes it with the
    dissociation attested (`board_row`): not discharged, so nothing else applies."""
    return SessionState(
        route=route,
        dose_at=dose_at,
        pre_dose=pre_dose if pre_dose is not None else Vitals(),
        readings=readings,
        infusion_duration_min=infusion_duration_min,
        checklist=checklist if checklist is not None else Checklist(),
        attestations=Attestations(
            dissociation_resolved=True, critical_alerts_acknowledged=not open_critical
        ),
    )


# Judgements kept between polls: by the state judged, when it was judged and until when the core
# says the judgement holds (`judgement_changes`). Only the parts of the result that promise covers
# are read from a kept one (`_row`: the next reading due and the discharge). Emptied when full;
# it holds clinical values of states, never who they belong to.
_KEPT: dict[SessionState, tuple[dt.datetime, dt.datetime | None, MonitorResult]] = {}
_KEPT_MOST = 2048


def _judged(state: SessionState, now: dt.datetime) -> MonitorResult | None:
    # Before the dose the rules give neither a reading due nor a discharge (`evaluate`), the
    # only judgements a card shows: a third of a busy board is judged for nothing otherwise.
    if state.dose_at is None:
        return None
    # Never before what the state records: a dose or reading saved by a server whose clock runs
    # a little ahead would be "in the future" here, which the core refuses (MON-PLAUSIBILITY).
    checklist = (getattr(state.checklist, name) for name in CHECKLIST_TIMES)
    now = max([now, state.dose_at, *(r.at for r in state.readings), *filter(None, checklist)])
    kept = _KEPT.get(state)
    if kept is not None:
        judged_at, changes, result = kept
        if judged_at <= now and (changes is None or now < changes):
            return result
    result = evaluate(state, now=now, settings=DEFAULT_SETTINGS)
    if len(_KEPT) >= _KEPT_MOST:
        _KEPT.clear()
    _KEPT[state] = (now, judgement_changes(state, now=now, settings=DEFAULT_SETTINGS), result)
    return result


def _row(
    *,
    now: dt.datetime,
    result: MonitorResult | None,
    dose_at: dt.datetime | None,
    last_reading: CoreReading | None,
    open_alerts: int,
    open_critical_alerts: int,
    **columns: Any,
) -> BoardRow:
    due = result.next_reading_due if result is not None else None
    overdue = due is not None and now > due
    discharge = result.discharge if result is not None else None
    return BoardRow(
        **columns,
        dose_at=dose_at,
        # Never negative: a dose saved by a server whose clock runs ahead is "just given".
        minutes_since_dose=minutes_between(dose_at, max(now, dose_at))
        if dose_at is not None
        else None,
        last_reading=last_reading,
        next_reading_due=due,
        overdue=overdue,
        minutes_overdue=minutes_between(due, now) if overdue and due is not None else None,
        open_alerts=open_alerts,
        open_critical_alerts=open_critical_alerts,
        discharge_ready=discharge.ready if discharge is not None else None,
        discharge_earliest=discharge.earliest if discharge is not None else None,
        discharge_unmet=tuple(rule for rule, _ in discharge.reasons) if discharge else (),
    )


def board_row(chair: Chair, *, now: dt.datetime) -> BoardRow:
    """One loaded chair (`state.load_chair`) as the board shows it, judged at `now` with the
    dissociation attested (`state.judge`)."""
    dose_at = chair.dose.at if chair.dose is not None else None
    result = judge(chair, now=now, dissociation_resolved=True) if dose_at is not None else None
    open_alerts = chair.open_alerts
    pre = chair.pre_dose
    session = chair.session
    return _row(
        now=now,
        result=result,
        dose_at=dose_at,
        last_reading=core_reading(chair.readings[-1]) if chair.readings else None,
        open_alerts=len(open_alerts),
        open_critical_alerts=sum(1 for a in open_alerts if a.level == AlertLevel.CRITICAL),
        session_id=session.pk,
        patient_id=session.patient_id,
        clinic_id=session.clinic_id,
        number=session.number,
        family_name=session.patient.family_name,
        given_name=session.patient.given_name,
        pre_dose=Vitals(**{name: getattr(pre, name) for name in _VITALS}) if pre else None,
        chair=pre.chair if pre is not None else "",
        route=chair.route,
        status=session.status,
        dosing=pre.dosing if pre is not None else None,
    )


def _rows(sessions: list[tuple[Any, ...]], clinic_id: int, now: dt.datetime) -> list[BoardRow]:
    """The board's rows from the sessions' tuples, with their readings and alerts (two queries
    for all of them). They are neither discharged nor given a REMS form yet."""
    ids = [s[0] for s in sessions]
    readings = _by_session(_READINGS, ids, clinic_id)
    alerts = _by_session(_ALERTS, ids, clinic_id)
    critical = AlertLevel.CRITICAL.value
    rows = []
    for values in sessions:
        (pk, clinic, patient_id, number, status, route, family, given, pre_id, chair_name,
         dosing, *rest) = values  # fmt: skip
        vitals, rest = rest[: len(_VITALS)], rest[len(_VITALS) :]
        checks, (dose_at, infusion) = rest[: len(_CHECKLIST)], rest[len(_CHECKLIST) :]
        pre = Vitals(**dict(zip(_VITALS, vitals, strict=True))) if pre_id is not None else None
        checklist = (
            Checklist(**dict(zip(_CHECKLIST, checks, strict=True))) if pre_id is not None else None
        )
        core = tuple(
            CoreReading(
                at=at, systolic=sbp, diastolic=dbp, heart_rate=hr, spo2=spo2,
                respiratory_rate=rr, moaas=moaas, cadss=cadss, symptoms=tuple(symptoms or ()),
            )
            for _, at, sbp, dbp, hr, spo2, rr, moaas, cadss, symptoms in readings[pk]
        )  # fmt: skip
        open_levels = [
            level
            for _, level, acknowledged in alerts[pk]
            if acknowledged is None and needs_acknowledgement(level)
        ]
        open_critical = sum(1 for level in open_levels if level == critical)
        state = _state(route, dose_at, infusion, pre, checklist, core, open_critical)
        rows.append(
            _row(
                now=now,
                result=_judged(state, now),
                dose_at=dose_at,
                last_reading=core[-1] if core else None,
                open_alerts=len(open_levels),
                open_critical_alerts=open_critical,
                session_id=pk,
                patient_id=patient_id,
                clinic_id=clinic,
                number=number,
                family_name=family,
                given_name=given,
                pre_dose=pre,
                chair=chair_name if pre_id is not None else "",
                route=route,
                status=status,
                dosing=dosing,
            )
        )
    return rows


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
    membership = require_role(
        membership, Permission.VIEW_SESSION, action=Action.READ, object_type=BOARD
    )
    now = now or timezone.now()
    # All of the clinic's chairs in one statement, a page cut from them here: a clinic has tens
    # of chairs, and a separate count would be a second statement on every poll.
    sessions = _SESSIONS.rows(membership.clinic_id)
    count = len(sessions)
    shown = sessions if limit is None else sessions[offset : offset + limit]
    rows = _rows(shown, membership.clinic_id, now)
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"board offset={offset} shown={len(rows)} total={count}",
    )
    return rows, count
