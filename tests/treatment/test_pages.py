"""The plan pages, the day and the week: who sees what, forms that call the services, and exact
query counts that do not grow with the number of sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from ketacare.clinical.protocols import PROTOCOLS
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import DoseOrder, TreatmentPlan
from tests.factories import (
    DoseOrderFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
)
from tests.treatment.conftest import IV_ORDER, sessions

TODAY = reverse("treatment:today")
CALENDAR = reverse("treatment:calendar")


def plans_url(patient) -> str:
    return reverse("treatment:patient-plans", args=[patient.pk])


def plan_form(monday: dt.date, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "protocol": "iv_induction_3x_weekly",
        "start": monday.isoformat(),
        "clinic_days": ["0", "1", "2", "3", "4"],
        "dose_mg_per_kg": str(IV_ORDER["dose_mg_per_kg"]),
        "duration_min": str(IV_ORDER["duration_min"]),
        "sign": "1",
    }
    data.update(changes)
    return data


# --- the day and the week ---------------------------------------------------------------------


def _sessions_on(clinic, day: dt.date, count: int) -> list:
    made = []
    for _ in range(count):
        plan = TreatmentPlanFactory(patient=PatientFactory(clinic=clinic))
        DoseOrderFactory(plan=plan)
        made.append(TreatmentSessionFactory(plan=plan, date=day, number=1))
    return made


@pytest.mark.parametrize("count", [1, 20])
def test_the_day_page_costs_the_same_queries_for_1_and_20_sessions(
    staff_client, alice, django_assert_num_queries, count
):
    day = dt.date(2026, 12, 14)
    _sessions_on(alice.clinic, day, count)
    client = staff_client(alice)

    # A prescriber's page also reads the plans' orders: one query for every row together.
    with django_assert_num_queries(11 - (connection.vendor == "postgresql")):
        response = client.get(TODAY, {"date": day.isoformat()})

    assert response.status_code == 200
    assert response.content.decode().count('class="tx-name"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_week_page_costs_the_same_queries_for_1_and_20_sessions(
    staff_client, cora, django_assert_num_queries, count
):
    day = dt.date(2026, 12, 16)
    _sessions_on(cora.clinic, day, count)
    client = staff_client(cora)

    with django_assert_num_queries(10 - (connection.vendor == "postgresql")):
        response = client.get(CALENDAR, {"week": day.isoformat()})

    assert response.status_code == 200
    assert response.content.decode().count('class="tx-slot') == count


def test_a_coordinator_sees_names_times_route_and_status_but_no_dose(staff_client, cora):
    day = dt.date(2026, 12, 14)
    (session,) = _sessions_on(cora.clinic, day, 1)

    page = staff_client(cora).get(TODAY, {"date": day.isoformat()}).content.decode()

    assert session.patient.family_name in page
    assert "IV ketamine infusion" in page
    assert "Scheduled" in page
    assert session.dose_text not in page
    assert reverse("treatment:session-move", args=[session.pk]) in page


def test_a_nurse_sees_the_current_order_but_no_move_links(staff_client, nora):
    day = dt.date(2026, 12, 14)
    (session,) = _sessions_on(nora.clinic, day, 1)
    current = DoseOrderFactory(plan=session.plan, number=2, dose_mg_per_kg="0.60")

    page = staff_client(nora).get(TODAY, {"date": day.isoformat()}).content.decode()

    assert current.summary in page
    assert "0.6 mg/kg" in page
    assert reverse("treatment:session-move", args=[session.pk]) not in page


def test_another_clinics_sessions_never_show(staff_client, bob, alice):
    day = dt.date(2026, 12, 14)
    (session,) = _sessions_on(alice.clinic, day, 1)

    page = staff_client(bob).get(TODAY, {"date": day.isoformat()}).content.decode()

    assert session.patient.family_name not in page


def test_the_day_read_is_audited_with_the_patients_shown(staff_client, alice):
    day = dt.date(2026, 12, 14)
    shown = _sessions_on(alice.clinic, day, 2)

    staff_client(alice).get(TODAY, {"date": day.isoformat()})

    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).last()
    ids = ",".join(str(pk) for pk in sorted(s.patient_id for s in shown))
    assert event.detail == f"schedule from={day} to={day} shown=2 ids={ids}"


def test_a_malformed_day_is_a_form_error_not_a_500(staff_client, alice):
    response = staff_client(alice).get(TODAY, {"date": "2026-13-45"})

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


def test_the_week_starts_on_monday_and_lists_seven_days(staff_client, alice):
    page = staff_client(alice).get(CALENDAR, {"week": "2026-12-17"}).content.decode()

    assert 'Week of <time datetime="2026-12-14">' in page
    assert page.count('class="tx-day') == 7


def test_the_nav_links_today_and_calendar_for_schedule_roles(staff_client, cora):
    page = staff_client(cora).get(TODAY).content.decode()

    assert f'href="{TODAY}"' in page
    assert f'href="{CALENDAR}"' in page


# --- the patient's plans and a new plan -----------------------------------------------------------


def test_without_an_eligible_review_the_page_links_to_the_eligibility_review(
    staff_client, alice, patient_a
):
    page = staff_client(alice).get(plans_url(patient_a)).content.decode()

    assert "no signed review yet" in page
    assert f"/patients/{patient_a.pk}/eligibility/?route=iv_ketamine" in page
    assert 'name="sign"' not in page


def test_a_prescriber_previews_then_signs_a_plan(
    staff_client, alice, patient_a, eligible_iv, monday
):
    client = staff_client(alice)

    preview = client.post(plans_url(patient_a), plan_form(monday, sign="", preview="1"))
    assert preview.status_code == 200
    assert "Preview: 6 sessions" in preview.content.decode()
    assert not TreatmentPlan.objects.exists()

    response = client.post(plans_url(patient_a), plan_form(monday))

    plan = TreatmentPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:plan", args=[plan.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Plan signed." in page
    assert page.count('class="tx-name"') == 6


def test_the_protocol_choice_shows_only_the_clinics_eligible_routes_with_summaries(
    staff_client, alice, patient_a, eligible_iv
):
    page = staff_client(alice).get(plans_url(patient_a)).content.decode()

    assert PROTOCOLS["iv_induction_3x_weekly"].title in page
    assert PROTOCOLS["esketamine_trd_label"].title not in page
    assert PROTOCOLS["iv_induction_3x_weekly"].spacing.rule in page


def test_an_order_outside_the_limits_is_a_form_error_and_nothing_is_saved(
    staff_client, alice, patient_a, eligible_iv, monday
):
    response = staff_client(alice).post(
        plans_url(patient_a), plan_form(monday, dose_mg_per_kg="0.05")
    )

    assert response.status_code == 400
    assert "DOSE-IV-MGKG" in response.content.decode()
    assert "Dose (mg/kg) must be from" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_the_plan_page_shows_the_orders_warning(
    staff_client, alice, patient_a, eligible_iv, monday
):
    warn_above = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "warn_above_mg_per_kg")
    over = str(round(warn_above + 0.05, 2))
    client = staff_client(alice)

    response = client.post(plans_url(patient_a), plan_form(monday, dose_mg_per_kg=over))
    page = client.get(response["Location"]).content.decode()

    assert "tx-alert-warning" in page
    assert "DOSE-IV-MGKG" in page


def test_a_coordinator_may_not_open_plans(staff_client, cora, patient_a):
    assert staff_client(cora).get(plans_url(patient_a)).status_code == 403


def test_another_clinic_gets_404_on_the_plans_page(staff_client, bob, patient_a):
    assert staff_client(bob).get(plans_url(patient_a)).status_code == 404


def test_a_nurse_sees_plans_but_no_form_and_cannot_post(
    staff_client, nora, patient_a, eligible_iv, monday
):
    client = staff_client(nora)

    page = client.get(plans_url(patient_a)).content.decode()
    posted = client.post(plans_url(patient_a), plan_form(monday))

    assert 'name="sign"' not in page
    assert posted.status_code == 403
    assert not TreatmentPlan.objects.exists()


# --- a new order, moving and cancelling from the pages --------------------------------------------


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def test_a_new_order_is_signed_from_the_plan_page(staff_client, alice, plan):
    url = reverse("treatment:plan", args=[plan.pk])
    data = {**{k: str(v) for k, v in IV_ORDER.items()}, "reason": "Dose review", "version": "1"}

    response = staff_client(alice).post(url, data)

    assert response.status_code == 302
    assert DoseOrder.objects.filter(plan=plan).count() == 2


def test_a_refused_move_shows_the_rule_and_changes_nothing(staff_client, cora, plan):
    _, second, third, *_ = sessions(plan)
    url = reverse("treatment:session-move", args=[third.pk])
    data = {"date": (second.date + dt.timedelta(days=1)).isoformat(), "reason": "x", "version": "1"}

    response = staff_client(cora).post(url, data)

    assert response.status_code == 409
    assert PROTOCOLS["iv_induction_3x_weekly"].spacing.rule in response.content.decode()
    third.refresh_from_db()
    assert third.version == 1


def test_a_later_move_from_the_page_goes_back_with_its_warning(staff_client, cora, plan):
    *_, fifth, sixth = sessions(plan)
    back = reverse("treatment:today")
    data = {
        "date": (fifth.date + dt.timedelta(days=6)).isoformat(),
        "reason": "Travelling",
        "version": "1",
        "next": back,
    }
    client = staff_client(cora)

    response = client.post(reverse("treatment:session-move", args=[sixth.pk]), data)

    assert (response.status_code, response["Location"]) == (302, back)
    page = client.get(back).content.decode()
    assert "no longer met" in page


def test_a_move_never_redirects_off_site(staff_client, cora, plan):
    *_, sixth = sessions(plan)
    data = {
        "date": sixth.date.isoformat(),
        "reason": "x",
        "version": "1",
        "next": "https://evil.example/",
    }

    response = staff_client(cora).post(reverse("treatment:session-move", args=[sixth.pk]), data)

    assert response["Location"] == reverse("treatment:patient-sessions", args=[plan.patient_id])


def test_a_cancel_without_a_reason_is_a_form_error(staff_client, cora, plan):
    first = sessions(plan)[0]

    response = staff_client(cora).post(
        reverse("treatment:session-cancel", args=[first.pk]), {"reason": "", "version": "1"}
    )

    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_a_nurse_cannot_open_the_move_page(staff_client, nora, plan):
    first = sessions(plan)[0]

    response = staff_client(nora).get(reverse("treatment:session-move", args=[first.pk]))

    assert response.status_code == 403


def test_another_clinic_gets_404_on_the_move_page(staff_client, bob, plan):
    first = sessions(plan)[0]

    assert (
        staff_client(bob).get(reverse("treatment:session-move", args=[first.pk])).status_code == 404
    )


def test_the_patients_upcoming_sessions_page_lists_the_plan(staff_client, cora, plan):
    page = (
        staff_client(cora)
        .get(reverse("treatment:patient-sessions", args=[plan.patient_id]))
        .content.decode()
    )

    assert page.count('class="tx-name"') == 6
    assert sessions(plan)[0].dose_text not in page
