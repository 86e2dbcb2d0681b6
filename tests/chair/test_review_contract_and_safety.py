"""Contract 2.0/2.3 and section-8 gaps found in review, held by tests that fail without the fix:

- every 409 of the dose and of discharge names its rules as "RULE-ID: sentence" (a missing
  pre-dose record, identity and consent included);
- the chair's consent check uses the chart's latest treatment consent (contracts.md 2.1);
- SAFE-REMS-GATE: a ticked "setting certified" never certifies a clinic that is not;
- SAFE-PREGNANCY: the pregnancy-status item is asked of the API too, and a pregnancy on the chart
  stops the dose;
- SAFE-RESP, SAFE-HTN-EMERGENCY and SAFE-BP-SEVERE end to end: the stored critical alert, its
  instruction, and the discharge it blocks until acknowledged;
- `at?` (contracts.md 2.0): a time more than 60 s ahead is a 422 naming the field on every write
  that takes one, nothing stored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import SessionAlert
from ketacare.chair.services import (
    ReadingInput,
    acknowledge_alert,
    discharge_session,
    record_pre_dose,
    record_reading,
)
from ketacare.clinical.monitoring import SYMPTOMS
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.patients.models import Consent
from tests.chair.conftest import ESK, IV, fresh, pre_dose_values, reading_values, stored
from tests.factories import TreatmentPlanFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db

S = "/api/v1/sessions/{}"
# contracts.md 2.0: `reasons` are "RULE-ID: sentence".
REASON = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+: \S")
HOLD_SBP = int(DEFAULT_SETTINGS.value("MON-BP-HOLD", "systolic_above_mmhg")) + 1
SEVERE_SBP = int(DEFAULT_SETTINGS.value("MON-BP-SEVERE", "systolic_at_or_above_mmhg"))
SPO2_CRITICAL = int(DEFAULT_SETTINGS.value("MON-SPO2-CRITICAL", "spo2_below_percent")) - 1
RR_LOW = int(DEFAULT_SETTINGS.value("MON-RR-LOW", "respiratory_rate_below_per_min")) - 1
MOAAS_DEEP = int(DEFAULT_SETTINGS.value("MON-SEDATION-DEEP", "moaas_at_or_below"))
ATTEST = {"attestations": {"dissociation_resolved": True, "no_driving_instructed": True}}
CHECKLIST: dict[str, Any] = {
    "identity_confirmed": True,
    "consent_current": True,
    "rems_patient_enrolled": True,
    "pregnancy_status_documented": True,
    "escort_confirmed": True,
}
PRE_DOSE: dict[str, Any] = {
    "systolic": 128,
    "diastolic": 80,
    "heart_rate": 72,
    "spo2": 98,
    "checklist": CHECKLIST,
}


def pre_dose(**changes: Any) -> dict[str, Any]:
    checklist = {**CHECKLIST, **changes.pop("checklist", {})}
    return {**PRE_DOSE, **changes, "checklist": checklist}


def loc(response: Any) -> list[Any]:
    return response.json()["detail"][0]["loc"]


def rules_of(response: Any) -> list[str]:
    reasons = response.json()["reasons"]
    assert reasons and all(REASON.match(r) for r in reasons), reasons
    return [r.split(":", 1)[0] for r in reasons]


# --- the dose's 409s name their rules -------------------------------------------------------------


def _spacing(session: Any) -> None:
    # Two esketamine doses given in the last days: a third within 7 days breaks the label's rule.
    old = TreatmentPlanFactory(
        patient=session.patient, route=ESK, protocol="esketamine_trd_label", status="ended"
    )
    for days in (2, 4):
        TreatmentSessionFactory(
            plan=old, date=timezone.localdate() - dt.timedelta(days=days), status="discharged"
        )


def _withdraw_consent(session: Any) -> None:
    Consent.objects.filter(patient=session.patient).update(withdrawn_on=timezone.localdate())


def _pregnant(session: Any) -> None:
    patient = session.patient
    patient.pregnant, patient.pregnancy_status_on = True, timezone.localdate()
    patient.save(update_fields=["pregnant", "pregnancy_status_on"])


def _uncertify(session: Any) -> None:
    clinic = session.clinic
    clinic.esketamine_rems_certified = False
    clinic.save(update_fields=["esketamine_rems_certified"])


@pytest.mark.parametrize(
    ("body", "arrange", "rule"),
    [
        (None, None, "CHECK-PRE-DOSE"),
        (pre_dose(checklist={"identity_confirmed": False}), None, "CHECK-IDENTITY"),
        (pre_dose(checklist={"consent_current": False}), None, "CHECK-CONSENT"),
        (pre_dose(), _withdraw_consent, "CHECK-CONSENT"),
        (pre_dose(checklist={"rems_patient_enrolled": None}), None, "MON-REMS-ENROLLED"),
        (pre_dose(), _uncertify, "MON-REMS-ENROLLED"),
        (pre_dose(), _pregnant, "ELIG-PREGNANCY"),
        (pre_dose(systolic=HOLD_SBP), None, "MON-BP-HOLD"),
        (pre_dose(), _spacing, "DOSE-ESK-MAX-FREQUENCY"),
    ],
    ids=[
        "no-pre-dose", "identity", "consent-at-chair", "consent-on-chart", "rems-enrolment",
        "clinic-not-certified", "pregnant", "hold", "spacing",
    ],
)  # fmt: skip
def test_every_refused_dose_is_409_naming_its_rules(api, esk_session, nora, body, arrange, rule):
    url = S.format(esk_session.pk)
    if body is not None:
        assert api(nora, "post", f"{url}/pre-dose", body).status_code == 200
    if arrange is not None:
        arrange(esk_session)
    before = stored(esk_session)

    response = api(nora, "post", f"{url}/dose", {"lot_number": "L-1"})

    assert response.status_code == 409, response.content
    assert rule in rules_of(response)
    assert stored(esk_session) == before


def test_the_chart_consent_is_asked_of_every_route(api, iv_session, nora):
    url = S.format(iv_session.pk)
    api(nora, "post", f"{url}/pre-dose", pre_dose())
    _withdraw_consent(iv_session)

    response = api(nora, "post", f"{url}/dose", {"lot_number": "L-1", "weight_kg": 70})

    assert response.status_code == 409
    assert rules_of(response) == ["CHECK-CONSENT"]


# --- SAFE-REMS-GATE: the clinic's certification decides ------------------------------------------


def test_a_ticked_certification_in_an_uncertified_clinic_is_a_critical_hold(esk_session, nora):
    _uncertify(esk_session)

    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(rems_setting_certified=True), by=nora
    )

    assert outcome.result.dosing == "hold"
    assert outcome.pre_dose.rems_setting_certified is False
    levels = {alert.rule: alert.level for alert in outcome.alerts}
    assert levels["MON-REMS-ENROLLED"] == "critical"


# --- SAFE-PREGNANCY: the checklist item through the API ------------------------------------------


@pytest.mark.parametrize(("sex", "warned"), [("female", True), ("unknown", True), ("male", False)])
def test_the_pregnancy_item_left_out_is_not_documented_where_it_applies(
    api, session_today, nora, sex, warned
):
    from tests.factories import ConsentFactory, PatientFactory

    patient = PatientFactory(clinic=nora.clinic, sex_at_birth=sex, diagnosis="mdd")
    ConsentFactory(patient=patient)
    session = session_today(IV, patient=patient)
    body = pre_dose()
    del body["checklist"]["pregnancy_status_documented"]

    response = api(nora, "post", f"{S.format(session.pk)}/pre-dose", body)

    assert response.status_code == 200, response.content
    assert ("MON-PREG-TEST" in [a["rule"] for a in response.json()["alerts"]]) is warned
    documented = response.json()["pre_dose"]["checklist"]["pregnancy_status_documented"]
    assert documented is (False if warned else None)


# --- SAFE-RESP and SAFE-BP-SEVERE end to end ------------------------------------------------------


@pytest.fixture
def dosed_2h(esk_session, dosed):
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2, minutes=30)
    dosed(esk_session, at=at)
    return at


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"spo2": SPO2_CRITICAL}, "MON-SPO2-CRITICAL"),
        ({"respiratory_rate": RR_LOW}, "MON-RR-LOW"),
        ({"moaas": MOAAS_DEEP}, "MON-SEDATION-DEEP"),
    ],
)
def test_respiratory_depression_is_a_critical_alert_that_holds_discharge(
    esk_session, dosed_2h, nora, values, rule
):
    now = timezone.now().replace(microsecond=0)
    outcome = record_reading(
        session=esk_session, values=reading_values(at=now - dt.timedelta(minutes=10), **values),
        by=nora, now=now,
    )  # fmt: skip
    (alert,) = [a for a in outcome.alerts if a.rule == rule]
    assert alert.level == "critical"
    record_reading(session=esk_session, values=reading_values(at=now), by=nora, now=now)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, dissociation_resolved=True,
                          no_driving_instructed=True, by=nora, now=now)  # fmt: skip
    assert "DISCH-ALERTS" in [r.split(":", 1)[0] for r in refused.value.reasons]
    assert fresh(esk_session).status == "dosed"

    acknowledge_alert(alert=alert, note="Airway supported; prescriber at the chair.", by=nora)
    for other in SessionAlert.objects.filter(session=esk_session, acknowledged_at__isnull=True):
        acknowledge_alert(alert=other, note="Seen.", by=nora)
    discharge_session(session=esk_session, dissociation_resolved=True,
                      no_driving_instructed=True, by=nora, now=now)  # fmt: skip
    assert fresh(esk_session).status == "discharged"


@pytest.mark.parametrize(("route", "paused"), [(IV, True), (ESK, False)])
def test_a_severe_pressure_notifies_the_prescriber_and_pauses_an_infusion(
    session_today, dosed, nora, route, paused
):
    session = session_today(route)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    dosed(session, at=start)

    outcome = record_reading(
        session=session, values=reading_values(systolic=SEVERE_SBP, diastolic=100), by=nora
    )

    (alert,) = [a for a in outcome.alerts if a.rule == "MON-BP-SEVERE"]
    assert alert.level == "critical"
    assert SessionAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).exists()
    assert "notify the prescriber" in alert.message
    assert ("pause the infusion pending prescriber" in alert.message) is paused


@pytest.mark.parametrize("symptom", sorted(SYMPTOMS))
def test_each_crisis_symptom_is_a_critical_alert_calling_for_emergency_care(
    esk_session, dosed_2h, nora, symptom
):
    outcome = record_reading(session=esk_session, values=ReadingInput(symptoms=[symptom]), by=nora)

    (alert,) = [a for a in outcome.alerts if a.rule == "MON-HTN-SYMPTOMS"]
    assert alert.level == "critical"
    assert "emergency care" in alert.message
    assert SessionAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).exists()


# --- discharge 409s name their DISCH-* rules ------------------------------------------------------


def test_a_refused_discharge_names_each_unmet_criterion(api, esk_session, dosed, nora):
    dosed(esk_session, at=timezone.now().replace(microsecond=0) - dt.timedelta(minutes=50))
    before = stored(esk_session)

    response = api(
        nora,
        "post",
        f"{S.format(esk_session.pk)}/discharge",
        {"attestations": {"dissociation_resolved": False, "no_driving_instructed": False}},
    )

    assert response.status_code == 409
    rules = rules_of(response)
    assert all(rule.startswith("DISCH-") for rule in rules)
    assert {"DISCH-ESK-MIN-TIME", "DISCH-DISSOCIATION", "DISCH-ESCORT"} <= set(rules)
    assert stored(esk_session) == before


# --- `at?`: the future is a 422 naming the field --------------------------------------------------


@pytest.mark.parametrize(
    ("step", "path", "body", "field"),
    [
        ("checked_in", "dose", {"lot_number": "L-1"}, "at"),
        ("dosed", "readings", {"systolic": 126, "diastolic": 78}, "at"),
        ("dosed", "side-effects", {"term": "nausea", "grade": 1, "serious": False}, "onset_at"),
        ("dosed", "discharge", ATTEST, "at"),
    ],
)
def test_a_time_more_than_a_minute_ahead_is_a_422_naming_it(
    api, esk_session, dosed, nora, step, path, body, field
):
    url = S.format(esk_session.pk)
    if step == "checked_in":
        api(nora, "post", f"{url}/pre-dose", pre_dose())
    else:
        dosed(esk_session, at=timezone.now().replace(microsecond=0) - dt.timedelta(hours=3))
    before = stored(esk_session)
    ahead = (timezone.now() + dt.timedelta(seconds=90)).isoformat()

    response = api(nora, "post", f"{url}/{path}", {**body, field: ahead})

    assert response.status_code == 422, response.content
    assert loc(response)[-1] == field
    assert stored(esk_session) == before
