"""Timepoints laid out from a plan, and answers tied to them (a late answer to its timepoint)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.outcomes.models import Timepoint
from ketacare.outcomes.services_schedule import sync_timepoints
from ketacare.outcomes.timepoints import timepoint_answer
from tests.outcomes.conftest import PHQ9_CALM

pytestmark = pytest.mark.django_db


def test_a_new_plan_gets_its_timepoints(plan):
    rows = Timepoint.objects.filter(plan=plan)
    kinds = set(rows.values_list("kind", flat=True))
    assert kinds == {"baseline", "before_session", "end_of_induction", "weekly", "monthly"}
    assert rows.filter(instrument="madrs", audience="clinician").exists()
    assert sync_timepoints(plan) == (0, 0)


def _due(plan, kind, instrument="phq9", sequence=0):
    return Timepoint.objects.get(plan=plan, kind=kind, instrument=instrument, sequence=sequence)


def test_the_schedule_follows_the_plans_sessions(plan):
    sessions = list(plan.sessions.order_by("number"))
    assert _due(plan, "baseline").due_on == sessions[0].date
    assert _due(plan, "before_session", sequence=2).due_on == sessions[1].date
    assert _due(plan, "end_of_induction").due_on == sessions[-1].date + dt.timedelta(days=1)
    assert _due(plan, "weekly", sequence=1).due_on == sessions[-1].date + dt.timedelta(days=7)
    assert _due(plan, "before_session", instrument="madrs", sequence=3).audience == "clinician"


def test_a_late_answer_belongs_to_its_timepoint_and_one_between_none_to_any(plan, staff_scale):
    end = _due(plan, "end_of_induction")
    week1 = _due(plan, "weekly", sequence=1)
    # Answered after the end-of-induction date, before week 1 is due: the late answer.
    days_ago = (timezone.localdate() - end.due_on).days - 2
    late = staff_scale(plan.patient, "phq9", PHQ9_CALM, days_ago=days_ago)
    end.refresh_from_db()
    assert end.assessment_id == late.pk
    assert timepoint_answer(plan.patient, "phq9", "end_of_induction") == late
    # The next answer of the same window goes to the coming timepoint (week 1), early.
    early = staff_scale(plan.patient, "phq9", PHQ9_CALM, days_ago=days_ago - 1)
    week1.refresh_from_db()
    assert week1.assessment_id == early.pk
    # A GAD-7 is not a PHQ-9: it takes a GAD-7 timepoint, never the PHQ-9 ones.
    other = staff_scale(plan.patient, "gad7", [1] * 7, days_ago=days_ago)
    assert Timepoint.objects.get(assessment=other).instrument == "gad7"


def test_an_answer_fitting_no_window_stays_unassigned(course, staff_scale):
    plan = course(days_ago=3)
    # Two months before the course: no timepoint's window reaches back so far.
    stray = staff_scale(plan.patient, "phq9", PHQ9_CALM, days_ago=70)
    assert not Timepoint.objects.filter(assessment=stray).exists()
    assert timepoint_answer(plan.patient, "phq9", "baseline") is None


def test_a_moved_session_moves_its_open_timepoint(plan, alice):
    from ketacare.treatment.services import reschedule_session

    last = plan.sessions.order_by("-number").first()
    assert last is not None
    new_day = timezone.localdate() + dt.timedelta(days=3)
    reschedule_session(
        session=last, date=new_day, reason="Patient away", version=last.version, by=alice
    )
    assert _due(plan, "end_of_induction").due_on == new_day + dt.timedelta(days=1)
    assert _due(plan, "before_session", sequence=last.number).due_on == new_day


def test_cancelling_the_first_session_keeps_a_live_baseline_at_the_next(plan, alice):
    from ketacare.outcomes.timepoints import live
    from ketacare.treatment.services import cancel_session

    first, second = plan.sessions.order_by("number")[:2]
    cancel_session(session=first, reason="Patient unwell", version=first.version, by=alice)

    baselines = live(Timepoint.objects.filter(plan=plan, kind="baseline"))
    assert baselines.exists()
    assert {(t.session_id, t.due_on) for t in baselines} == {(second.pk, second.date)}


def test_the_clinician_worklist_holds_what_is_due_and_still_answerable(plan, staff_scale):
    from ketacare.outcomes.timepoints import open_timepoints

    due = list(open_timepoints(plan.clinic_id, audience="clinician"))
    assert due and {row.instrument for row in due} == {"madrs"}
    # Only the latest passed timepoint is still open; the earlier ones were missed.
    assert len(due) == 1
    assert due[0].due_on <= timezone.localdate()
    madrs = staff_scale(plan.patient, "madrs", [2] * 10, days_ago=0)
    assert Timepoint.objects.get(assessment=madrs).pk == due[0].pk
    assert not open_timepoints(plan.clinic_id, audience="clinician").exists()


def test_the_worklist_page_links_to_the_scale_entry(plan, alice, staff_client):
    page = staff_client(alice).get("/outcomes/worklist/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/patients/{plan.patient_id}/scales/new/?instrument=madrs" in text
    assert "Your plan" in text


def test_the_schedule_page_saves_checked_settings(adam, alice, staff_client, course):
    from ketacare.outcomes.models import MeasurementSchedule

    client = staff_client(adam)
    assert client.get("/outcomes/schedule/").status_code == 200
    bad = client.post(
        "/outcomes/schedule/",
        {"patient_instruments": ["phq9"], "weekly_for_weeks": 200, "monthly_until_months": 12},
    )
    assert bad.status_code == 400 and not MeasurementSchedule.objects.exists()
    good = client.post(
        "/outcomes/schedule/",
        {
            "patient_instruments": ["phq9"],
            "clinician_instruments": [],
            "weekly_for_weeks": 2,
            "monthly_until_months": 3,
        },
    )
    assert good.status_code == 302
    saved = MeasurementSchedule.objects.get(clinic=adam.clinic)
    assert (saved.patient_instruments, saved.weekly_for_weeks) == (["phq9"], 2)
    plan = course(days_ago=1)
    assert set(Timepoint.objects.filter(plan=plan).values_list("instrument", flat=True)) == {"phq9"}
    # A stale version (someone saved since the page was read) is refused.
    stale = client.post(
        "/outcomes/schedule/",
        {"patient_instruments": ["gad7"], "weekly_for_weeks": 2, "monthly_until_months": 3},
    )
    assert stale.status_code == 400
    assert staff_client(alice).get("/outcomes/schedule/").status_code == 403
