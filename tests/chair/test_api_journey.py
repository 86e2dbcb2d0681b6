"""A full esketamine session through the JSON API alone (contracts.md 2.3): pre-dose, dose, a
hypertensive reading and its critical alert, its acknowledgement, a discharge refused before the
2-hour minimum (DISCH-ESK-MIN-TIME) and allowed after it. Time is moved with time-machine; the
suite runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.chair.models import RemsForm, SessionAlert
from ketacare.clinical.adverse import rems_form_due
from tests.chair.conftest import ESK, ESK_MIN_TIME

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
S = "/api/v1/sessions/{}"


def minutes(n: float) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


def test_a_nurse_runs_an_esketamine_session_through_the_api_alone(
    time_machine, session_today, api, nora
):
    # Given a plan whose first session is today
    time_machine.move_to(START, tick=False)
    session = session_today(ESK)
    url = S.format(session.pk)

    # When the nurse checks the patient in with normal vitals and a complete checklist
    checked = api(
        nora,
        "post",
        f"{url}/pre-dose",
        {
            "systolic": 132,
            "diastolic": 84,
            "heart_rate": 76,
            "spo2": 98,
            "chair": "Chair 3",
            "checklist": {
                "identity_confirmed": True,
                "consent_current": True,
                "rems_patient_enrolled": True,
                "pregnancy_status_documented": True,
                "escort_confirmed": True,
                "escort_phone": "617-555-0101",
                "last_food_at": (START - dt.timedelta(hours=3)).isoformat(),
                "last_liquid_at": (START - dt.timedelta(hours=1)).isoformat(),
            },
        },
    )
    # Then dosing is go
    assert checked.status_code == 200, checked.content
    assert checked.json()["dosing"] == "go"
    assert checked.json()["status"] == "in_chair"

    # When the first device is given
    time_machine.move_to(minutes(5), tick=False)
    dosed = api(nora, "post", f"{url}/dose", {"lot_number": "ESK-2211"})
    assert dosed.status_code == 200, dosed.content
    body = dosed.json()
    assert body["dose_mg"] == 56 and body["devices"] == 2
    assert body["steps"] and all(isinstance(step, str) for step in body["steps"])
    assert body["status"] == "dosed"

    # When the 40-minute blood pressure is hypertensive (185/112)
    time_machine.move_to(minutes(45), tick=False)
    read = api(
        nora,
        "post",
        f"{url}/readings",
        {"systolic": 185, "diastolic": 112, "heart_rate": 90, "spo2": 97, "moaas": 4},
    )
    # Then a critical alert is raised at once
    assert read.status_code == 201, read.content
    raised = {alert["rule"]: alert for alert in read.json()["alerts"]}
    assert raised["MON-BP-SEVERE"]["level"] == "critical"
    assert raised["MON-BP-SEVERE"]["acknowledged_at"] is None
    assert read.json()["next_reading_due"] is not None

    # And the session shows it open
    shown = api(nora, "get", url).json()
    open_critical = [
        a for a in shown["alerts"] if a["level"] == "critical" and a["acknowledged_at"] is None
    ]
    assert [a["rule"] for a in open_critical] == ["MON-BP-SEVERE"]

    # When the nurse acknowledges every alert of the reading with a note
    time_machine.move_to(minutes(47), tick=False)
    for alert in read.json()["alerts"]:
        done = api(
            nora,
            "post",
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            {"note": "Prescriber informed; re-check in 15 min.", "version": alert["version"]},
        )
        assert done.status_code == 200, done.content
        assert done.json()["acknowledged_by"] == "nora"

    # And the blood pressure falls again
    for at in (60, 90, 115):
        time_machine.move_to(minutes(at), tick=False)
        normal = {"systolic": 134, "diastolic": 82, "heart_rate": 78, "spo2": 98, "moaas": 5}
        assert api(nora, "post", f"{url}/readings", normal).status_code == 201

    # Then discharge is refused before 2 hours after the first device
    attest = {"attestations": {"dissociation_resolved": True, "no_driving_instructed": True}}
    refused = api(nora, "post", f"{url}/discharge", attest)
    assert refused.status_code == 409, refused.content
    reasons = refused.json()["reasons"]
    assert [r.split(":")[0] for r in reasons] == ["DISCH-ESK-MIN-TIME"]
    assert api(nora, "get", url).json()["status"] == "dosed"

    # And a prescriber's override cannot shorten it either (not overridable)
    # When 2 hours have passed, with a reading in the last 15 minutes
    after = minutes(5) + ESK_MIN_TIME + dt.timedelta(minutes=1)
    time_machine.move_to(after - dt.timedelta(minutes=5), tick=False)
    normal = {"systolic": 128, "diastolic": 80, "heart_rate": 74, "spo2": 98, "moaas": 5}
    assert api(nora, "post", f"{url}/readings", normal).status_code == 201
    time_machine.move_to(after, tick=False)
    allowed = api(nora, "post", f"{url}/discharge", attest)

    # Then the session is discharged and its REMS form is due within the deadline
    assert allowed.status_code == 200, allowed.content
    final = allowed.json()
    assert final["status"] == "discharged"
    assert final["discharge"]["ready"] is True
    assert final["discharged"]["overridden"] == []
    assert final["rems_form"]["due_on"] == rems_form_due(session.date).isoformat()
    assert RemsForm.objects.filter(session=session).count() == 1
    assert not SessionAlert.objects.filter(
        session=session, level="critical", acknowledged_at__isnull=True
    ).exists()
    # And a discharged session takes no more readings: it is amended instead
    late = api(nora, "post", f"{url}/readings", normal)
    assert late.status_code == 409
    amended = api(nora, "post", f"{url}/amendments", {"text": "Escort arrived at 11:10."})
    assert amended.status_code == 201
