"""The patient list shows where each patient stands, and filters by it, for the roles that read
eligibility reviews; a coordinator's list stays names and dates."""

import pytest

from tests.factories import EligibilityReviewFactory, PatientFactory, TreatmentPlanFactory


@pytest.fixture
def stages(clinic_a):
    waiting = PatientFactory(clinic=clinic_a, family_name="Qwaiting")
    eligible = PatientFactory(clinic=clinic_a, family_name="Qeligible")
    EligibilityReviewFactory(patient=eligible)
    refused = PatientFactory(clinic=clinic_a, family_name="Qrefused")
    EligibilityReviewFactory(
        patient=refused, decision="not_eligible", screen_decision="not_eligible"
    )
    treated = PatientFactory(clinic=clinic_a, family_name="Qtreated")
    TreatmentPlanFactory(patient=treated)
    return {
        "awaiting_review": waiting,
        "eligible": eligible,
        "not_eligible": refused,
        "in_treatment": treated,
    }


def _names(body):
    return {name for name in ("Qwaiting", "Qeligible", "Qrefused", "Qtreated") if name in body}


def test_a_prescriber_sees_each_patients_stage(staff_client, alice, stages):
    body = staff_client(alice).get("/").content.decode()
    for label in ("Awaiting review", "Eligible, no plan yet", "Not eligible", "In treatment"):
        assert label in body
    assert "IV ketamine infusion" in body


@pytest.mark.parametrize(
    ("stage", "name"),
    [
        ("awaiting_review", "Qwaiting"),
        ("eligible", "Qeligible"),
        ("not_eligible", "Qrefused"),
        ("in_treatment", "Qtreated"),
    ],
)
def test_the_list_filters_by_stage(staff_client, nora, stages, stage, name):
    body = staff_client(nora).get("/", {"stage": stage}).content.decode()
    assert _names(body) == {name}
    assert "at this stage" in body


def test_paging_keeps_the_stage(staff_client, alice, clinic_a):
    for n in range(30):
        PatientFactory(clinic=clinic_a, family_name=f"Qwaiting{n:02d}")
    body = staff_client(alice).get("/", {"stage": "awaiting_review"}).content.decode()
    assert "stage=awaiting_review&amp;page=2" in body


def test_a_coordinator_sees_no_stage_and_the_filter_is_ignored(staff_client, cora, stages):
    body = staff_client(cora).get("/", {"stage": "in_treatment"}).content.decode()
    assert "Not eligible" not in body and 'name="stage"' not in body
    assert _names(body) == {"Qwaiting", "Qeligible", "Qrefused", "Qtreated"}


def test_an_unknown_stage_is_a_form_error_not_a_500(staff_client, alice, stages):
    response = staff_client(alice).get("/", {"stage": "cured"})
    assert response.status_code == 400


def test_another_clinics_reviews_never_colour_the_list(staff_client, bob, stages, clinic_b):
    body = staff_client(bob).get("/").content.decode()
    assert _names(body) == set()


def test_a_patient_eligible_for_one_route_stays_eligible_after_another_route_is_refused(
    staff_client, alice, clinic_a
):
    # Eligible for IV ketamine, then (later) not eligible for esketamine: each route's latest
    # review stands, so the patient is still eligible (for IV ketamine), not "Not eligible".
    import datetime as dt

    patient = PatientFactory(clinic=clinic_a, family_name="Qeligible")
    iv = EligibilityReviewFactory(patient=patient, route="iv_ketamine")
    EligibilityReviewFactory(
        patient=patient,
        route="esketamine_nasal",
        decision="not_eligible",
        screen_decision="not_eligible",
        signed_at=iv.signed_at + dt.timedelta(minutes=5),
    )

    eligible = staff_client(alice).get("/", {"stage": "eligible"}).content.decode()
    refused = staff_client(alice).get("/", {"stage": "not_eligible"}).content.decode()

    assert _names(eligible) == {"Qeligible"}
    assert "IV ketamine infusion" in eligible
    assert _names(refused) == set()


def test_a_route_refused_after_it_was_eligible_is_not_eligible(staff_client, alice, clinic_a):
    import datetime as dt

    patient = PatientFactory(clinic=clinic_a, family_name="Qrefused")
    first = EligibilityReviewFactory(patient=patient, route="iv_ketamine")
    EligibilityReviewFactory(
        patient=patient,
        route="iv_ketamine",
        decision="not_eligible",
        screen_decision="not_eligible",
        signed_at=first.signed_at + dt.timedelta(minutes=5),
        supersedes=first,
    )

    refused = staff_client(alice).get("/", {"stage": "not_eligible"}).content.decode()

    assert _names(refused) == {"Qrefused"}
