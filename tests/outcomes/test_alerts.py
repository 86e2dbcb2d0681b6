"""Suicidality alerts (SAFE-ITEM9, SAFE-SI-FLAGS, SAFE-CSSRS-HIGH): raised by any channel in the
transaction that saves the answer, listed urgent first, acknowledged once with a note."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.clinical.instruments.urgency import safety_rule
from ketacare.outcomes.models import OutcomeAlert
from tests.outcomes.conftest import PHQ9_CALM, PHQ9_ITEM9

ALERTS = "/api/v1/outcome-alerts"
ACK = "/api/v1/outcome-alerts/{}/acknowledge"
CSSRS_HIGH = [True, True, True, True, False, False]
CSSRS_MODERATE = [True, True, True, False, False, False]
CSSRS_LOW = [True, False, None, None, None, False]
MADRS_ITEM10 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 4]
MADRS_ITEM10_BELOW = [2, 2, 2, 2, 2, 2, 2, 2, 2, 3]
QIDS_ITEM12 = [1] * 16


@pytest.mark.parametrize(
    ("instrument", "flag", "rule"),
    [
        ("phq9", "suicidal_ideation", "SAFE-ITEM9"),
        ("qids_sr16", "suicidal_ideation", "SAFE-SI-FLAGS"),
        ("madrs", "suicidal_ideation", "SAFE-SI-FLAGS"),
        ("cssrs_screener", "risk_high", "SAFE-CSSRS-HIGH"),
        ("cssrs_screener", "risk_moderate", "SAFE-CSSRS-HIGH"),
        ("cssrs_screener", "risk_low", "SAFE-CSSRS-HIGH"),
        ("phq2", "positive_screen", None),
    ],
)
def test_each_flag_falls_under_its_safety_rule(instrument, flag, rule):
    assert safety_rule(instrument, flag) == rule


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("instrument", "answers", "rule", "urgency"),
    [
        ("phq9", PHQ9_ITEM9, "SAFE-ITEM9", "today"),
        ("qids_sr16", QIDS_ITEM12, "SAFE-SI-FLAGS", "today"),
        ("madrs", MADRS_ITEM10, "SAFE-SI-FLAGS", "today"),
        ("cssrs_screener", CSSRS_HIGH, "SAFE-CSSRS-HIGH", "now"),
        ("cssrs_screener", CSSRS_MODERATE, "SAFE-CSSRS-HIGH", "today"),
    ],
)
def test_a_flag_entered_by_staff_raises_an_alert(
    patient_a, staff_scale, instrument, answers, rule, urgency
):
    assessment = staff_scale(patient_a, instrument, answers)
    alert = OutcomeAlert.objects.get(assessment=assessment)
    assert (alert.kind, alert.rule_id, alert.urgency) == ("suicidality", rule, urgency)
    assert alert.clinic_id == patient_a.clinic_id and alert.patient_id == patient_a.pk
    assert AuditEvent.objects.filter(object_type="outcome_alert", object_id=str(alert.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("instrument", "answers"),
    [("phq9", PHQ9_CALM), ("madrs", MADRS_ITEM10_BELOW), ("cssrs_screener", CSSRS_LOW)],
)
def test_no_alert_below_the_rules(patient_a, staff_scale, instrument, answers):
    staff_scale(patient_a, instrument, answers)
    assert not OutcomeAlert.objects.exists()


@pytest.mark.django_db
def test_an_alert_failing_rolls_the_answer_back(patient_a, staff_scale, monkeypatch):
    from ketacare.outcomes import services_alerts
    from ketacare.patients.models import Assessment

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services_alerts.OutcomeAlert.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        staff_scale(patient_a, "phq9", PHQ9_ITEM9)
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_open_alerts_list_urgent_first_and_acknowledge_once(
    patient_a, staff_scale, alice, nora, api
):
    today = staff_scale(patient_a, "phq9", PHQ9_ITEM9, days_ago=0)
    now = staff_scale(patient_a, "cssrs_screener", CSSRS_HIGH, days_ago=1)
    listed = api(nora, "get", ALERTS, open="true")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2
    assert [row["assessment_id"] for row in body["items"]] == [now.pk, today.pk]
    first = body["items"][0]
    assert (first["rule_id"], first["urgency"], first["acknowledged"]) == (
        "SAFE-CSSRS-HIGH",
        "now",
        False,
    )

    missing_note = api(nora, "post", ACK.format(first["id"]), {"note": "  "})
    assert missing_note.status_code == 422
    assert missing_note.json()["detail"][0]["loc"][-1] == "note"
    assert OutcomeAlert.objects.get(pk=first["id"]).acknowledged_at is None

    done = api(nora, "post", ACK.format(first["id"]), {"note": "Called; safety plan reviewed."})
    assert done.status_code == 200
    assert done.json()["acknowledged"] is True
    assert done.json()["acknowledged_by_id"] == nora.user_id
    again = api(alice, "post", ACK.format(first["id"]), {"note": "Me too."})
    assert again.status_code == 409
    assert OutcomeAlert.objects.get(pk=first["id"]).acknowledged_by_id == nora.user_id
    assert api(nora, "get", ALERTS, open="true").json()["count"] == 1
    assert api(nora, "get", ALERTS, open="false").json()["count"] == 2


@pytest.mark.django_db
def test_another_clinics_alert_is_404_and_a_role_without_permission_403(
    patient_a, staff_scale, bob, cora, adam, api
):
    alert = OutcomeAlert.objects.get(assessment=staff_scale(patient_a, "phq9", PHQ9_ITEM9))
    outsider = api(bob, "post", ACK.format(alert.pk), {"note": "Not mine."})
    assert outsider.status_code == 404
    assert api(bob, "get", ALERTS).json()["count"] == 0
    # The coordinator reads no clinical finding; the clinic admin reads but does not acknowledge.
    assert api(cora, "get", ALERTS).status_code == 403
    assert api(adam, "get", ALERTS).status_code == 200
    assert api(adam, "post", ACK.format(alert.pk), {"note": "Seen."}).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    denied = AuditEvent.objects.filter(allowed=False, object_type="outcome_alert")
    assert denied.count() == 3


@pytest.mark.django_db
def test_alerts_page_banner_and_nav_count_then_acknowledge_by_htmx(
    patient_a, staff_scale, nora, staff_client
):
    alert = OutcomeAlert.objects.get(assessment=staff_scale(patient_a, "phq9", PHQ9_ITEM9))
    client = staff_client(nora)
    page = client.get("/outcomes/alerts/")
    assert page.status_code == 200
    assert f'id="outcome-alert-{alert.pk}"' in page.content.decode()
    assert "/outcomes/alerts/count/" in page.content.decode()  # the navigation loads its count
    assert 'badge badge-danger">1<' in client.get("/outcomes/alerts/count/").content.decode()
    banner_url = f"/outcomes/alerts/patients/{patient_a.pk}/banner/"
    assert banner_url in client.get(f"/patients/{patient_a.pk}/").content.decode()
    banner = client.get(banner_url).content.decode()
    assert "Open outcome alert" in banner and "SAFE-ITEM9" in banner
    url = f"/outcomes/alerts/{alert.pk}/acknowledge/"
    empty = client.post(url, {"note": ""}, headers={"HX-Request": "true"})
    assert "form-errors" in empty.content.decode()
    done = client.post(url, {"note": "Called the patient."}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Acknowledged" in done.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == nora.user_id
    assert "Open outcome alert" not in client.get(banner_url).content.decode()
    assert "badge" not in client.get("/outcomes/alerts/count/").content.decode()


@pytest.mark.django_db
def test_alerts_pages_outside_the_clinic_or_role(patient_a, staff_scale, bob, cora, staff_client):
    alert = OutcomeAlert.objects.get(assessment=staff_scale(patient_a, "phq9", PHQ9_ITEM9))
    url = f"/outcomes/alerts/{alert.pk}/acknowledge/"
    assert staff_client(bob).post(url, {"note": "x"}).status_code == 404
    assert staff_client(cora).get("/outcomes/alerts/").status_code == 403
    banner_url = f"/outcomes/alerts/patients/{patient_a.pk}/banner/"
    assert staff_client(bob).get(banner_url).status_code == 404
    assert staff_client(cora).get(banner_url).status_code == 403
    assert staff_client(cora).get("/outcomes/alerts/count/").status_code == 403
    assert staff_client(cora).post(url, {"note": "x"}).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
