"""record_reading, the alerts it keeps, acknowledge_alert: readings judged at once, alerts kept
once, acknowledged with a note; impossible values and times refused with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import Reading, SessionAlert
from ketacare.chair.queries import get_alert_for
from ketacare.chair.services import (
    acknowledge_alert,
    discharge_session,
    record_pre_dose,
    record_reading,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK_MIN_TIME, fresh, pre_dose_values, reading_values, stored

pytestmark = pytest.mark.django_db

FORTY = dt.timedelta(
    minutes=DEFAULT_SETTINGS.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
)


@pytest.fixture
def dose_at(esk_session, dosed):
    """An esketamine session dosed an hour ago (the first device's time)."""
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    dosed(esk_session, at=at)
    return at


def test_a_normal_reading_raises_nothing_and_says_when_the_next_is_due(esk_session, dose_at, nora):
    version = fresh(esk_session).version

    outcome = record_reading(
        session=esk_session, values=reading_values(at=dose_at + FORTY), by=nora
    )

    assert outcome.alerts == []
    assert outcome.next_reading_due is not None and outcome.next_reading_due > dose_at + FORTY
    row = Reading.objects.get(session=esk_session)
    assert (row.systolic, row.moaas, row.recorded_by_id) == (126, 5, nora.user_id)
    assert fresh(esk_session).version == version + 1
    assert AuditEvent.objects.filter(object_type="session_reading", object_id=str(row.pk)).exists()


def test_a_hypertensive_reading_raises_a_critical_alert_at_its_time(esk_session, dose_at, nora):
    at = dose_at + FORTY

    outcome = record_reading(
        session=esk_session, values=reading_values(at=at, systolic=185, diastolic=112), by=nora
    )

    levels = {alert.rule: alert.level for alert in outcome.alerts}
    assert levels["MON-BP-SEVERE"] == "critical"
    assert levels["MON-BP-ELEVATED"] == "warning"
    assert {alert.at for alert in outcome.alerts} == {at}
    assert {alert.reading_id for alert in outcome.alerts} == {outcome.reading.pk}


def test_symptoms_of_a_hypertensive_crisis_are_a_critical_alert(esk_session, dose_at, nora):
    outcome = record_reading(
        session=esk_session,
        values=reading_values(at=dose_at + FORTY, symptoms=["chest_pain"]),
        by=nora,
    )

    assert {a.rule: a.level for a in outcome.alerts}["MON-HTN-SYMPTOMS"] == "critical"


def test_an_alert_is_kept_once_however_often_the_session_is_judged(esk_session, dose_at, nora):
    # No blood pressure in the 40-minute window: MON-BP-40MIN is about something missing, kept
    # once per session however many readings follow.
    late = dose_at + dt.timedelta(minutes=55)
    first = record_reading(
        session=esk_session, values=reading_values(at=late, systolic=None, diastolic=None), by=nora
    )
    second = record_reading(
        session=esk_session,
        values=reading_values(at=late + dt.timedelta(minutes=1), systolic=None, diastolic=None),
        by=nora,
    )

    assert [a.rule for a in first.alerts] == ["MON-BP-40MIN"]
    assert second.alerts == []
    assert SessionAlert.objects.filter(session=esk_session, rule="MON-BP-40MIN").count() == 1


def test_the_same_rule_at_two_readings_is_two_alerts(esk_session, dose_at, nora):
    for minutes in (40, 55):
        record_reading(
            session=esk_session,
            values=reading_values(at=dose_at + dt.timedelta(minutes=minutes), systolic=150),
            by=nora,
        )

    assert SessionAlert.objects.filter(session=esk_session, rule="MON-BP-ELEVATED").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"spo2": 140}, "spo2"),
        ({"diastolic": 130, "systolic": 125}, "diastolic"),
        ({"moaas": 6}, "moaas"),
        ({"cadss": 93}, "cadss"),
        ({"respiratory_rate": -1}, "respiratory_rate"),
        ({"heart_rate": 10}, "heart_rate"),
        ({"symptoms": ["headache"]}, "symptoms.0"),
        ({"symptoms": "chest_pain"}, "symptoms"),
    ],
)
def test_impossible_values_are_refused_naming_the_field_and_nothing_is_stored(
    esk_session, dose_at, nora, change, field
):
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_reading(
            session=esk_session, values=reading_values(at=dose_at + FORTY, **change), by=nora
        )

    assert set(refused.value.message_dict) == {field}
    assert stored(esk_session) == before


@pytest.mark.parametrize(
    "offset", [dt.timedelta(minutes=-1), dt.timedelta(hours=2)], ids=["before_dose", "future"]
)
def test_a_reading_before_the_dose_or_in_the_future_is_refused_naming_at(
    esk_session, dose_at, nora, offset
):
    before = stored(esk_session)
    now = dose_at + dt.timedelta(hours=1)

    with pytest.raises(ValidationError) as refused:
        record_reading(
            session=esk_session,
            values=reading_values(at=(dose_at if offset < dt.timedelta(0) else now) + offset),
            by=nora,
            now=now,
        )

    assert set(refused.value.message_dict) == {"at"}
    assert stored(esk_session) == before


def test_a_reading_needs_a_value(esk_session, dose_at, nora):
    from ketacare.chair.services import ReadingInput

    with pytest.raises(ValidationError):
        record_reading(session=esk_session, values=ReadingInput(), by=nora)

    assert not Reading.objects.exists()


def test_no_reading_before_the_dose(esk_session, nora):
    record_pre_dose(session=esk_session, values=pre_dose_values(), by=nora)

    with pytest.raises(ChairConflict) as refused:
        record_reading(session=esk_session, values=reading_values(), by=nora)

    assert refused.value.code == "not_dosed"


def test_a_discharged_session_takes_no_reading(esk_session, dose_at, nora):
    end = dose_at + ESK_MIN_TIME + dt.timedelta(minutes=1)
    record_reading(session=esk_session, values=reading_values(at=end), by=nora, now=end)
    discharge_session(
        session=esk_session,
        dissociation_resolved=True,
        no_driving_instructed=True,
        by=nora,
        now=end,
    )
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_reading(session=esk_session, values=reading_values(at=end), by=nora, now=end)

    assert refused.value.code == "discharged"
    assert stored(esk_session) == before


@pytest.mark.parametrize("person", ["adam", "cora", "audrey"])
def test_roles_that_do_not_chart_may_not_record_a_reading(request, esk_session, dose_at, person):
    with pytest.raises(PermissionDenied):
        record_reading(
            session=esk_session, values=reading_values(), by=request.getfixturevalue(person)
        )

    assert not Reading.objects.exists()


# --- acknowledging ----------------------------------------------------------------------------


@pytest.fixture
def critical(esk_session, dose_at, nora):
    outcome = record_reading(
        session=esk_session,
        values=reading_values(at=dose_at + FORTY, systolic=185, diastolic=112),
        by=nora,
    )
    return next(a for a in outcome.alerts if a.rule == "MON-BP-SEVERE")


def test_a_nurse_acknowledges_an_alert_with_a_note(esk_session, critical, nora):
    version = fresh(esk_session).version

    done = acknowledge_alert(alert=critical, note="  Prescriber told.  ", version=1, by=nora)

    assert (done.acknowledged_by_id, done.note, done.version) == (
        nora.user_id,
        "Prescriber told.",
        2,
    )
    assert done.acknowledged_at is not None
    assert fresh(esk_session).version == version + 1
    assert (
        "rule=MON-BP-SEVERE" in AuditEvent.objects.filter(object_type="session_alert").get().detail
    )


@pytest.mark.parametrize("note", ["", "  ", None, "x" * 501])
def test_an_acknowledgement_needs_a_note(esk_session, critical, nora, note):
    before = stored(esk_session)

    with pytest.raises(ValidationError) as refused:
        acknowledge_alert(alert=critical, note=note, by=nora)

    assert set(refused.value.message_dict) == {"note"}
    assert stored(esk_session) == before


def test_an_alert_is_acknowledged_once(critical, nora, alice):
    acknowledge_alert(alert=critical, note="Seen.", by=nora)

    with pytest.raises(ChairConflict) as refused:
        acknowledge_alert(alert=critical, note="Seen too.", by=alice)

    assert refused.value.code == "already_acknowledged"
    critical.refresh_from_db()
    assert critical.note == "Seen."


def test_a_stale_alert_version_is_a_conflict(critical, nora):
    with pytest.raises(ChairConflict) as refused:
        acknowledge_alert(alert=critical, note="Seen.", version=7, by=nora)

    assert refused.value.code == "stale_version"
    critical.refresh_from_db()
    assert critical.acknowledged_at is None


def test_another_clinics_member_cannot_read_the_alert(critical, nell):
    with pytest.raises(Http404):
        get_alert_for(nell, critical.pk)

    assert AuditEvent.objects.get(allowed=False).detail.startswith("not_found_in_clinic")


@pytest.mark.parametrize("person", ["adam", "cora", "audrey"])
def test_roles_that_do_not_chart_may_not_acknowledge(request, critical, person):
    with pytest.raises(PermissionDenied):
        acknowledge_alert(alert=critical, note="Seen.", by=request.getfixturevalue(person))

    critical.refresh_from_db()
    assert critical.acknowledged_at is None
