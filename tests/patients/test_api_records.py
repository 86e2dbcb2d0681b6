"""The chart's records through the API (contracts.md 2.1): weights, vitals, conditions, consents,
trials, assessments, plus allergies, medications and notes; deny paths with exact statuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import (
    Assessment,
    CareNote,
    Condition,
    Consent,
    Medication,
    OfficeVitals,
    WeightMeasurement,
)
from tests.factories import ConditionFactory, MedicationFactory


def _future(seconds: int = 120) -> str:
    return (timezone.now() + dt.timedelta(seconds=seconds)).isoformat()


def test_a_weight_is_recorded_and_becomes_the_charts_weight(api, nora, patient_a):
    response = api(nora).post(f"/patients/{patient_a.pk}/weights", {"weight_kg": 72.46})

    assert response.status_code == 201, response.content
    assert response.json()["weight_kg"] == 72.5
    assert response.json()["measured_on"] == timezone.localdate().isoformat()
    assert api(nora).get(f"/patients/{patient_a.pk}").json()["weight_kg"] == 72.5
    assert AuditEvent.objects.filter(object_type="weight", action="create").count() == 1


@pytest.mark.parametrize("weight", [0, -70, 29.9, 300.1, 1e9])
def test_an_implausible_weight_is_a_422_naming_weight_kg(api, nora, patient_a, weight):
    response = api(nora).post(f"/patients/{patient_a.pk}/weights", {"weight_kg": weight})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "weight_kg"
    assert "DOSE-IV-WEIGHT" in response.json()["detail"][0]["msg"]
    assert not WeightMeasurement.objects.exists()


def test_a_weight_measured_tomorrow_is_a_422_naming_measured_on(api, nora, patient_a):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = api(nora).post(
        f"/patients/{patient_a.pk}/weights", {"weight_kg": 70, "measured_on": tomorrow}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "measured_on"


def test_office_vitals_are_recorded_and_charted_after_the_fact(api, nora, patient_a):
    earlier = (timezone.now() - dt.timedelta(hours=3)).isoformat()

    response = api(nora).post(
        f"/patients/{patient_a.pk}/vitals",
        {"systolic": 132, "diastolic": 84, "heart_rate": 70, "spo2": 98, "at": earlier},
    )

    assert response.status_code == 201, response.content
    assert OfficeVitals.objects.get().systolic == 132


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"systolic": 400, "diastolic": 80}, "systolic"),
        ({"systolic": 120, "diastolic": 130}, "diastolic"),
        ({"systolic": 120, "diastolic": 80, "spo2": 120}, "spo2"),
        ({"systolic": 120, "diastolic": 80, "heart_rate": 0}, "heart_rate"),
        ({"systolic": "120", "diastolic": 80}, "systolic"),
        ({"systolic": 120, "diastolic": 80, "at": "FUTURE"}, "at"),
    ],
)
def test_implausible_or_future_vitals_are_a_422_naming_the_field(api, nora, patient_a, body, field):
    if body.get("at") == "FUTURE":
        body["at"] = _future()

    response = api(nora).post(f"/patients/{patient_a.pk}/vitals", body)

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not OfficeVitals.objects.exists()


def test_a_condition_is_charted_resolved_and_kept_in_history(api, alice, patient_a):
    caller = api(alice)

    added = caller.post(f"/patients/{patient_a.pk}/conditions", {"code": "hypertension_controlled"})
    resolved = caller.delete(f"/patients/{patient_a.pk}/conditions/hypertension_controlled")

    assert added.status_code == 201
    assert resolved.status_code == 200
    assert resolved.json()["active"] is False
    condition = Condition.objects.get()
    assert condition.resolved_on == timezone.localdate()
    assert condition.history.count() == 2
    assert caller.get(f"/patients/{patient_a.pk}").json()["conditions"] == []
    assert caller.get(f"/patients/{patient_a.pk}/conditions").json()["count"] == 1


def test_an_unknown_condition_code_is_a_422_naming_code(api, alice, patient_a):
    response = api(alice).post(f"/patients/{patient_a.pk}/conditions", {"code": "flu"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "code"
    assert not Condition.objects.exists()


def test_an_active_condition_charted_twice_is_a_409(api, alice, patient_a):
    ConditionFactory(patient=patient_a, code="maoi_use")

    response = api(alice).post(f"/patients/{patient_a.pk}/conditions", {"code": "maoi_use"})

    assert response.status_code == 409


def test_resolving_a_condition_that_is_not_active_is_a_409(api, alice, patient_a):
    response = api(alice).delete(f"/patients/{patient_a.pk}/conditions/maoi_use")

    assert response.status_code == 409


def test_resolving_an_unknown_condition_code_is_a_422_naming_code_in_the_path(
    api, alice, patient_a
):
    # contracts.md 2.0: an unknown identifier (a condition code) is a 422 naming its field.
    response = api(alice).delete(f"/patients/{patient_a.pk}/conditions/flu")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "code"]


def test_a_medication_is_charted_and_stopped_with_its_date(api, nora, patient_a):
    caller = api(nora)
    created = caller.post(
        f"/patients/{patient_a.pk}/medications",
        {"name": "Lorazepam", "medication_class": "benzodiazepine", "dose": "1 mg"},
    ).json()

    stopped = caller.post(f"/patients/{patient_a.pk}/medications/{created['id']}/stop", {})

    assert stopped.status_code == 200
    assert stopped.json()["stopped_on"] == timezone.localdate().isoformat()
    assert stopped.json()["version"] == 2
    assert Medication.objects.get().history.count() == 2
    again = caller.post(f"/patients/{patient_a.pk}/medications/{created['id']}/stop", {})
    assert again.status_code == 409


def test_stopping_with_a_stale_version_is_a_409(api, nora, patient_a):
    medication = MedicationFactory(patient=patient_a, version=3)

    response = api(nora).post(
        f"/patients/{patient_a.pk}/medications/{medication.pk}/stop", {"version": 2}
    )

    assert response.status_code == 409
    medication.refresh_from_db()
    assert medication.stopped_on is None


def test_another_clinics_medication_is_a_404(api, nora, patient_a, patient_b):
    other = MedicationFactory(patient=patient_b)

    response = api(nora).post(f"/patients/{patient_a.pk}/medications/{other.pk}/stop", {})

    assert response.status_code == 404


def test_an_allergy_is_charted_and_marked_inactive(api, nora, patient_a):
    caller = api(nora)
    created = caller.post(
        f"/patients/{patient_a.pk}/allergies", {"substance": "Penicillin", "severity": "severe"}
    ).json()

    removed = caller.delete(f"/patients/{patient_a.pk}/allergies/{created['id']}")

    assert removed.status_code == 200
    assert removed.json()["is_active"] is False


def test_a_consent_makes_consent_current_until_withdrawn(api, cora, patient_a):
    caller = api(cora)

    created = caller.post(
        f"/patients/{patient_a.pk}/consents",
        {"document": "ketamine_treatment", "version": "2026-01", "signed_on": "2026-01-05"},
    )
    current = caller.get(f"/patients/{patient_a.pk}/consent-status").json()
    withdrawn = caller.post(f"/patients/{patient_a.pk}/consents/{created.json()['id']}/withdraw")
    after = caller.get(f"/patients/{patient_a.pk}/consent-status").json()

    assert created.status_code == 201
    assert current["current"] is True
    assert withdrawn.status_code == 200
    assert after["current"] is False
    assert Consent.objects.get().recorded_by_id == cora.user_id


def test_a_consent_signed_in_the_future_is_a_422(api, cora, patient_a):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = api(cora).post(
        f"/patients/{patient_a.pk}/consents",
        {"document": "ketamine_treatment", "version": "1", "signed_on": tomorrow},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "signed_on"


def test_trials_feed_failed_adequate_trials(api, alice, patient_a):
    caller = api(alice)
    trial = {
        "drug": "sertraline",
        "daily_dose_mg": 150,
        "weeks": 8,
        "adequate": True,
        "outcome": "nonresponse",
        "current_episode": True,
    }

    first = caller.post(f"/patients/{patient_a.pk}/antidepressant-trials", trial)
    caller.post(f"/patients/{patient_a.pk}/antidepressant-trials", {**trial, "drug": "venlafaxine"})
    caller.post(
        f"/patients/{patient_a.pk}/antidepressant-trials", {**trial, "outcome": "intolerance"}
    )

    assert first.status_code == 201, first.content
    assert caller.get(f"/patients/{patient_a.pk}").json()["failed_adequate_trials"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [({"weeks": 0}, "weeks"), ({"outcome": "cured"}, "outcome"), ({"adequate": "yes"}, "adequate")],
)
def test_a_bad_trial_is_a_422_naming_the_field(api, alice, patient_a, change, field):
    trial = {"drug": "x", "weeks": 6, "adequate": True, "outcome": "response"}
    response = api(alice).post(
        f"/patients/{patient_a.pk}/antidepressant-trials",
        {**trial, "current_episode": True, **change},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_an_assessment_is_scored_as_ketacare_score(api, nora, patient_a):
    response = api(nora).post(
        f"/patients/{patient_a.pk}/assessments",
        {"instrument": "phq9", "answers": [2, 2, 2, 2, 1, 1, 2, 1, 1]},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("instrument", "total", "severity", "flags")} == {
        "instrument": "phq9",
        "total": 14,
        "severity": "moderate",
        "flags": ["suicidal_ideation"],
    }
    assert set(body) == {"id", "instrument", "total", "severity", "flags", "completed_at"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "bdi", "answers": [1]}, "instrument"),
        ({"instrument": "phq9", "answers": [1, 1, 1]}, "answers"),
        ({"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 9]}, "8"),
        ({"instrument": "phq9", "answers": [0] * 9, "completed_at": "FUTURE"}, "completed_at"),
    ],
)
def test_a_bad_assessment_is_a_422_naming_the_field(api, nora, patient_a, body, field):
    if body.get("completed_at") == "FUTURE":
        body["completed_at"] = _future()

    response = api(nora).post(f"/patients/{patient_a.pk}/assessments", body)

    assert response.status_code == 422, response.content
    assert str(response.json()["detail"][0]["loc"][-1]) == field
    assert not Assessment.objects.exists()


def test_a_note_is_signed_and_amended_as_a_new_version(api, nora, alice, patient_a):
    note = api(nora).post(f"/patients/{patient_a.pk}/notes", {"text": "Tolerated well."}).json()

    amended = api(alice).post(
        f"/patients/{patient_a.pk}/notes/{note['id']}/amendments",
        {"text": "Tolerated well; mild nausea.", "reason": "Left out nausea"},
    )
    twice = api(alice).post(
        f"/patients/{patient_a.pk}/notes/{note['id']}/amendments",
        {"text": "Other", "reason": "again"},
    )

    assert amended.status_code == 201
    assert amended.json()["thread_id"] == note["id"] == note["thread_id"]
    assert amended.json()["number"] == 2
    assert twice.status_code == 409
    assert CareNote.objects.get(pk=note["id"]).text == "Tolerated well."
    listed = api(nora).get(f"/patients/{patient_a.pk}/notes").json()
    assert listed["count"] == 2


# --- deny paths --------------------------------------------------------------------------------

CLINICAL_READS = [
    "weights",
    "vitals",
    "conditions",
    "allergies",
    "medications",
    "antidepressant-trials",
    "assessments",
    "notes",
]


@pytest.mark.parametrize("section", CLINICAL_READS)
def test_a_coordinator_gets_403_on_every_clinical_section(api, cora, patient_a, section):
    response = api(cora).get(f"/patients/{patient_a.pk}/{section}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow view_clinical."}
    assert AuditEvent.objects.filter(
        allowed=False, patient_id=patient_a.pk, detail="role_lacks:view_clinical"
    ).exists()


def test_a_coordinator_reads_consents(api, cora, patient_a):
    assert api(cora).get(f"/patients/{patient_a.pk}/consents").status_code == 200


WRITES = [
    ("weights", {"weight_kg": 70}),
    ("vitals", {"systolic": 120, "diastolic": 80}),
    ("conditions", {"code": "maoi_use"}),
    ("allergies", {"substance": "latex"}),
    ("medications", {"name": "x", "medication_class": "other"}),
    (
        "antidepressant-trials",
        {"drug": "x", "weeks": 6, "adequate": True, "outcome": "response", "current_episode": True},
    ),
    ("assessments", {"instrument": "phq2", "answers": [1, 1]}),
    ("notes", {"text": "x"}),
]


@pytest.mark.parametrize(("section", "body"), WRITES)
@pytest.mark.parametrize("person", ["cora", "audrey", "adam"])
def test_roles_without_chart_rights_get_403_on_clinical_writes(
    api, request, patient_a, person, section, body
):
    response = api(request.getfixturevalue(person)).post(
        f"/patients/{patient_a.pk}/{section}", body
    )

    assert response.status_code == 403


def test_an_auditor_cannot_record_a_consent(api, audrey, patient_a):
    response = api(audrey).post(
        f"/patients/{patient_a.pk}/consents", {"document": "ketamine_treatment", "version": "1"}
    )

    assert response.status_code == 403
    assert not Consent.objects.exists()


@pytest.mark.parametrize(("section", "body"), WRITES)
def test_bob_gets_404_on_every_section_of_clinic_a(api, bob, patient_a, section, body):
    assert api(bob).get(f"/patients/{patient_a.pk}/{section}").status_code == 404
    assert api(bob).post(f"/patients/{patient_a.pk}/{section}", body).status_code == 404


def test_section_reads_are_audited_with_the_patient(api, alice, patient_a):
    api(alice).get(f"/patients/{patient_a.pk}/weights")

    event = AuditEvent.objects.get(object_type="chart_weights")
    assert (event.action, event.patient_id, event.allowed) == ("read", patient_a.pk, True)
