"""discharge_session: every DISCH-* criterion must hold; a prescriber's written override covers
any of them but DISCH-ESK-MIN-TIME, which nobody overrides (SAFE-ESK-2H); the REMS form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import Discharge, RemsForm
from ketacare.chair.services import (
    acknowledge_alert,
    discharge_session,
    record_pre_dose,
    record_reading,
)
from ketacare.clinical.adverse import rems_form_due
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK_MIN_TIME, fresh, pre_dose_values, reading_values, stored

pytestmark = pytest.mark.django_db

IV_MIN_TIME = dt.timedelta(
    minutes=DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")
    + DEFAULT_SETTINGS.value("DISCH-IV-MIN-TIME", "after_infusion_min")
)
ORAL_MIN_TIME = dt.timedelta(
    minutes=DEFAULT_SETTINGS.value("DISCH-ORAL-MIN-TIME", "minimum_after_dose_min")
)
ATTEST = {"dissociation_resolved": True, "no_driving_instructed": True}


def reasons(error: ChairConflict) -> list[str]:
    return [reason.split(":")[0] for reason in error.reasons]


@pytest.fixture
def dose_at(dosed):
    """`dose_at(session)`: dose the session 3 hours ago; the first device's time."""

    def give(session):
        at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
        dosed(session, at=at)
        return at

    return give


def read(session, at, nora, **values):
    return record_reading(session=session, values=reading_values(at=at, **values), by=nora, now=at)


def test_an_esketamine_session_is_discharged_after_two_hours_with_its_rems_form(
    esk_session, dose_at, nora
):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end - dt.timedelta(minutes=5), nora)

    chair = discharge_session(
        session=esk_session, **ATTEST, ready_without_minimum_min=75, by=nora, now=end
    )

    assert fresh(esk_session).status == "discharged"
    row = Discharge.objects.get(session=esk_session)
    assert (row.at, row.by_id, row.overridden, row.ready_without_minimum_min) == (
        end,
        nora.user_id,
        [],
        75,
    )
    assert {c["rule"] for c in row.criteria} >= {"DISCH-ESK-MIN-TIME", "DISCH-ESCORT"}
    assert all(c["status"] == "holds" for c in row.criteria)
    form = RemsForm.objects.get(session=esk_session)
    assert form.due_on == rems_form_due(esk_session.date)
    assert chair.rems_form == form
    assert f"rems_form={form.pk}" in AuditEvent.objects.get(object_type="session_discharge").detail


def test_discharge_before_two_hours_is_refused_naming_the_minimum_time(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    early = start + ESK_MIN_TIME - dt.timedelta(minutes=1)
    read(esk_session, early, nora)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora, now=early)

    assert refused.value.code == "discharge_criteria_unmet"
    assert reasons(refused.value) == ["DISCH-ESK-MIN-TIME"]
    assert stored(esk_session) == before


def test_no_prescriber_overrides_the_esketamine_minimum_time(esk_session, dose_at, nora, alice):
    start = dose_at(esk_session)
    early = start + dt.timedelta(minutes=90)
    read(esk_session, early, nora)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(
            session=esk_session,
            **ATTEST,
            override_reason="Patient insists on leaving.",
            by=alice,
            now=early,
        )

    assert "DISCH-ESK-MIN-TIME" in reasons(refused.value)
    assert stored(esk_session) == before


def test_a_nurse_may_not_override(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)
    before = stored(esk_session)

    with pytest.raises(PermissionDenied):
        discharge_session(
            session=esk_session,
            dissociation_resolved=False,
            no_driving_instructed=True,
            override_reason="Looks fine to me.",
            by=nora,
            now=end,
        )

    assert stored(esk_session) == before
    assert AuditEvent.objects.get(allowed=False).detail == "role_lacks:decide_session"


def test_a_prescriber_overrides_an_overridable_criterion_with_a_reason(
    esk_session, dose_at, nora, alice
):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)

    discharge_session(
        session=esk_session,
        dissociation_resolved=False,
        no_driving_instructed=True,
        override_reason="Mild residual dissociation; spouse stays with the patient.",
        by=alice,
        now=end,
    )

    row = Discharge.objects.get(session=esk_session)
    assert row.overridden == ["DISCH-DISSOCIATION"]
    assert row.override_reason.startswith("Mild residual")
    status = {c["rule"]: c["status"] for c in row.criteria}
    assert status["DISCH-DISSOCIATION"] == "overridden"
    detail = AuditEvent.objects.get(object_type="session_discharge").detail
    assert "overridden=DISCH-DISSOCIATION" in detail


@pytest.mark.parametrize(
    ("attestations", "rule"),
    [
        ({"dissociation_resolved": False, "no_driving_instructed": True}, "DISCH-DISSOCIATION"),
        ({"dissociation_resolved": True, "no_driving_instructed": False}, "DISCH-ESCORT"),
    ],
)
def test_each_attestation_is_a_criterion(esk_session, dose_at, nora, attestations, rule):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **attestations, by=nora, now=end)

    assert reasons(refused.value) == [rule]
    if rule == "DISCH-ESCORT":
        assert "drive" in refused.value.reasons[0]


def test_an_escort_not_confirmed_blocks_discharge(esk_session, nora):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    from ketacare.chair.services import record_dose

    record_pre_dose(
        session=esk_session,
        values=pre_dose_values(at=start, escort_confirmed=False),
        by=nora,
        now=start,
    )
    record_dose(session=esk_session, lot_number="L", at=start, by=nora, now=start)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora, now=end)

    assert reasons(refused.value) == ["DISCH-ESCORT"]


def test_an_open_critical_alert_blocks_discharge_until_acknowledged(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    hypertensive = read(
        esk_session, start + dt.timedelta(minutes=40), nora, systolic=185, diastolic=112
    )
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora, now=end)
    assert reasons(refused.value) == ["DISCH-ALERTS"]

    for alert in hypertensive.alerts:
        if alert.level == "critical":
            acknowledge_alert(alert=alert, note="Prescriber reviewed.", by=nora, now=end)
    discharge_session(session=esk_session, **ATTEST, by=nora, now=end)
    assert fresh(esk_session).status == "discharged"


def test_a_reading_within_the_last_minutes_is_needed(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    read(esk_session, start + dt.timedelta(minutes=60), nora)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora, now=start + ESK_MIN_TIME)

    assert "DISCH-BP" in reasons(refused.value)


@pytest.mark.parametrize(
    ("route", "minimum"), [("iv_ketamine", IV_MIN_TIME), ("oral_ketamine", ORAL_MIN_TIME)]
)
def test_other_routes_have_their_own_minimum_and_no_rems_form(
    session_today, dose_at, nora, route, minimum
):
    session = session_today(route)
    start = dose_at(session)
    read(session, start + minimum - dt.timedelta(minutes=2), nora)

    with pytest.raises(ChairConflict):
        discharge_session(
            session=session, **ATTEST, by=nora, now=start + minimum - dt.timedelta(minutes=1)
        )

    discharge_session(session=session, **ATTEST, by=nora, now=start + minimum)
    assert fresh(session).status == "discharged"
    assert not RemsForm.objects.filter(session=session).exists()


def test_a_prescriber_may_override_the_iv_minimum_time(iv_session, dose_at, nora, alice):
    start = dose_at(iv_session)
    early = start + IV_MIN_TIME - dt.timedelta(minutes=10)
    read(iv_session, early, nora)

    discharge_session(
        session=iv_session,
        **ATTEST,
        override_reason="Stable; transport waiting.",
        by=alice,
        now=early,
    )

    assert Discharge.objects.get(session=iv_session).overridden == ["DISCH-IV-MIN-TIME"]


def test_only_a_dosed_session_is_discharged(esk_session, nora):
    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora)

    assert refused.value.code == "not_dosed"


def test_a_discharged_session_is_not_discharged_again(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)
    discharge_session(session=esk_session, **ATTEST, by=nora, now=end)

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, by=nora, now=end)

    assert refused.value.code == "discharged"
    assert Discharge.objects.filter(session=esk_session).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dissociation_resolved": None}, "dissociation_resolved"),
        ({"no_driving_instructed": "yes"}, "no_driving_instructed"),
        ({"override_reason": " "}, "override_reason"),
        ({"ready_without_minimum_min": -1}, "ready_without_minimum_min"),
        ({"ready_without_minimum_min": 999}, "ready_without_minimum_min"),
    ],
)
def test_bad_discharge_input_is_refused_naming_the_field(
    esk_session, dose_at, nora, alice, change, field
):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        discharge_session(session=esk_session, **{**ATTEST, **change}, by=alice, now=end)

    assert set(refused.value.message_dict) == {field}
    assert stored(esk_session) == before


def test_the_discharge_time_is_not_before_the_last_reading(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)

    with pytest.raises(ValidationError) as refused:
        discharge_session(
            session=esk_session, **ATTEST, at=end - dt.timedelta(minutes=1), by=nora, now=end
        )

    assert set(refused.value.message_dict) == {"at"}


def test_a_stale_version_is_a_conflict(esk_session, dose_at, nora):
    start = dose_at(esk_session)
    end = start + ESK_MIN_TIME
    read(esk_session, end, nora)
    stale = fresh(esk_session).version - 1

    with pytest.raises(ChairConflict) as refused:
        discharge_session(session=esk_session, **ATTEST, version=stale, by=nora, now=end)

    assert refused.value.code == "stale_version"
    assert fresh(esk_session).status == "dosed"
