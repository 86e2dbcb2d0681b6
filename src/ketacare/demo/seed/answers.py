"""PHQ-9 answers over a course and two years after it, each tied to the timepoint it answers.

The timepoints are those of the default measurement schedule (PHQ-9 to the patient): baseline on
the first session's day, before each induction session, the end of induction the day after the
last induction session, weekly for 8 weeks, then monthly (months 3 to 24 after the end of
induction). Only timepoints due before the run's `today` are written; a few are left unanswered
and some patients stop answering (the censored patients of the relapse curve).

The trajectory is drawn per patient [D] (rates in `rates`): an outcome class at the end of
induction (remission, response, partial, none), a linear fall towards it before each induction
session, and for responders a relapse day after the end of induction, from which the totals
stay in the moderate band or above (OUT-RELAPSE-PHQ9 then reads it as relapse). Every total is
the sum of answers scored by the clinical core (`add_assessment`); no total is typed in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from ketacare.demo.seed import rates
from ketacare.demo.seed.charts import Story, add_assessment, percent, phq9_answers, weighted
from ketacare.demo.seed.context import ClinicStaff, Run
from ketacare.demo.seed.sink import Sink
from ketacare.outcomes.models import Audience, Timepoint, TimepointKind

INSTRUMENT = "phq9"
INDUCTION = "induction"
WEEKLY_WEEKS = 8
MONTHLY_FROM, MONTHLY_TO = 3, 24
# [D] a month of the schedule as 30 days, counted from the end of induction.
MONTH_DAYS = 30
PHQ9_HIGHEST = 27
# The bands the trajectory aims at (SCALE-PHQ9: minimal 0-4, moderate from 10).
MINIMAL_AT_MOST = 4
MODERATE_AT_LEAST = 10


@dataclass(frozen=True, slots=True)
class CourseSession:
    """A session of the seeded course: chunk-local id, number, day, phase, whether it was given."""

    id: int
    number: int
    date: dt.date
    phase: str
    given: bool


@dataclass(frozen=True, slots=True)
class _Due:
    kind: str
    sequence: int
    due_on: dt.date
    session_id: int | None


def _end_of_induction_total(rng: random.Random, baseline: int, outcome: str) -> int:
    """A total in the outcome class at the end of induction (reductions as OUT-RESPONSE and
    OUT-PARTIAL count them; remission as OUT-REMISSION-PHQ9's band)."""
    half = baseline // 2  # at most this is a >= 50 % fall
    if outcome == "remission":
        return rng.randint(0, min(MINIMAL_AT_MOST, half))
    if outcome == "response":
        return rng.randint(min(MINIMAL_AT_MOST + 1, half), half)
    quarter = math.floor(baseline * 0.75)  # at most this is a >= 25 % fall
    if outcome == "partial":
        return rng.randint(min(half + 1, quarter), quarter)
    return rng.randint(min(quarter + 1, baseline), baseline)


def _schedule(sessions: list[CourseSession], today: dt.date) -> list[_Due]:
    given = [s for s in sessions if s.given]
    if not given:
        return []
    dues = [_Due(TimepointKind.BASELINE, 0, given[0].date, None)]
    induction = [s for s in sessions if s.phase == INDUCTION]
    dues += [
        _Due(TimepointKind.BEFORE_SESSION, s.number, s.date, s.id) for s in induction if s.given
    ]
    # The end of induction exists once every induction session is past and the last was given.
    if induction and induction[-1].given and all(s.date < today for s in induction):
        end = induction[-1].date + dt.timedelta(days=1)
        dues.append(_Due(TimepointKind.END_OF_INDUCTION, 0, end, None))
        dues += [
            _Due(TimepointKind.WEEKLY, week, end + dt.timedelta(weeks=week), None)
            for week in range(1, WEEKLY_WEEKS + 1)
        ]
        dues += [
            _Due(TimepointKind.MONTHLY, month, end + dt.timedelta(days=month * MONTH_DAYS), None)
            for month in range(MONTHLY_FROM, MONTHLY_TO + 1)
        ]
    return [d for d in dues if d.due_on < today]


def seed_answers(
    sink: Sink,
    run: Run,
    clinic: ClinicStaff,
    story: Story,
    plan_id: int,
    sessions: list[CourseSession],
    rng: random.Random,
) -> None:
    """The PHQ-9 timepoints of one plan due before `today`, most of them answered."""
    dues = _schedule(sessions, run.today)
    if not dues:
        return
    outcome = str(weighted(rng, rates.OUTCOME_WEIGHTS))
    baseline = max(MODERATE_AT_LEAST, min(PHQ9_HIGHEST, sum(story.phq9) + rng.randint(-2, 2)))
    target = _end_of_induction_total(rng, baseline, outcome)
    responder = outcome in ("remission", "response")
    relapse_day: float | None = None
    if responder and percent(rng, rates.RELAPSE_PERCENT):
        # Exponential with the given median: the hazard of relapse is constant over time.
        relapse_day = rng.expovariate(math.log(2) / rates.RELAPSE_MEDIAN_DAYS)
    before = [d for d in dues if d.kind == TimepointKind.BEFORE_SESSION]
    end = next((d.due_on for d in dues if d.kind == TimepointKind.END_OF_INDUCTION), None)
    answering = True
    for due in dues:
        answered = answering
        if due.kind in (TimepointKind.WEEKLY, TimepointKind.MONTHLY):
            if percent(rng, rates.STOPS_ANSWERING_PERCENT):
                answering = answered = False
            elif percent(rng, rates.MISSED_ANSWER_PERCENT):
                answered = False
        elif due.kind != TimepointKind.BASELINE and percent(rng, rates.MISSED_ANSWER_PERCENT):
            answered = False
        assessment_id = None
        if answered:
            total = _total(rng, due, baseline, target, before, end, responder, relapse_day)
            by_link = due.kind in (TimepointKind.WEEKLY, TimepointKind.MONTHLY)
            item9 = story.phq9[8] if total >= MODERATE_AT_LEAST else 0
            at = run.at(due.due_on, dt.time(rng.randrange(7, 20), rng.randrange(0, 60, 5)))
            assessment_id = add_assessment(
                sink,
                clinic_id=clinic.id,
                patient_id=story.patient_id,
                by=None if by_link else rng.choice(clinic.nurses),
                instrument=INSTRUMENT,
                answers=list(phq9_answers(rng, max(total, item9), item9)),
                at=at,
                source="patient_link" if by_link else "staff",
            )
        sink.add(
            Timepoint,
            id=sink.new_id(Timepoint),
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            plan_id=plan_id,
            session_id=due.session_id,
            kind=due.kind,
            sequence=due.sequence,
            instrument=INSTRUMENT,
            audience=Audience.PATIENT,
            due_on=due.due_on,
            assessment_id=assessment_id,
            created_at=run.at(dues[0].due_on, dt.time(7, 0)),
        )


def _total(
    rng: random.Random,
    due: _Due,
    baseline: int,
    target: int,
    before: list[_Due],
    end: dt.date | None,
    responder: bool,
    relapse_day: float | None,
) -> int:
    """The PHQ-9 total the patient gives at `due` on this trajectory."""
    if due.kind == TimepointKind.BASELINE:
        return baseline
    if due.kind == TimepointKind.BEFORE_SESSION:
        # Before session k of n the total has fallen (k-1)/n of the way (session 1: baseline).
        position = next(i for i, d in enumerate(before) if d.sequence == due.sequence)
        share = position / len(before)
        expected = baseline + (target - baseline) * share
        return _clamped(round(expected + rng.gauss(0, 1)), 0, PHQ9_HIGHEST)
    if due.kind == TimepointKind.END_OF_INDUCTION or end is None:
        return target
    day = (due.due_on - end).days
    if relapse_day is not None and day >= relapse_day:
        return rng.randint(MODERATE_AT_LEAST, min(PHQ9_HIGHEST, max(baseline, 14)))
    total = round(target + rng.gauss(0, 1.5))
    # A responder not (yet) relapsed stays below the moderate band: the relapse day is the one
    # drawn, not an accident of noise.
    highest = MODERATE_AT_LEAST - 1 if responder else PHQ9_HIGHEST
    return _clamped(total, 0, highest)


def _clamped(value: int, lowest: int, highest: int) -> int:
    return max(lowest, min(highest, value))
