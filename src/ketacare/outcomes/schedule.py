"""When each rating scale is due in a course of treatment: the clinic's measurement schedule
applied to a plan's sessions. Pure calendar arithmetic (no Django), so every boundary is tested
without a database.

The clinical reference gives no measurement schedule: every number here is clinic policy [D],
editable per clinic on the schedule page. The defaults follow the issue's description of
common practice: a baseline before the first session, a scale before each induction session,
weekly for 8 weeks after induction, then monthly to 24 months.

Timepoints of one plan, for each instrument of the schedule:
- baseline: due on the first session's date (sequence 0);
- before_session: due on the date of each induction session after the first (the baseline
  already covers the first), sequence = the session's number; only when the schedule asks;
- end_of_induction: due END_OF_INDUCTION_OFFSET_DAYS after the last induction session (0);
- weekly: week w (1..weekly_for_weeks) due w x 7 days after the last induction session;
- monthly: month m due m calendar months after the last induction session, for every m up to
  monthly_until_months whose date falls after the last weekly timepoint.
A plan without an induction phase (a maintenance taper) counts its follow-up from its first
session and has no end-of-induction timepoint. Cancelled sessions are left out by the caller.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ketacare.clinical.instruments import INSTRUMENTS

INDUCTION_PHASE = "induction"
PATIENT = "patient"
CLINICIAN = "clinician"

# Clinic policy [D] (the clinical reference has no schedule numbers): the defaults of a clinic
# that has not edited its schedule.
DEFAULT_PATIENT_INSTRUMENTS: tuple[str, ...] = ("phq9", "gad7", "qids_sr16", "cssrs_screener")
DEFAULT_CLINICIAN_INSTRUMENTS: tuple[str, ...] = ("madrs",)
DEFAULT_BEFORE_EACH_INDUCTION_SESSION = True
DEFAULT_WEEKLY_FOR_WEEKS = 8
DEFAULT_MONTHLY_UNTIL_MONTHS = 24
# The end-of-induction scale is taken the day after the last induction session, once that
# session's acute effect has passed [D].
END_OF_INDUCTION_OFFSET_DAYS = 1
# Upper limits of the editable numbers: two years of weeks, five years of months [D].
MAX_WEEKLY_FOR_WEEKS = 104
MAX_MONTHLY_UNTIL_MONTHS = 60
DAYS_PER_WEEK = 7
# How far before the first timepoint and after the last an answer still counts for it [D]: a
# scale older than a month says little about the day treatment began.
OPEN_END_DAYS = 31


class ScheduleError(ValueError):
    """A schedule setting that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """A clinic's measurement schedule (the model's fields, as plain values)."""

    patient_instruments: tuple[str, ...] = DEFAULT_PATIENT_INSTRUMENTS
    clinician_instruments: tuple[str, ...] = DEFAULT_CLINICIAN_INSTRUMENTS
    before_each_induction_session: bool = DEFAULT_BEFORE_EACH_INDUCTION_SESSION
    weekly_for_weeks: int = DEFAULT_WEEKLY_FOR_WEEKS
    monthly_until_months: int = DEFAULT_MONTHLY_UNTIL_MONTHS

    def audiences(self) -> list[tuple[str, str]]:
        """(instrument, audience) of every scale the schedule asks for, patient scales first."""
        return [(i, PATIENT) for i in self.patient_instruments] + [
            (i, CLINICIAN) for i in self.clinician_instruments
        ]


@dataclass(frozen=True, slots=True)
class SessionDate:
    """A live session of the plan: its number in the course, phase and date."""

    number: int
    phase: str
    date: dt.date


@dataclass(frozen=True, slots=True, order=True)
class DueScale:
    """One scale due at one point of the plan (a Timepoint row to be)."""

    due_on: dt.date
    kind: str
    sequence: int
    instrument: str
    audience: str = field(compare=False)
    session_number: int | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, int, str]:
        """What identifies it within its plan (the database's unique constraint)."""
        return (self.kind, self.sequence, self.instrument)


def self_report(instrument: str) -> bool:
    """Whether the core says the person rates this scale themselves (so it may go by link)."""
    return "self" in INSTRUMENTS[instrument].rater


def _clinician_rated(instrument: str) -> bool:
    return "clinician" in INSTRUMENTS[instrument].rater


def check_instruments(values: object, field_name: str, *, audience: str) -> tuple[str, ...]:
    """The instrument ids of one audience, each once, in the order given. A patient scale must
    be self-rated, a clinician scale clinician-rated (the core's `rater`); an unknown id, a
    repeat or a wrong rater is a ScheduleError naming `field_name`."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ScheduleError(field_name, "Give a list of instrument ids.")
    fits = self_report if audience == PATIENT else _clinician_rated
    chosen: list[str] = []
    for value in values:
        if not isinstance(value, str) or value not in INSTRUMENTS:
            known = ", ".join(sorted(i for i in INSTRUMENTS if fits(i)))
            raise ScheduleError(field_name, f"Unknown instrument {value!r}; use one of: {known}.")
        if not fits(value):
            rater = INSTRUMENTS[value].rater
            raise ScheduleError(field_name, f"{value} is rated by {rater}, not by the {audience}.")
        if value in chosen:
            raise ScheduleError(field_name, f"{value} is listed twice.")
        chosen.append(value)
    return tuple(chosen)


def check_settings(
    *,
    patient_instruments: object,
    clinician_instruments: object,
    before_each_induction_session: object,
    weekly_for_weeks: object,
    monthly_until_months: object,
) -> ScheduleSettings:
    """Settings as a clinic admin gives them, checked; a ScheduleError names the first bad field."""
    patient = check_instruments(patient_instruments, "patient_instruments", audience=PATIENT)
    clinician = check_instruments(
        clinician_instruments, "clinician_instruments", audience=CLINICIAN
    )
    overlap = set(patient) & set(clinician)
    if overlap:
        raise ScheduleError(
            "clinician_instruments",
            f"{', '.join(sorted(overlap))} cannot go to both the patient and the clinician.",
        )
    if not isinstance(before_each_induction_session, bool):
        raise ScheduleError("before_each_induction_session", "Give true or false.")
    weeks = _count(weekly_for_weeks, "weekly_for_weeks", MAX_WEEKLY_FOR_WEEKS)
    months = _count(monthly_until_months, "monthly_until_months", MAX_MONTHLY_UNTIL_MONTHS)
    return ScheduleSettings(patient, clinician, before_each_induction_session, weeks, months)


def _count(value: object, field_name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ScheduleError(field_name, f"Give a whole number from 0 to {maximum}.")
    return value


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months; the 31st of January plus one month is the last of February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def timepoints(settings: ScheduleSettings, sessions: Sequence[SessionDate]) -> list[DueScale]:
    """Every scale due in the plan whose live sessions are `sessions`, by due date."""
    if not sessions:
        return []
    ordered = sorted(sessions, key=lambda s: s.number)
    induction = [s for s in ordered if s.phase == INDUCTION_PHASE]
    points: list[tuple[str, int, dt.date, int | None]] = [
        ("baseline", 0, ordered[0].date, ordered[0].number)
    ]
    if settings.before_each_induction_session:
        points += [("before_session", s.number, s.date, s.number) for s in induction[1:]]
    follow_up_from = induction[-1].date if induction else ordered[0].date
    if induction:
        end = follow_up_from + dt.timedelta(days=END_OF_INDUCTION_OFFSET_DAYS)
        points.append(("end_of_induction", 0, end, None))
    last_weekly = follow_up_from
    for week in range(1, settings.weekly_for_weeks + 1):
        last_weekly = follow_up_from + dt.timedelta(days=week * DAYS_PER_WEEK)
        points.append(("weekly", week, last_weekly, None))
    for month in range(1, settings.monthly_until_months + 1):
        due = add_months(follow_up_from, month)
        if due > last_weekly:
            points.append(("monthly", month, due, None))
    return sorted(
        DueScale(due, kind, sequence, instrument, audience, number)
        for kind, sequence, due, number in points
        for instrument, audience in settings.audiences()
    )


@dataclass(frozen=True, slots=True)
class Slot:
    """A stored timepoint of one patient and instrument, as assignment sees it."""

    id: int
    due_on: dt.date
    open: bool


def choose_timepoint(slots: Sequence[Slot], answered_on: dt.date) -> int | None:
    """The id of the timepoint an answer given on `answered_on` belongs to, or None.

    A timepoint's window runs from the previous timepoint's due date to the next one's, both
    excluded (the first opens OPEN_END_DAYS before its due date, the last closes OPEN_END_DAYS
    after). Of the open timepoints whose window holds the day, the one already due wins (a late
    answer belongs to its timepoint), else the one coming up (an answer a day early)."""
    ordered = sorted(slots, key=lambda slot: (slot.due_on, slot.id))
    late: Slot | None = None
    early: Slot | None = None
    for index, slot in enumerate(ordered):
        if not slot.open:
            continue
        opens = (
            ordered[index - 1].due_on
            if index
            else slot.due_on - dt.timedelta(days=OPEN_END_DAYS + 1)
        )
        closes = (
            ordered[index + 1].due_on
            if index + 1 < len(ordered)
            else slot.due_on + dt.timedelta(days=OPEN_END_DAYS + 1)
        )
        if not opens < answered_on < closes:
            continue
        if slot.due_on <= answered_on:
            late = slot
        elif early is None:
            early = slot
    chosen = late or early
    return chosen.id if chosen is not None else None
