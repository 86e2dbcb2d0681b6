"""`ketacare demo` shows the day at the chair: past sessions charted, four chairs in use now.

The demo runs once per class, on a Wednesday at 11:00 (time-machine, the clock held still so the
minutes on the board are exact); the board is read
through its own read helper and through `GET /api/v1/board`, as a nurse sees it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from ketacare.accounts.services import create_api_token
from ketacare.audit.models import AuditEvent
from ketacare.chair.board import read_board
from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SessionAlert,
    SideEffect,
)
from ketacare.chair.queries import DISCHARGE, DOSE, PRE_DOSE, READING
from ketacare.chair.state import judge, load_chair
from ketacare.clinics.demo import DEMO_CLINICS
from ketacare.clinics.models import Clinic, Membership
from ketacare.demo.outcomes import DEMO_LINK_OBJECT_TYPES
from ketacare.treatment.models import SessionStatus, TreatmentSession

MORNING = dt.datetime(2026, 11, 11, 11, 0, tzinfo=dt.UTC)  # a Wednesday
NEXT_MORNING = dt.datetime(2026, 11, 12, 10, 30, tzinfo=dt.UTC)
CHAIR_MODELS = (PreDose, DoseGiven, Reading, SessionAlert, SideEffect, Discharge, RemsForm)


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--force", stdout=out)
    return out.getvalue()


@time_machine.travel(MORNING, tick=False)
class DemoDayTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        run_demo()
        cls.maple = Clinic.objects.get(name=DEMO_CLINICS[0].name)
        cls.nurse = Membership.objects.get(clinic=cls.maple, user__username="demo-nurse")

    def board(self) -> dict[str, object]:
        rows, _count = read_board(self.nurse)
        return {row.chair: row for row in rows}

    def test_four_chairs_are_in_use_each_its_own(self) -> None:
        board = self.board()

        assert sorted(board) == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
        assert {row.session.date for row in board.values()} == {timezone.localdate()}
        assert len({row.patient_id for row in board.values()}) == 4

    def test_esketamine_at_45_minutes_has_a_hypertensive_reading_and_open_critical_alert(
        self,
    ) -> None:
        row = self.board()["Chair 1"]

        assert row.route == "esketamine_nasal" and row.status == SessionStatus.DOSED
        assert row.minutes_since_dose == 45
        assert row.last_reading.systolic >= 180
        assert row.open_critical_alerts >= 1
        rules = set(
            SessionAlert.objects.filter(
                session=row.session, acknowledged_at__isnull=True
            ).values_list("rule", flat=True)
        )
        assert "MON-BP-SEVERE" in rules

    def test_an_iv_infusion_at_20_odd_minutes_is_the_one_reading_overdue(self) -> None:
        board = self.board()
        row = board["Chair 2"]

        assert row.route == "iv_ketamine" and row.status == SessionStatus.DOSED
        assert row.minutes_since_dose == 23
        assert row.overdue
        assert [chair for chair, r in board.items() if r.overdue] == ["Chair 2"]
        dose = DoseGiven.objects.get(session=row.session)
        assert dose.witness_id is not None and dose.witness_confirmed_at is not None

    def test_a_patient_checked_in_waits_for_the_dose(self) -> None:
        row = self.board()["Chair 3"]

        assert row.status == SessionStatus.IN_CHAIR
        assert row.dosing == "go" and row.dose_at is None

    def test_an_esketamine_patient_at_two_hours_ten_is_ready_for_discharge(self) -> None:
        row = self.board()["Chair 4"]

        assert row.route == "esketamine_nasal"
        assert row.minutes_since_dose == 130
        assert row.discharge_ready is True
        assert row.open_alerts == 0 and not row.overdue

    def test_the_board_api_shows_the_same_chairs_to_a_nurse(self) -> None:
        token = create_api_token(user=self.nurse.user, name="t").value

        response = self.client.get("/api/v1/board", headers={"Authorization": f"Bearer {token}"})

        assert response.status_code == 200
        items = response.json()["items"]
        assert len(items) == 4
        assert sum(1 for item in items if item["overdue"]) == 1
        assert max(item["open_alerts"] for item in items) >= 1

    def test_every_past_session_was_charted_to_a_discharge_the_rules_allowed(self) -> None:
        past = TreatmentSession.objects.filter(
            clinic=self.maple, date__lt=timezone.localdate(), status=SessionStatus.DISCHARGED
        )

        assert past.count() >= 20
        for session in past:
            chair = load_chair(session.pk, session.clinic_id)
            assert chair.pre_dose and chair.dose and chair.readings and chair.discharge
            assert not chair.open_alerts
            assert judge(chair, now=chair.discharge.at).discharge.ready
            assert (chair.rems_form is not None) == (chair.route == "esketamine_nasal")

    def test_some_past_sessions_had_side_effects_and_alerts(self) -> None:
        assert SideEffect.objects.filter(clinic=self.maple).exists()
        rules = set(SessionAlert.objects.filter(clinic=self.maple).values_list("rule", flat=True))
        assert "MON-DISSOCIATION" in rules
        assert any(rule.startswith("MON-BP") for rule in rules)

    def test_rems_forms_are_mostly_submitted_one_overdue_and_one_due_soon(self) -> None:
        today = timezone.localdate()
        forms = RemsForm.objects.filter(clinic=self.maple)

        assert forms.filter(submitted_at__isnull=False).count() >= 5
        assert forms.filter(submitted_at__isnull=True, due_on__lt=today).count() == 1
        assert forms.filter(submitted_at__isnull=True, due_on__gte=today).exists()

    def test_the_chairs_were_charted_by_the_demo_staff_on_the_command_line(self) -> None:
        events = AuditEvent.objects.filter(
            clinic_id=self.maple.pk, object_type__in=(PRE_DOSE, DOSE, READING, DISCHARGE)
        )
        assert events.filter(object_type=READING).count() >= 100
        assert set(events.values_list("channel", flat=True)) == {"cli"}
        assert set(events.values_list("actor_username", flat=True)) <= {
            "demo-nurse",
            "demo-prescriber",
            "demo-coordinator",
        }

    def test_a_second_run_the_same_day_changes_nothing(self) -> None:
        # But the questionnaire link it e-mails afresh each run (ketacare.demo.outcomes).
        events = AuditEvent.objects.exclude(object_type__in=DEMO_LINK_OBJECT_TYPES)
        counts = [m.objects.count() for m in (*CHAIR_MODELS, TreatmentSession)] + [events.count()]
        statuses = list(TreatmentSession.objects.order_by("pk").values_list("status", "date"))

        output = run_demo()

        assert "nothing changed" in output
        assert counts == [m.objects.count() for m in (*CHAIR_MODELS, TreatmentSession)] + [
            events.count()
        ]
        assert statuses == list(
            TreatmentSession.objects.order_by("pk").values_list("status", "date")
        )

    def test_the_next_day_yesterdays_chairs_are_discharged_and_four_new_ones_filled(self) -> None:
        yesterday = timezone.localdate()

        with time_machine.travel(NEXT_MORNING, tick=False):
            run_demo()
            today = timezone.localdate()
            sessions = TreatmentSession.objects.filter(clinic=self.maple)

            assert not sessions.filter(date=yesterday, status__in=("in_chair", "dosed")).exists()
            assert sessions.filter(date=yesterday, status="discharged").count() >= 3
            assert sessions.filter(date=today, status__in=("in_chair", "dosed")).count() == 4


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_sessions_an_earlier_demo_marked_discharged_are_charted_for_real(monkeypatch):
    # Given a demo loaded before sessions had a chair-side record: its past sessions were
    # only marked discharged.
    monkeypatch.setattr("ketacare.demo.stages.load_chair_day", lambda *args, **kwargs: {})
    run_demo()
    monkeypatch.undo()
    today = timezone.localdate()
    past = TreatmentSession.objects.filter(date__lt=today).exclude(status="cancelled")
    marked = past.update(status=SessionStatus.DISCHARGED)

    # When the demo runs again,
    run_demo()

    # then each of them has its chair-side record, charted to a real discharge.
    assert marked >= 20
    assert Discharge.objects.filter(session__in=past).count() == marked
    assert AuditEvent.objects.filter(detail=f"demo sessions reopened to chart count={marked}")
