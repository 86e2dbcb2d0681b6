"""POST /api/v1/patients/{id}/plans (contracts.md 2.2): who may, over which review, which orders."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.clinical.protocols import generate_schedule
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession
from ketacare.treatment.services import end_plan
from tests.treatment.conftest import ESK_ORDER, IV_ORDER, PLANS


def body(monday: dt.date, **changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "protocol": "iv_induction_3x_weekly",
        "start": monday.isoformat(),
        "order": dict(IV_ORDER),
    }
    document.update(changes)
    return document


def nothing_stored() -> bool:
    return not (
        TreatmentPlan.objects.exists()
        or DoseOrder.objects.exists()
        or TreatmentSession.objects.exists()
    )


def loc(response: object) -> list[object]:
    (error,) = response.json()["detail"]  # type: ignore[attr-defined]
    return error["loc"]


def test_a_prescriber_creates_a_plan_with_its_schedule_and_signed_order(
    api, alice, patient_a, eligible_iv, monday
):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 201
    plan = response.json()
    expected = generate_schedule("iv_induction_3x_weekly", start=monday, clinic_days=range(5))
    assert plan["protocol"] == "iv_induction_3x_weekly"
    assert plan["route"] == "iv_ketamine"
    assert plan["clinic_days"] == [0, 1, 2, 3, 4]
    assert plan["review_id"] == eligible_iv.pk
    assert [(s["number"], s["date"], s["phase"], s["status"]) for s in plan["sessions"]] == [
        (s.number, s.date.isoformat(), s.phase, "scheduled") for s in expected.sessions
    ]
    assert all(isinstance(s["id"], int) for s in plan["sessions"])
    order = plan["order"]
    assert order["dose_mg_per_kg"] == IV_ORDER["dose_mg_per_kg"]
    assert order["duration_min"] == IV_ORDER["duration_min"]
    assert order["dose_mg"] is None
    assert order["signed_by"] == "alice"
    assert order["number"] == 1
    assert order["alerts"] == []


def test_the_plan_creation_is_audited_with_ids_and_codes_only(
    api, alice, patient_a, eligible_iv, monday
):
    plan_id = api(alice, "post", PLANS.format(patient_a.pk), body(monday)).json()["id"]

    event = AuditEvent.objects.filter(object_type="treatment_plan", action="create").get()
    assert event.object_id == str(plan_id)
    assert event.patient_id == patient_a.pk
    assert event.actor_username == "alice"
    assert event.detail.startswith("protocol=iv_induction_3x_weekly ")


def test_clinic_days_are_kept_and_every_session_falls_on_one(
    api, alice, patient_a, eligible_iv, monday
):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, clinic_days=[1, 3]))

    assert response.status_code == 201
    dates = [dt.date.fromisoformat(s["date"]) for s in response.json()["sessions"]]
    assert {d.weekday() for d in dates} <= {1, 3}


@pytest.mark.parametrize("person", ["nora", "cora", "audrey", "adam"])
def test_only_prescribers_create_plans(api, request, person, patient_a, eligible_iv, monday):
    member = request.getfixturevalue(person)

    response = api(member, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow sign_plan."}
    assert nothing_stored()
    denied = AuditEvent.objects.filter(allowed=False, object_type="treatment_plan").get()
    assert denied.detail == "role_lacks:sign_plan"


def test_another_clinics_admin_gets_404(api, bob, patient_a, eligible_iv, monday):
    response = api(bob, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 404
    assert nothing_stored()
    assert AuditEvent.objects.filter(allowed=False, patient_id=patient_a.pk).exists()


def test_an_unknown_patient_is_a_404(api, alice, monday):
    response = api(alice, "post", PLANS.format(999_999), body(monday))

    assert response.status_code == 404


def test_without_a_signed_review_the_plan_is_refused(api, alice, patient_a, monday):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 409
    assert "No signed eligibility review for iv_ketamine" in response.json()["detail"]
    assert nothing_stored()


def test_a_not_eligible_review_refuses_the_plan(api, alice, patient_a, review_for, monday):
    review_for(patient_a, "iv_ketamine", "not_eligible")

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 409
    assert "not_eligible" in response.json()["detail"]
    assert nothing_stored()


def test_the_latest_review_decides_even_over_an_earlier_eligible_one(
    api, alice, patient_a, review_for, monday
):
    review_for(patient_a, "iv_ketamine", "eligible")
    review_for(patient_a, "iv_ketamine", "not_eligible")

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 409


def test_a_review_for_another_route_does_not_count(
    api, alice, patient_a, eligible_esketamine, monday
):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday))

    assert response.status_code == 409


def test_a_dose_per_kg_below_the_reference_limit_is_a_422_naming_the_order_field(
    api, alice, patient_a, eligible_iv, monday
):
    order = {**IV_ORDER, "dose_mg_per_kg": 0.05}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "dose_mg_per_kg"]
    assert "DOSE-IV-MGKG" in response.json()["detail"][0]["msg"]
    assert nothing_stored()


def test_a_dose_per_kg_above_the_warning_dose_is_signed_with_its_warning(
    api, alice, patient_a, eligible_iv, monday
):
    warn_above = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "warn_above_mg_per_kg")
    order = {**IV_ORDER, "dose_mg_per_kg": round(warn_above + 0.05, 2)}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 201
    (alert,) = response.json()["order"]["alerts"]
    assert (alert["rule"], alert["level"]) == ("DOSE-IV-MGKG", "warning")


def test_an_infusion_shorter_than_the_minimum_is_a_422(api, alice, patient_a, eligible_iv, monday):
    minimum = DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "minimum_min")
    order = {**IV_ORDER, "duration_min": minimum - 1}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "duration_min"]


def test_an_iv_order_without_a_duration_is_a_422(api, alice, patient_a, eligible_iv, monday):
    order = {"dose_mg_per_kg": IV_ORDER["dose_mg_per_kg"]}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "duration_min"]


def test_an_iv_order_with_a_dose_in_mg_is_a_422(api, alice, patient_a, eligible_iv, monday):
    order = {**IV_ORDER, "dose_mg": 35}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "dose_mg"]


def test_an_unknown_order_key_is_a_422(api, alice, patient_a, eligible_iv, monday):
    order = {**IV_ORDER, "dose_mg_per_lb": 1}

    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, order=order))

    assert response.status_code == 422
    assert loc(response)[-1] == "dose_mg_per_lb"


def test_esketamine_70_mg_is_a_422_naming_order_dose_mg(
    api, alice, patient_a, eligible_esketamine, monday
):
    document = body(monday, protocol="esketamine_trd_label", order={"dose_mg": 70})

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "dose_mg"]
    assert "DOSE-ESK-ALLOWED" in response.json()["detail"][0]["msg"]
    assert nothing_stored()


def test_a_first_trd_dose_above_the_label_first_dose_is_a_422(
    api, alice, patient_a, eligible_esketamine, monday
):
    highest = DEFAULT_SETTINGS.value("DOSE-ESK-ALLOWED", "maximum_mg")
    document = body(monday, protocol="esketamine_trd_label", order={"dose_mg": highest})

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    assert response.status_code == 422
    assert loc(response)[-2:] == ["order", "dose_mg"]
    assert "DOSE-ESK-FIRST-TRD" in response.json()["detail"][0]["msg"]


def test_an_esketamine_plan_at_the_label_first_dose_is_created(
    api, alice, patient_a, eligible_esketamine, monday
):
    document = body(monday, protocol="esketamine_trd_label", order=ESK_ORDER)

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    assert response.status_code == 201
    plan = response.json()
    assert plan["route"] == "esketamine_nasal"
    assert plan["order"]["dose_mg"] == ESK_ORDER["dose_mg"]
    assert [s["phase"] for s in plan["sessions"]][:1] == ["induction"]


def test_an_older_patients_esketamine_order_carries_the_label_notes(
    api, alice, patient_a, eligible_esketamine, monday
):
    age = DEFAULT_SETTINGS.value("DOSE-ESK-ELDERLY-EU", "age_at_least_years")
    patient_a.date_of_birth = dt.date(monday.year - int(age) - 1, 1, 1)
    patient_a.save()
    document = body(monday, protocol="esketamine_trd_label", order=ESK_ORDER)

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    rules = {alert["rule"] for alert in response.json()["order"]["alerts"]}
    assert "DOSE-ESK-ELDERLY-EU" in rules


def test_an_unknown_protocol_is_a_422_naming_protocol(api, alice, patient_a, eligible_iv, monday):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, protocol="iv_daily"))

    assert response.status_code == 422
    assert loc(response)[-1] == "protocol"
    assert nothing_stored()


def test_a_route_the_clinic_does_not_offer_is_a_422_naming_protocol(
    api, alice, patient_a, review_for, monday
):
    review_for(patient_a, "oral_ketamine")
    document = body(monday, protocol="oral_titration_example", order={"dose_mg": 50})

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    assert response.status_code == 422
    assert loc(response)[-1] == "protocol"


def test_a_start_in_the_past_is_a_422_naming_start(api, alice, patient_a, eligible_iv, monday):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, start="2020-01-06"))

    assert response.status_code == 422
    assert loc(response)[-1] == "start"


@pytest.mark.parametrize(("clinic_days", "field"), [([], "clinic_days"), ([0, 0], "1"), ([7], "0")])
def test_bad_clinic_days_are_a_422_naming_the_item(
    api, alice, patient_a, eligible_iv, monday, clinic_days, field
):
    response = api(alice, "post", PLANS.format(patient_a.pk), body(monday, clinic_days=clinic_days))

    assert response.status_code == 422
    assert str(loc(response)[-1]) == field


def test_a_new_esketamine_plan_that_would_crowd_the_ended_plans_given_doses_is_refused(
    api, alice, patient_a, eligible_esketamine, monday
):
    # Given an esketamine plan whose first two sessions were given, then ended.
    document = body(monday, protocol="esketamine_trd_label", order=ESK_ORDER)
    first = TreatmentPlan.objects.get(
        pk=api(alice, "post", PLANS.format(patient_a.pk), document).json()["id"]
    )
    given = list(TreatmentSession.objects.filter(plan=first).order_by("number")[:2])
    TreatmentSession.objects.filter(pk__in=[s.pk for s in given]).update(status="discharged")
    end_plan(plan=first, reason="Course stopped", version=first.version, by=alice)
    # When a new plan would give a third dose in the same 7 days.
    shifted = body(
        given[1].date + dt.timedelta(days=1), protocol="esketamine_trd_label", order=ESK_ORDER
    )

    response = api(alice, "post", PLANS.format(patient_a.pk), shifted)

    assert response.status_code == 409
    assert response.json()["reasons"][0].startswith("DOSE-ESK-MAX-FREQUENCY: ")
    assert TreatmentPlan.objects.count() == 1
