"""record_pre_dose and decide_proceed: go/hold from the monitoring rules, who decides over a hold,
and every refusal leaving nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import PreDose, SessionAlert
from ketacare.chair.services import decide_proceed, record_pre_dose
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK, IV, fresh, pre_dose_values, stored

pytestmark = pytest.mark.django_db

HOLD_SBP = int(DEFAULT_SETTINGS.value("MON-BP-HOLD", "systolic_above_mmhg")) + 1
SEVERE_SBP = int(DEFAULT_SETTINGS.value("MON-BP-PREDOSE-SEVERE", "systolic_at_or_above_mmhg"))
HOLD_SPO2 = int(DEFAULT_SETTINGS.value("MON-SPO2-HOLD", "spo2_below_percent")) - 1


def rules(outcome) -> set[str]:
    return {alert.rule for alert in outcome.result.alerts}


# --- go and hold ----------------------------------------------------------------------------


@pytest.mark.parametrize("route", [ESK, IV, "oral_ketamine"])
def test_normal_checks_are_go_and_put_the_patient_in_the_chair(session_today, nora, route):
    session = session_today(route)
    version = session.version

    outcome = record_pre_dose(session=session, values=pre_dose_values(), by=nora)

    assert outcome.result.dosing == "go"
    assert outcome.alerts == []
    assert fresh(session).status == "in_chair"
    assert session.version == version + 1
    row = PreDose.objects.get(session=session)
    assert (row.systolic, row.nurse_id, row.recorded_by_id, row.chair) == (
        128,
        nora.user_id,
        nora.user_id,
        "Chair 2",
    )
    assert row.dosing == "go"
    event = AuditEvent.objects.filter(object_type="session_pre_dose").get()
    assert event.object_id == str(row.pk) and "dosing=go" in event.detail


def test_blood_pressure_above_the_hold_threshold_holds_and_keeps_the_alert(esk_session, nora):
    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=HOLD_SBP, diastolic=85), by=nora
    )

    assert outcome.result.dosing == "hold"
    assert "MON-BP-HOLD" in rules(outcome)
    (alert,) = outcome.alerts
    assert (alert.rule, alert.level, alert.at) == ("MON-BP-HOLD", "warning", outcome.pre_dose.at)
    assert PreDose.objects.get(session=esk_session).dosing == "hold"


def test_a_severe_pre_dose_pressure_is_a_critical_hold(esk_session, nora):
    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=SEVERE_SBP, diastolic=100), by=nora
    )

    assert outcome.result.dosing == "hold"
    levels = {a.rule: a.level for a in outcome.alerts}
    assert levels["MON-BP-PREDOSE-SEVERE"] == "critical"


def test_low_spo2_holds(iv_session, nora):
    outcome = record_pre_dose(session=iv_session, values=pre_dose_values(spo2=HOLD_SPO2), by=nora)

    assert outcome.result.dosing == "hold"
    assert "MON-SPO2-HOLD" in rules(outcome)


def test_an_esketamine_patient_not_enrolled_in_the_rems_is_a_critical_hold(esk_session, nora):
    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(rems_patient_enrolled=False), by=nora
    )

    assert outcome.result.dosing == "hold"
    assert {a.rule: a.level for a in outcome.alerts}["MON-REMS-ENROLLED"] == "critical"


def test_the_setting_certification_defaults_to_the_clinics(esk_session, nora, chair_clinic):
    chair_clinic.esketamine_rems_certified = False
    chair_clinic.save()

    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(rems_setting_certified=None), by=nora
    )

    assert PreDose.objects.get(session=esk_session).rems_setting_certified is False
    assert outcome.result.dosing == "hold"
    assert "MON-REMS-ENROLLED" in rules(outcome)


def test_the_setting_certification_of_a_certified_clinic_is_go(esk_session, nora):
    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(rems_setting_certified=None), by=nora
    )

    assert PreDose.objects.get(session=esk_session).rems_setting_certified is True
    assert outcome.result.dosing == "go"


def test_warnings_without_hold_are_kept_for_acknowledgement(esk_session, nora):
    at = timezone.now()
    outcome = record_pre_dose(
        session=esk_session,
        values=pre_dose_values(
            at=at, escort_confirmed=False, last_food_at=at - dt.timedelta(minutes=30)
        ),
        by=nora,
        now=at,
    )

    assert outcome.result.dosing == "go"
    assert {a.rule for a in outcome.alerts} == {"MON-ESCORT", "MON-FASTING"}


def test_recording_again_replaces_the_values_keeps_history_and_clears_the_decision(
    esk_session, nora, alice
):
    record_pre_dose(session=esk_session, values=pre_dose_values(systolic=HOLD_SBP), by=nora)
    decide_proceed(session=esk_session, reason="Benefit outweighs a transient rise.", by=alice)

    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=HOLD_SBP), by=nora
    )

    row = PreDose.objects.get(session=esk_session)
    assert row.proceed_at is None and row.proceed_reason == ""
    assert row.history.count() == 3
    assert outcome.result.dosing == "hold"
    assert PreDose.objects.filter(session=esk_session).count() == 1


def test_the_responsible_nurse_may_be_named(esk_session, nora, alice):
    record_pre_dose(session=esk_session, values=pre_dose_values(nurse_id=nora.user_id), by=alice)

    row = PreDose.objects.get(session=esk_session)
    assert (row.nurse_id, row.recorded_by_id) == (nora.user_id, alice.user_id)


@pytest.mark.parametrize("who", ["cora", "nell", "unknown"])
def test_the_nurse_must_be_a_charting_member_of_the_clinic(request, esk_session, nora, who):
    user_id = 999_999 if who == "unknown" else request.getfixturevalue(who).user_id
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_pre_dose(session=esk_session, values=pre_dose_values(nurse_id=user_id), by=nora)

    assert set(refused.value.message_dict) == {"nurse_id"}
    assert stored(esk_session) == before


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"systolic": 40}, "systolic"),
        ({"diastolic": 130, "systolic": 120}, "diastolic"),
        ({"spo2": 140}, "spo2"),
        ({"heart_rate": 300}, "heart_rate"),
        ({"respiratory_rate": 70}, "respiratory_rate"),
        ({"systolic": None}, "systolic"),
        ({"systolic": "120"}, "systolic"),
        ({"identity_confirmed": None}, "identity_confirmed"),
        ({"escort_confirmed": "yes"}, "escort_confirmed"),
        ({"chair": "x" * 41}, "chair"),
    ],
)
def test_impossible_values_are_refused_naming_the_field_and_nothing_is_stored(
    esk_session, nora, change, field
):
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_pre_dose(session=esk_session, values=pre_dose_values(**change), by=nora)

    assert set(refused.value.message_dict) == {field}
    assert stored(esk_session) == before


@pytest.mark.parametrize("field", ["at", "last_food_at", "last_liquid_at", "nasal_medication_at"])
def test_a_time_in_the_future_is_refused_naming_it(esk_session, nora, field):
    now = timezone.now()
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_pre_dose(
            session=esk_session,
            values=pre_dose_values(**{field: now + dt.timedelta(seconds=61)}),
            by=nora,
            now=now,
        )

    assert set(refused.value.message_dict) == {field}
    assert stored(esk_session) == before


def test_a_time_up_to_a_minute_ahead_is_a_clock_difference_kept_as_now(esk_session, nora):
    now = timezone.now()

    record_pre_dose(
        session=esk_session,
        values=pre_dose_values(at=now + dt.timedelta(seconds=60)),
        by=nora,
        now=now,
    )

    assert PreDose.objects.get(session=esk_session).at == now


def test_a_naive_time_is_refused(esk_session, nora):
    with pytest.raises(ValidationError) as refused:
        record_pre_dose(
            session=esk_session, values=pre_dose_values(at=dt.datetime(2026, 1, 1, 9)), by=nora
        )

    assert set(refused.value.message_dict) == {"at"}


def test_only_on_the_sessions_date(esk_session, nora):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_pre_dose(
            session=esk_session, values=pre_dose_values(at=tomorrow), by=nora, now=tomorrow
        )

    assert refused.value.code == "not_today"
    assert stored(esk_session) == before


def test_a_cancelled_session_takes_no_check_in(esk_session, nora):
    esk_session.status = "cancelled"
    esk_session.save()

    with pytest.raises(ChairConflict) as refused:
        record_pre_dose(session=esk_session, values=pre_dose_values(), by=nora)

    assert refused.value.code == "cancelled"


def test_the_pre_dose_checks_no_longer_change_once_dosed(esk_session, dosed, nora):
    dosed(esk_session)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_pre_dose(session=esk_session, values=pre_dose_values(systolic=120), by=nora)

    assert refused.value.code == "already_dosed"
    assert stored(esk_session) == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(esk_session, nora):
    read = esk_session.version
    record_pre_dose(session=esk_session, values=pre_dose_values(), version=read, by=nora)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_pre_dose(
            session=esk_session, values=pre_dose_values(systolic=150), version=read, by=nora
        )

    assert refused.value.code == "stale_version"
    assert stored(esk_session) == before


def test_two_nurses_saving_the_same_session_the_second_gets_a_conflict(esk_session, nora, alice):
    # Both read the session at the same version; nora saves first.
    version = esk_session.version
    record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=130), version=version, by=nora
    )

    with pytest.raises(ChairConflict) as refused:
        record_pre_dose(
            session=esk_session, values=pre_dose_values(systolic=150), version=version, by=alice
        )

    assert refused.value.code == "stale_version"
    assert PreDose.objects.get(session=esk_session).systolic == 130


@pytest.mark.parametrize("person", ["adam", "cora", "audrey"])
def test_roles_that_do_not_chart_get_403_audited(request, esk_session, person):
    member = request.getfixturevalue(person)
    before = stored(esk_session)

    with pytest.raises(PermissionDenied):
        record_pre_dose(session=esk_session, values=pre_dose_values(), by=member)

    assert stored(esk_session) == before
    denied = AuditEvent.objects.get(allowed=False)
    assert denied.detail == "role_lacks:chart_session"


def test_another_clinics_member_gets_404(esk_session, nell):
    with pytest.raises(Http404):
        record_pre_dose(session=esk_session, values=pre_dose_values(), by=nell)

    assert AuditEvent.objects.get(allowed=False).detail.startswith("not_found_in_clinic")


# --- the prescriber's decision ---------------------------------------------------------------


def test_a_prescriber_proceeds_over_a_blood_pressure_hold_with_a_reason(esk_session, nora, alice):
    outcome = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=HOLD_SBP), by=nora
    )

    row = decide_proceed(
        session=esk_session, reason="Transient rise expected; benefit outweighs it.", by=alice
    )

    assert (row.proceed_by_id, row.proceed_reason) == (
        alice.user_id,
        "Transient rise expected; benefit outweighs it.",
    )
    (alert,) = outcome.alerts
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == alice.user_id
    assert alert.note.startswith("Decision to proceed:")
    assert "proceed" in AuditEvent.objects.filter(object_type="session_pre_dose").last().detail


def test_a_prescriber_proceeds_over_a_low_spo2_hold(iv_session, nora, alice):
    record_pre_dose(session=iv_session, values=pre_dose_values(spo2=HOLD_SPO2), by=nora)

    row = decide_proceed(session=iv_session, reason="Chronic lung disease; baseline.", by=alice)

    assert row.proceed_at is not None


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"systolic": SEVERE_SBP, "diastolic": 100}, "MON-BP-PREDOSE-SEVERE"),
        ({"rems_patient_enrolled": False}, "MON-REMS-ENROLLED"),
        ({"rems_setting_certified": False}, "MON-REMS-ENROLLED"),
    ],
)
def test_a_severe_or_rems_hold_is_never_decidable(esk_session, nora, alice, change, rule):
    record_pre_dose(session=esk_session, values=pre_dose_values(**change), by=nora)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        decide_proceed(session=esk_session, reason="Proceed anyway.", by=alice)

    assert refused.value.code == "hold_not_decidable"
    assert [r.split(":")[0] for r in refused.value.reasons] == [rule]
    assert stored(esk_session) == before


def test_a_nurse_may_not_decide_over_a_hold(esk_session, nora):
    record_pre_dose(session=esk_session, values=pre_dose_values(systolic=HOLD_SBP), by=nora)
    before = stored(esk_session)

    with pytest.raises(PermissionDenied):
        decide_proceed(session=esk_session, reason="I think it is fine.", by=nora)

    assert stored(esk_session) == before
    assert AuditEvent.objects.get(allowed=False).detail == "role_lacks:decide_session"


def test_there_is_nothing_to_decide_without_a_hold(esk_session, nora, alice):
    record_pre_dose(session=esk_session, values=pre_dose_values(), by=nora)

    with pytest.raises(ChairConflict) as refused:
        decide_proceed(session=esk_session, reason="Proceed.", by=alice)

    assert refused.value.code == "no_hold"


def test_a_decision_needs_the_pre_dose_checks(esk_session, alice):
    with pytest.raises(ChairConflict) as refused:
        decide_proceed(session=esk_session, reason="Proceed.", by=alice)

    assert refused.value.code == "no_pre_dose"


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_a_decision_needs_a_written_reason(esk_session, nora, alice, reason):
    record_pre_dose(session=esk_session, values=pre_dose_values(systolic=HOLD_SBP), by=nora)

    with pytest.raises(ValidationError) as refused:
        decide_proceed(session=esk_session, reason=reason, by=alice)

    assert set(refused.value.message_dict) == {"reason"}
    assert PreDose.objects.get(session=esk_session).proceed_at is None


def test_evaluating_again_never_repeats_an_alert(esk_session, nora):
    values = pre_dose_values(systolic=HOLD_SBP)
    at = timezone.now()
    record_pre_dose(session=esk_session, values=pre_dose_values(systolic=HOLD_SBP, at=at), by=nora)

    record_pre_dose(session=esk_session, values=pre_dose_values(systolic=HOLD_SBP, at=at), by=nora)

    assert SessionAlert.objects.filter(session=esk_session, rule="MON-BP-HOLD").count() == 1
    assert values.systolic == HOLD_SBP


# --- the holds of a superseded pre-dose record ----------------------------------------------


def open_holds(session) -> list[SessionAlert]:
    return list(
        SessionAlert.objects.filter(
            session=session, rule__in=("MON-BP-HOLD", "MON-SPO2-HOLD"), acknowledged_at=None
        )
    )


@pytest.mark.parametrize(
    ("held", "rule"),
    [({"systolic": HOLD_SBP}, "MON-BP-HOLD"), ({"spo2": HOLD_SPO2}, "MON-SPO2-HOLD")],
)
def test_a_newer_record_that_no_longer_holds_closes_the_old_holds_alert_as_superseded(
    esk_session, nora, held, rule
):
    # Given a hold, and the vitals taken again after rest, now normal
    now = timezone.now()
    first = record_pre_dose(
        session=esk_session,
        values=pre_dose_values(at=now - dt.timedelta(minutes=10), **held),
        by=nora,
        now=now,
    )
    (old,) = first.alerts

    second = record_pre_dose(session=esk_session, values=pre_dose_values(at=now), by=nora, now=now)

    # Then the old record's hold alert is closed: who, when, why, audited; nothing new raised
    assert second.result.dosing == "go" and second.alerts == []
    old.refresh_from_db()
    assert (old.acknowledged_by_id, old.acknowledged_at, old.version) == (nora.user_id, now, 2)
    clock = f"{timezone.localtime(now):%H:%M}"
    assert old.note == f"Superseded by the pre-dose record of {clock}: {rule} no longer holds."
    assert open_holds(esk_session) == []
    event = AuditEvent.objects.get(object_type="session_alert", object_id=str(old.pk))
    assert event.detail == f"superseded session={esk_session.pk} rule={rule} level=warning"
    assert "superseded=1" in AuditEvent.objects.filter(object_type="session_pre_dose").last().detail


def test_a_newer_record_that_holds_again_leaves_only_its_own_alert_open(esk_session, nora):
    now = timezone.now()
    first = record_pre_dose(
        session=esk_session,
        values=pre_dose_values(systolic=HOLD_SBP, at=now - dt.timedelta(minutes=10)),
        by=nora,
        now=now,
    )

    second = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=HOLD_SBP + 5, at=now), by=nora, now=now
    )

    (new,) = second.alerts
    assert open_holds(esk_session) == [new]
    assert new.at == second.pre_dose.at
    (old,) = first.alerts
    old.refresh_from_db()
    assert old.note.endswith("the same hold stands on its own alert.")


def test_a_critical_pre_dose_alert_of_a_superseded_record_stays_for_someone_to_acknowledge(
    esk_session, nora
):
    now = timezone.now()
    record_pre_dose(
        session=esk_session,
        values=pre_dose_values(systolic=SEVERE_SBP, at=now - dt.timedelta(minutes=10)),
        by=nora,
        now=now,
    )

    record_pre_dose(session=esk_session, values=pre_dose_values(at=now), by=nora, now=now)

    severe = SessionAlert.objects.get(session=esk_session, rule="MON-BP-PREDOSE-SEVERE")
    assert severe.acknowledged_at is None


def test_the_decision_to_proceed_also_closes_a_superseded_records_hold_left_open(
    esk_session, nora, alice
):
    # Given a superseded record's hold alert still open (recorded before superseded holds were
    # closed) and a newer record that holds
    now = timezone.now()
    first = record_pre_dose(
        session=esk_session,
        values=pre_dose_values(spo2=HOLD_SPO2, at=now - dt.timedelta(minutes=10)),
        by=nora,
        now=now,
    )
    second = record_pre_dose(
        session=esk_session, values=pre_dose_values(systolic=HOLD_SBP, at=now), by=nora, now=now
    )
    (stale,) = first.alerts
    SessionAlert.objects.filter(pk=stale.pk).update(
        acknowledged_at=None, acknowledged_by=None, note="", version=1
    )

    # When the prescriber records the decision to proceed
    decide_proceed(session=esk_session, reason="Benefit outweighs it.", by=alice, now=now)

    # Then no hold alert is left for a nurse, each closed with its reason and audited
    assert open_holds(esk_session) == []
    stale.refresh_from_db()
    (current,) = second.alerts
    current.refresh_from_db()
    assert stale.acknowledged_by_id == current.acknowledged_by_id == alice.user_id
    assert stale.note.startswith("Superseded by the pre-dose record of ")
    assert stale.note.endswith("decision to proceed: Benefit outweighs it.")
    assert current.note == "Decision to proceed: Benefit outweighs it."
    details = set(
        AuditEvent.objects.filter(object_type="session_alert").values_list("detail", flat=True)
    )
    assert f"proceed session={esk_session.pk} rule=MON-BP-HOLD level=warning" in details
    assert f"superseded session={esk_session.pk} rule=MON-SPO2-HOLD level=warning" in details
