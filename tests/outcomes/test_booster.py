"""A booster session of the active plan (treatment.boosters), judged by the core as a move is;
and the page the early warning links to, which records the booster on the alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.models import OutcomeAlert
from ketacare.treatment.boosters import add_booster_session
from ketacare.treatment.errors import TreatmentConflict
from ketacare.treatment.models import TreatmentSession
from ketacare.treatment.services import end_plan

pytestmark = pytest.mark.django_db
SPACING = "PROT-IV-INDUCTION-3X-WEEKLY-SPACING"


def _last(plan) -> TreatmentSession:
    return TreatmentSession.objects.filter(plan=plan).order_by("-number").first()


def _count(plan) -> int:
    return TreatmentSession.objects.filter(plan=plan).count()


def test_a_booster_after_the_course_is_the_next_session_of_the_plan(plan, alice):
    today = timezone.localdate()
    booked = add_booster_session(plan=plan, date=today, reason="Early warning", by=alice)
    session = booked.session
    assert (session.number, session.date, session.status) == (7, today, "scheduled")
    assert session.phase == "induction"  # the protocol's last step takes every later number
    assert session.dose_text == "0.5 mg/kg over 40 min"
    assert session.change_reason == "Booster: Early warning"
    # Weeks after the course: longer than the 3/week frequency, allowed with its warning.
    assert any(w.startswith("iv_induction_3x_weekly:") for w in booked.warnings)
    assert AuditEvent.objects.filter(
        object_type="treatment_session", object_id=str(session.pk), detail__startswith="booster"
    ).exists()


def test_too_close_to_the_last_session_is_refused_by_the_spacing_rule(course, alice):
    plan = course(days_ago=0)
    last, before = _last(plan), _count(plan)
    with pytest.raises(TreatmentConflict) as refused:
        add_booster_session(
            plan=plan, date=last.date + dt.timedelta(days=1), reason="Worse", by=alice
        )
    assert refused.value.reasons and refused.value.reasons[0].startswith(SPACING)
    assert _count(plan) == before
    booked = add_booster_session(
        plan=plan, date=last.date + dt.timedelta(days=2), reason="Worse", by=alice
    )
    assert booked.warnings == []


def test_a_date_on_or_before_the_last_session_is_refused(course, alice):
    plan = course(days_ago=0)
    last = _last(plan)
    with pytest.raises(TreatmentConflict, match=f"Session {last.number} of this plan"):
        add_booster_session(plan=plan, date=last.date, reason="Worse", by=alice)


@pytest.mark.parametrize(
    ("date", "reason", "field"),
    [
        (dt.date(2020, 1, 1), "Worse", "date"),
        ("2030-01-01", "Worse", "date"),
        (None, "", "reason"),
        (None, "x" * 301, "reason"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(plan, alice, date, reason, field):
    before = _count(plan)
    with pytest.raises(ValidationError) as error:
        add_booster_session(plan=plan, date=date or timezone.localdate(), reason=reason, by=alice)
    assert field in error.value.message_dict
    assert _count(plan) == before


def test_only_a_prescriber_books_a_booster(plan, nora, cora):
    for person in (nora, cora):
        with pytest.raises(PermissionDenied):
            add_booster_session(plan=plan, date=timezone.localdate(), reason="x", by=person)


def test_an_ended_plan_takes_no_booster(plan, alice):
    ended = end_plan(plan=plan, reason="Course over", version=plan.version, by=alice)
    with pytest.raises(TreatmentConflict, match="ended"):
        add_booster_session(plan=ended, date=timezone.localdate(), reason="x", by=alice)


# --- the page from an early warning -----------------------------------------------------------


def _warning(patient) -> OutcomeAlert:
    from tests.factories import AssessmentFactory

    return OutcomeAlert.objects.create(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        kind="early_warning",
        rule_id="OUT-EARLY-WARNING",
        message="PHQ-9: consider booster/maintenance.",
        assessment=AssessmentFactory(patient=patient),
        raised_at=timezone.now(),
    )


def test_the_page_books_the_booster_and_the_alert_keeps_it(staff_client, alice, plan):
    alert = _warning(plan.patient)
    client = staff_client(alice)
    url = f"/patients/{plan.patient_id}/booster/"
    page = client.get(url, {"alert": alert.pk})
    assert page.status_code == 200 and "Book the booster" in page.content.decode()
    form = {"date": timezone.localdate().isoformat(), "reason": "Early warning", "alert": alert.pk}
    response = client.post(url, form)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    alert.refresh_from_db()
    assert alert.booster_session == _last(plan)
    # Twice from one alert: refused, nothing more booked.
    again = client.post(url, {**form, "date": (timezone.localdate() + dt.timedelta(days=3))})
    assert again.status_code == 409
    assert _count(plan) == 7


def test_the_page_refuses_other_roles_clinics_and_alerts(staff_client, nora, bob, alice, plan):
    url = f"/patients/{plan.patient_id}/booster/"
    assert staff_client(nora).get(url).status_code == 403
    assert staff_client(bob).get(url).status_code == 404
    from tests.factories import PatientFactory

    stranger = _warning(PatientFactory(clinic=plan.clinic))
    assert staff_client(alice).get(url, {"alert": stranger.pk}).status_code == 404


def test_the_page_shows_form_errors_and_stores_nothing(staff_client, alice, plan):
    url = f"/patients/{plan.patient_id}/booster/"
    response = staff_client(alice).post(url, {"date": "2020-01-01", "reason": "x"})
    assert response.status_code == 400
    assert "today" in response.content.decode()
    assert _count(plan) == 6


def test_the_alert_list_links_an_early_warning_to_the_booster_page(staff_client, alice, nora, plan):
    alert = _warning(plan.patient)
    link = f"/patients/{plan.patient_id}/booster/?alert={alert.pk}"
    assert link in staff_client(alice).get("/outcomes/alerts/").content.decode()
    # A nurse acknowledges alerts but books no booster: no link.
    assert link not in staff_client(nora).get("/outcomes/alerts/").content.decode()
