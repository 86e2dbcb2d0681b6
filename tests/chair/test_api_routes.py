"""Each route of the chair's JSON API (contracts.md 2.3 and what a clinic needs beside it): the
answer's shape and every status code — 200/201, 401, 403, 404 across clinics, 409 with reasons,
422 naming the field with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.models import SessionAlert, SideEffect
from ketacare.chair.services import record_reading, record_side_effect
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK_MIN_TIME, fresh, reading_values, stored

pytestmark = pytest.mark.django_db

S = "/api/v1/sessions/{}"
HOLD_SBP = int(DEFAULT_SETTINGS.value("MON-BP-HOLD", "systolic_above_mmhg")) + 1
PRE_DOSE: dict[str, Any] = {
    "systolic": 128,
    "diastolic": 80,
    "heart_rate": 72,
    "spo2": 98,
    "checklist": {
        "identity_confirmed": True,
        "consent_current": True,
        "rems_patient_enrolled": True,
        "pregnancy_status_documented": True,
        "escort_confirmed": True,
    },
}
ATTEST = {"attestations": {"dissociation_resolved": True, "no_driving_instructed": True}}


def loc(response: Any) -> list[list[Any]]:
    return [error["loc"] for error in response.json()["detail"]]


@pytest.fixture
def dosed_3h(esk_session, dosed):
    """The esketamine session dosed 3 hours ago."""
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    dosed(esk_session, at=at)
    return at


# --- GET /sessions/{id} -----------------------------------------------------------------------


def test_the_session_before_check_in(api, esk_session, nora):
    response = api(nora, "get", S.format(esk_session.pk))

    assert response.status_code == 200
    body = response.json()
    assert {
        "id",
        "patient_id",
        "plan_id",
        "number",
        "date",
        "route",
        "status",
        "order",
        "pre_dose",
        "dose",
        "readings",
        "alerts",
        "side_effects",
        "next_reading_due",
        "discharge",
        "version",
    } <= set(body)
    assert (body["status"], body["route"], body["pre_dose"], body["dose"]) == (
        "scheduled",
        "esketamine_nasal",
        None,
        None,
    )
    assert body["order"]["dose_mg"] == 56
    assert body["discharge"] is None and body["next_reading_due"] is None
    assert AuditEvent.objects.filter(object_type="treatment_session", action="read").exists()


def test_the_session_in_progress_shows_readings_alerts_and_discharge(
    api, esk_session, dosed_3h, nora
):
    from tests.factories import MedicationFactory

    MedicationFactory(patient=esk_session.patient, medication_class="benzodiazepine")
    record_reading(
        session=esk_session,
        values=reading_values(at=dosed_3h + dt.timedelta(minutes=40), systolic=185, diastolic=112),
        by=nora,
    )

    body = api(nora, "get", S.format(esk_session.pk)).json()

    assert body["status"] == "dosed"
    assert body["dose"]["devices"] == 2 and body["dose"]["steps"]
    assert len(body["readings"]) == 1
    alert = next(a for a in body["alerts"] if a["rule"] == "MON-BP-SEVERE")
    assert set(alert) >= {
        "id",
        "rule",
        "level",
        "at",
        "message",
        "acknowledged_at",
        "acknowledged_by",
        "note",
    }
    assert alert["level"] == "critical" and alert["acknowledged_by"] is None
    assert set(body["discharge"]) >= {"ready", "earliest", "reasons"}
    assert body["discharge"]["ready"] is False
    assert body["next_reading_due"] is not None
    assert body["sedation_banner"] == ["benzodiazepine"]


def test_a_missing_reading_shows_as_a_pending_alert(api, esk_session, dosed_3h, nora):
    body = api(nora, "get", S.format(esk_session.pk)).json()

    assert [a["rule"] for a in body["pending_alerts"]] == ["MON-BP-40MIN"]


@pytest.mark.parametrize("person", ["adam", "audrey", "alice"])
def test_every_role_that_reads_sessions_reads_it(request, api, esk_session, person):
    assert api(request.getfixturevalue(person), "get", S.format(esk_session.pk)).status_code == 200


def test_a_coordinator_reads_no_chair_side_record(api, esk_session, cora):
    response = api(cora, "get", S.format(esk_session.pk))

    assert response.status_code == 403
    assert AuditEvent.objects.get(allowed=False).detail == "role_lacks:view_session"


def test_another_clinic_gets_404(api, esk_session, nell):
    response = api(nell, "get", S.format(esk_session.pk))

    assert response.status_code == 404
    assert AuditEvent.objects.get(allowed=False).detail.startswith("not_found_in_clinic")


def test_without_credentials_401(client, esk_session):
    assert client.get(S.format(esk_session.pk)).status_code == 401


# --- pre-dose and the prescriber's decision ------------------------------------------------------


def test_pre_dose_answers_dosing_and_alerts(api, esk_session, nora):
    response = api(nora, "post", f"{S.format(esk_session.pk)}/pre-dose", PRE_DOSE)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dosing"], body["alerts"], body["status"]) == ("go", [], "in_chair")
    assert body["pre_dose"]["nurse_id"] == nora.user_id


def test_a_hold_answers_its_reasons_and_the_prescriber_proceeds(api, esk_session, nora, alice):
    url = S.format(esk_session.pk)
    held = api(nora, "post", f"{url}/pre-dose", {**PRE_DOSE, "systolic": HOLD_SBP}).json()
    assert held["dosing"] == "hold"
    assert [r.split(":")[0] for r in held["reasons"]] == ["MON-BP-HOLD"]
    assert [a["rule"] for a in held["alerts"]] == ["MON-BP-HOLD"]

    refused = api(nora, "post", f"{url}/proceed", {"reason": "Fine."})
    assert refused.status_code == 403

    decided = api(alice, "post", f"{url}/proceed", {"reason": "Benefit outweighs the risk."})
    assert decided.status_code == 200, decided.content
    assert decided.json()["proceed"]["by_id"] == alice.user_id
    assert api(nora, "post", f"{url}/dose", {"lot_number": "L"}).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"systolic": 400}, ["body", "systolic"]),
        ({"spo2": 140}, ["body", "spo2"]),
        ({"systolic": "120"}, ["body", "payload", "systolic"]),
        ({"surprise": 1}, ["body", "payload", "surprise"]),
        (
            {"checklist": {"identity_confirmed": True, "last_food_at": "2999-01-01T00:00:00Z"}},
            ["body", "checklist", "last_food_at"],
        ),
        ({"at": "2999-01-01T09:00:00+00:00"}, ["body", "at"]),
    ],
)
def test_pre_dose_bad_input_is_422_naming_the_field(api, esk_session, nora, change, field):
    before = stored(esk_session)

    response = api(nora, "post", f"{S.format(esk_session.pk)}/pre-dose", {**PRE_DOSE, **change})

    assert response.status_code == 422, response.content
    assert loc(response)[0][-1] == field[-1]
    if field[1] != "payload":
        assert loc(response)[0] == field
    assert stored(esk_session) == before


def test_pre_dose_with_a_stale_version_is_409(api, esk_session, nora, alice):
    url = f"{S.format(esk_session.pk)}/pre-dose"
    version = esk_session.version
    assert api(nora, "post", url, {**PRE_DOSE, "version": version}).status_code == 200

    second = api(alice, "post", url, {**PRE_DOSE, "systolic": 150, "version": version})

    assert second.status_code == 409
    assert set(second.json()) == {"detail"}


# --- dose, count, witness ------------------------------------------------------------------------


def test_dose_answers_the_arithmetic(api, iv_session, nora):
    url = S.format(iv_session.pk)
    api(nora, "post", f"{url}/pre-dose", PRE_DOSE)

    response = api(
        nora,
        "post",
        f"{url}/dose",
        {"lot_number": "K-1", "weight_kg": 70, "concentration_mg_per_ml": 1},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dose_mg"], body["volume_ml"], body["rate_ml_per_h"]) == (35.0, 35.0, 52.5)
    assert len(body["steps"]) == 3
    assert body["status"] == "dosed"


def test_dose_on_hold_is_409_with_reasons(api, esk_session, nora):
    url = S.format(esk_session.pk)
    api(nora, "post", f"{url}/pre-dose", {**PRE_DOSE, "systolic": HOLD_SBP})

    response = api(nora, "post", f"{url}/dose", {"lot_number": "L"})

    assert response.status_code == 409
    assert response.json()["reasons"][0].startswith("MON-BP-HOLD: ")


def test_dose_without_pre_dose_is_409(api, esk_session, nora):
    response = api(nora, "post", f"{S.format(esk_session.pk)}/dose", {"lot_number": "L"})

    assert response.status_code == 409
    assert response.json()["reasons"]


def test_a_dose_above_the_limits_is_422_and_nothing_is_stored(api, iv_session, nora):
    url = S.format(iv_session.pk)
    api(nora, "post", f"{url}/pre-dose", PRE_DOSE)
    before = stored(iv_session)

    response = api(nora, "post", f"{url}/dose", {"lot_number": "L", "weight_kg": 400})

    assert response.status_code == 422
    assert loc(response) == [["body", "weight_kg"]]
    assert stored(iv_session) == before


def test_count_and_witness(api, iv_session, dosed, nora, alice, adam):
    dosed(iv_session)
    url = S.format(iv_session.pk)

    counted = api(
        nora, "post", f"{url}/count", {"drawn_mg": 40, "wasted_mg": 5, "witness_id": alice.user_id}
    )
    assert counted.status_code == 200, counted.content
    assert counted.json()["witness_id"] == alice.user_id

    assert api(adam, "post", f"{url}/witness").status_code == 403
    not_witness = api(nora, "post", f"{url}/witness")
    assert not_witness.status_code == 403
    witnessed = api(alice, "post", f"{url}/witness")
    assert witnessed.status_code == 200
    assert witnessed.json()["witness_confirmed_at"] is not None
    assert api(alice, "post", f"{url}/witness").status_code == 409


def test_a_count_that_does_not_add_up_is_422(api, iv_session, dosed, nora, alice):
    dosed(iv_session)

    response = api(
        nora,
        "post",
        f"{S.format(iv_session.pk)}/count",
        {"drawn_mg": 50, "wasted_mg": 5, "witness_id": alice.user_id},
    )

    assert response.status_code == 422
    assert loc(response) == [["body", "drawn_mg"]]


# --- readings and alerts -------------------------------------------------------------------------


def test_a_reading_answers_201_with_its_alerts(api, esk_session, dosed_3h, nora):
    response = api(
        nora,
        "post",
        f"{S.format(esk_session.pk)}/readings",
        {"systolic": 185, "diastolic": 112, "symptoms": ["severe_headache"]},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    rules = {a["rule"]: a["level"] for a in body["alerts"]}
    assert rules["MON-BP-SEVERE"] == rules["MON-HTN-SYMPTOMS"] == "critical"
    assert body["next_reading_due"] is not None and body["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"spo2": 140}, "spo2"),
        ({"moaas": 9}, "moaas"),
        ({"symptoms": ["hiccups"]}, "0"),
        ({"spo2": 97, "at": "2999-01-01T00:00:00+00:00"}, "at"),
        ({"spo2": 97, "at": "2000-01-01T00:00:00+00:00"}, "at"),
    ],
)
def test_impossible_readings_are_422_naming_the_field(
    api, esk_session, dosed_3h, nora, body, field
):
    before = stored(esk_session)

    response = api(nora, "post", f"{S.format(esk_session.pk)}/readings", body)

    assert response.status_code == 422, response.content
    assert loc(response)[0][-1] == field
    assert stored(esk_session) == before


def test_acknowledge_an_alert(api, esk_session, dosed_3h, nora, nell):
    outcome = record_reading(
        session=esk_session,
        values=reading_values(at=dosed_3h + dt.timedelta(minutes=40), systolic=185, diastolic=112),
        by=nora,
    )
    alert = next(a for a in outcome.alerts if a.level == "critical")
    url = f"/api/v1/alerts/{alert.pk}/acknowledge"

    assert api(nell, "post", url, {"note": "x"}).status_code == 404
    empty = api(nora, "post", url, {"note": " "})
    assert empty.status_code == 422 and loc(empty) == [["body", "note"]]
    stale = api(nora, "post", url, {"note": "Seen.", "version": 9})
    assert stale.status_code == 409

    done = api(nora, "post", url, {"note": "Seen.", "version": 1})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["note"], body["acknowledged_by"], body["session_id"]) == (
        "Seen.",
        "nora",
        esk_session.pk,
    )
    assert api(nora, "post", url, {"note": "Again."}).status_code == 409


# --- side effects --------------------------------------------------------------------------------


def test_side_effects_are_charted_resolved_and_alert_the_prescriber(
    api, esk_session, dosed_3h, nora, alice
):
    url = f"{S.format(esk_session.pk)}/side-effects"

    created = api(
        nora,
        "post",
        url,
        {"term": "vomiting", "grade": 3, "serious": False, "action": "Antiemetic"},
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["alert"]["rule"] == "SAFE-AE-GRADE" and body["alert"]["level"] == "warning"
    ack = f"/api/v1/alerts/{body['alert']['id']}/acknowledge"
    assert api(nora, "post", ack, {"note": "Seen."}).status_code == 403
    assert api(alice, "post", ack, {"note": "Reviewed."}).status_code == 200

    patch = f"/api/v1/side-effects/{body['id']}"
    resolved = api(nora, "patch", patch, {"resolved_at": timezone.now().isoformat(), "version": 1})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["version"] == 2
    stale = api(nora, "patch", patch, {"resolved_at": None, "version": 1})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"term": "hiccups", "grade": 1, "serious": False}, "term"),
        ({"term": "nausea", "grade": 6, "serious": False}, "grade"),
        ({"term": "other", "grade": 1, "serious": False}, "other_term"),
        ({"term": "nausea", "grade": 1}, "serious"),
    ],
)
def test_bad_side_effects_are_422(api, esk_session, dosed_3h, nora, body, field):
    response = api(nora, "post", f"{S.format(esk_session.pk)}/side-effects", body)

    assert response.status_code == 422
    assert loc(response)[0][-1] == field
    assert not SideEffect.objects.exists()


def test_another_clinic_cannot_touch_a_side_effect(api, esk_session, dosed_3h, nora, nell):
    row = record_side_effect(session=esk_session, term="nausea", grade=1, serious=False, by=nora)

    response = api(
        nell, "patch", f"/api/v1/side-effects/{row.pk}", {"resolved_at": None, "version": 1}
    )

    assert response.status_code == 404


# --- discharge and amendments --------------------------------------------------------------------


def test_discharge_before_two_hours_is_409_then_200_with_the_session(
    api, time_machine, session_today, dosed, nora
):
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    session = session_today("esketamine_nasal")
    dosed(session)
    url = S.format(session.pk)
    time_machine.move_to(start + ESK_MIN_TIME - dt.timedelta(minutes=2), tick=False)
    record_reading(session=session, values=reading_values(), by=nora)

    early = api(nora, "post", f"{url}/discharge", ATTEST)
    assert early.status_code == 409
    assert early.json()["reasons"][0].startswith("DISCH-ESK-MIN-TIME: ")

    time_machine.move_to(start + ESK_MIN_TIME, tick=False)
    done = api(nora, "post", f"{url}/discharge", ATTEST)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "discharged"
    assert done.json()["rems_form"] is not None


def test_a_nurses_override_is_403_and_a_prescribers_is_kept(
    api, esk_session, dosed_3h, nora, alice
):
    record_reading(session=esk_session, values=reading_values(), by=nora)
    body = {
        "attestations": {"dissociation_resolved": False, "no_driving_instructed": True},
        "override_reason": "Spouse stays with the patient tonight.",
    }
    url = f"{S.format(esk_session.pk)}/discharge"

    assert api(nora, "post", url, body).status_code == 403
    assert fresh(esk_session).status == "dosed"

    done = api(alice, "post", url, body)
    assert done.status_code == 200, done.content
    assert done.json()["discharged"]["overridden"] == ["DISCH-DISSOCIATION"]


def test_discharge_needs_both_attestations(api, esk_session, dosed_3h, nora):
    response = api(
        nora,
        "post",
        f"{S.format(esk_session.pk)}/discharge",
        {"attestations": {"dissociation_resolved": True}},
    )

    assert response.status_code == 422
    assert loc(response)[0][-1] == "no_driving_instructed"


def test_amendments_only_once_discharged(api, esk_session, dosed_3h, nora):
    url = f"{S.format(esk_session.pk)}/amendments"

    assert api(nora, "post", url, {"text": "Note."}).status_code == 409
    record_reading(session=esk_session, values=reading_values(), by=nora)
    assert api(nora, "post", f"{S.format(esk_session.pk)}/discharge", ATTEST).status_code == 200

    created = api(nora, "post", url, {"text": "Escort called to confirm arrival home."})
    assert created.status_code == 201
    assert created.json()["by_id"] == nora.user_id
    assert api(nora, "post", url, {"text": ""}).status_code == 422
    shown = api(nora, "get", S.format(esk_session.pk)).json()
    assert [a["text"] for a in shown["amendments"]] == ["Escort called to confirm arrival home."]


def test_alert_rows_are_never_written_by_a_refused_request(api, esk_session, dosed_3h, cora):
    before = SessionAlert.objects.count()

    response = api(
        cora, "post", f"{S.format(esk_session.pk)}/readings", {"systolic": 185, "diastolic": 112}
    )

    assert response.status_code == 403
    assert SessionAlert.objects.count() == before
