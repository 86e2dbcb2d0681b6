"""`judgement_changes`: until when `evaluate` of one dosed state judges dosing, the next reading,
discharge and the alerts' levels as it does at `now`. Exact moments at each boundary, and a
property over generated sessions: at any moment before the one returned, the judgement is the
same as at `now`."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    Attestations,
    Checklist,
    Reading,
    SessionState,
    Vitals,
    evaluate,
)
from ketacare.clinical.monitoring.stability import judgement_changes
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.monitoring_helpers import T0, at

TICK = dt.timedelta(microseconds=1)
WITHIN = {
    rule: DEFAULT_SETTINGS.value(rule, "reading_within_min")
    for rule in ("DISCH-BP", "DISCH-SEDATION", "DISCH-RESP")
}
ESK_MIN = DEFAULT_SETTINGS.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min")
ESK_FIRST = DEFAULT_SETTINGS.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
WINDOW_CLOSES = DEFAULT_SETTINGS.value("MON-BP-40MIN", "window_closes_after_dose_min")
ORAL_MIN = DEFAULT_SETTINGS.value("DISCH-ORAL-MIN-TIME", "minimum_after_dose_min")
IV_AFTER = DEFAULT_SETTINGS.value("DISCH-IV-MIN-TIME", "after_infusion_min")
CALM = {"systolic": 118, "diastolic": 76, "heart_rate": 72, "spo2": 98, "respiratory_rate": 14}


def _state(route: str, readings: tuple[Reading, ...] = (), **changes: object) -> SessionState:
    fields: dict[str, object] = {
        "route": route,
        "dose_at": T0,
        "pre_dose": Vitals(**CALM),
        "readings": readings,
        "checklist": Checklist(escort_confirmed=True),
        "attestations": Attestations(dissociation_resolved=True, critical_alerts_acknowledged=True),
    }
    fields.update(changes)
    return SessionState(**fields)  # type: ignore[arg-type]


def _calm(minutes: float) -> Reading:
    return Reading(at=at(minutes), moaas=5, **CALM)


def _judgement(state: SessionState, now: dt.datetime) -> tuple[object, ...]:
    """What the promise covers: dosing, next reading, discharge, and each alert's rule and level
    (MON-BP-40MIN carries `now` as its time while it is open)."""
    result = evaluate(state, now=now)
    levels = sorted((alert.rule, alert.level) for alert in result.alerts)
    return result.dosing, result.next_reading_due, result.discharge, tuple(levels)


def test_before_the_dose_no_judgement_outlives_its_moment():
    with pytest.raises(ClinicalInputError) as caught:
        judgement_changes(_state(ESKETAMINE, dose_at=None), now=at(0))
    assert caught.value.field == "dose_at"


def test_esketamine_without_readings_changes_when_the_forty_minute_check_falls_due():
    state = _state(ESKETAMINE)
    changes = judgement_changes(state, now=at(5))
    assert changes == at(ESK_FIRST) + TICK
    assert _judgement(state, changes - TICK) == _judgement(state, at(5))
    assert _judgement(state, changes) != _judgement(state, at(5))  # MON-BP-40MIN warns


def test_then_when_the_forty_minute_window_closes():
    state = _state(ESKETAMINE)
    changes = judgement_changes(state, now=at(ESK_FIRST) + TICK)
    assert changes == at(WINDOW_CLOSES) + TICK
    assert evaluate(state, now=changes).alerts[-1].message.startswith("No complete blood")


def test_then_when_the_minimum_observation_time_ends():
    state = _state(ESKETAMINE)
    changes = judgement_changes(state, now=at(WINDOW_CLOSES) + TICK)
    assert changes == at(ESK_MIN)
    reasons = evaluate(state, now=changes - TICK).discharge.reasons  # type: ignore[union-attr]
    assert "DISCH-ESK-MIN-TIME" in dict(reasons)
    later = evaluate(state, now=changes).discharge.reasons  # type: ignore[union-attr]
    assert "DISCH-ESK-MIN-TIME" not in dict(later)


@pytest.mark.parametrize("rule", ["DISCH-BP", "DISCH-SEDATION", "DISCH-RESP"])
def test_a_fresh_reading_holds_until_it_is_older_than_its_rule_allows(rule):
    # Oral: no forty-minute check; after the minimum time, only freshness is left to change.
    reading = _calm(ORAL_MIN + 5)
    state = _state(ORAL_KETAMINE, (reading,))
    now = reading.at
    changes = judgement_changes(state, now=now)
    assert changes == reading.at + dt.timedelta(minutes=min(WITHIN.values())) + TICK
    stale_at = reading.at + dt.timedelta(minutes=WITHIN[rule]) + TICK
    assert evaluate(state, now=stale_at - TICK).discharge.ready  # type: ignore[union-attr]
    after = evaluate(state, now=stale_at).discharge  # type: ignore[union-attr]
    assert rule in dict(after.reasons)


def test_iv_ketamine_changes_when_the_infusion_and_its_hour_are_over():
    state = _state(IV_KETAMINE, infusion_duration_min=40)
    assert judgement_changes(state, now=at(1)) == at(40 + IV_AFTER)


def test_nothing_changes_once_every_moment_is_past():
    reading = _calm(ORAL_MIN + 5)
    state = _state(ORAL_KETAMINE, (reading,))
    assert judgement_changes(state, now=at(ORAL_MIN + 60)) is None


# --- the promise, over generated sessions -------------------------------------------------

ROUTES = st.sampled_from([ESKETAMINE, IV_KETAMINE, ORAL_KETAMINE])
READING = st.builds(
    lambda minute, sbp, spo2, moaas, rr: Reading(
        at=at(minute),
        systolic=sbp,
        diastolic=sbp - 40 if sbp is not None else None,
        heart_rate=80,
        spo2=spo2,
        respiratory_rate=rr,
        moaas=moaas,
    ),
    st.integers(min_value=0, max_value=240),
    st.one_of(st.none(), st.integers(min_value=95, max_value=190)),
    st.one_of(st.none(), st.integers(min_value=85, max_value=100)),
    st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    st.one_of(st.none(), st.integers(min_value=6, max_value=24)),
)


@settings(max_examples=300, deadline=None)
@given(
    route=ROUTES,
    readings=st.lists(READING, max_size=8),
    now_minute=st.integers(min_value=0, max_value=300),
    fractions=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=6),
    acknowledged=st.booleans(),
)
def test_the_judgement_is_the_same_at_every_moment_before_the_change(
    route, readings, now_minute, fractions, acknowledged
):
    now = at(now_minute)
    kept = tuple(r for r in readings if r.at <= now)
    state = _state(
        route,
        kept,
        attestations=Attestations(
            dissociation_resolved=True, critical_alerts_acknowledged=acknowledged
        ),
    )
    changes = judgement_changes(state, now=now)
    assert changes is None or changes > now
    end = changes if changes is not None else now + dt.timedelta(hours=12)
    expected = _judgement(state, now)
    moments = [now + (end - now) * f for f in fractions] + [end - TICK]
    for moment in moments:
        if moment < end:
            assert _judgement(state, moment) == expected, moment - T0
