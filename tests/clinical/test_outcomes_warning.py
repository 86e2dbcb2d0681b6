"""OUT-EARLY-WARNING (reference 6.1, 6.2): booster alert after response or remission."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.outcomes import (
    OutcomeSeries,
    RelapseEvent,
    RelapseEventKind,
    early_warning,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings
from tests.clinical.outcomes_helpers import SCALE_RULE, START, weekly


def rise(instrument: str) -> int:
    return int(DEFAULT_SETTINGS.value("OUT-EARLY-WARNING", f"{instrument}_rise_at_least_points"))


def test_phq9_rise_is_the_verified_mcid_of_five_points():
    assert rise("phq9") == 5


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_phq9_rise_above_the_nadir_fires_at_the_value_and_above(offset):
    # Baseline at the top of the scale, nadir 2 (remission); the latest stays at least half
    # below the baseline so that only the rise can fire the warning.
    baseline = int(DEFAULT_SETTINGS.value(SCALE_RULE["phq9"], "total_maximum_points"))
    latest = 2 + rise("phq9") + offset
    assert latest * 2 <= baseline
    warning = early_warning(weekly("phq9", baseline, 2, latest))
    assert warning.fires is (offset >= 0)
    assert all(reason.startswith("OUT-EARLY-WARNING: ") for reason in warning.reasons)
    assert len(warning.reasons) == 1


def test_only_the_phq9_has_a_rise_threshold():
    # Reference 6.2: the PHQ-9 MCID (+5, LOWE-2004) is the only verified one in points.
    names = set(REGISTRY["OUT-EARLY-WARNING"].defaults)
    assert names == {"phq9_rise_at_least_points"}


@pytest.mark.parametrize("instrument", ["gad7", "madrs", "qids_sr16"])
def test_a_rise_above_the_nadir_alone_never_fires_without_a_verified_mcid(instrument):
    # Baseline at the top of the scale, nadir 0; the latest climbs to exactly half the baseline,
    # still a response, so only an (invented) rise could fire the warning.
    baseline = int(DEFAULT_SETTINGS.value(SCALE_RULE[instrument], "total_maximum_points"))
    warning = early_warning(weekly(instrument, baseline, 0, baseline // 2))
    assert not warning.fires
    assert "no verified MCID" in warning.reasons[0]


@pytest.mark.parametrize("instrument", ["gad7", "madrs", "qids_sr16"])
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_without_a_verified_mcid_the_lost_response_fires_at_the_boundary(instrument, offset):
    # Baseline 20: a response is at most 10; 11 is no longer at least 50 % below baseline.
    warning = early_warning(weekly(instrument, 20, 0, 10 + offset))
    assert warning.fires is (offset > 0)
    if warning.fires:
        assert "no longer at least 50% below the baseline 20" in warning.reasons[0]


def test_a_rise_override_for_an_instrument_without_a_verified_mcid_is_refused():
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({"OUT-EARLY-WARNING": {"madrs_rise_at_least_points": 11}})
    assert "OUT-EARLY-WARNING" in caught.value.message


def test_no_longer_half_below_baseline_fires_after_a_response():
    warning = early_warning(weekly("phq9", 20, 10, 11))
    assert warning.fires
    assert "no longer at least 50% below the baseline 20" in warning.reasons[0]


def test_both_reasons_are_given_when_both_hold():
    warning = early_warning(weekly("phq9", 20, 4, 12))
    assert warning.fires and len(warning.reasons) == 2


def test_remission_without_response_does_not_fire_on_the_reduction_alone():
    # MADRS 14 -> 10 is remission at 28.6 %; 11 is still not "no longer >= 50 %" since it never was.
    warning = early_warning(weekly("madrs", 14, 10, 11))
    assert not warning.fires


def test_no_response_or_remission_does_not_fire_and_says_why():
    warning = early_warning(weekly("phq9", 20, 18, 25))
    assert not warning.fires
    assert "has not been reached" in warning.reasons[0]


def test_no_baseline_does_not_fire_and_says_why():
    warning = early_warning(OutcomeSeries("phq9", ()))
    assert not warning.fires
    assert "OUT-NO-BASELINE" in warning.reasons[0]


def test_a_stable_remission_does_not_fire():
    warning = early_warning(weekly("phq9", 20, 4, 3, 4))
    assert not warning.fires
    assert warning.reasons


def test_a_relapse_does_not_silence_the_warning():
    event = RelapseEvent(START + dt.timedelta(days=10), RelapseEventKind.SUICIDE_ATTEMPT)
    warning = early_warning(weekly("phq9", 20, 4, 10), events=[event])
    assert warning.fires


def test_a_clinic_rise_override_is_honoured():
    looser = ClinicalSettings.with_overrides(
        {"OUT-EARLY-WARNING": {"phq9_rise_at_least_points": 7}}
    )
    assert early_warning(weekly("phq9", 20, 2, 7)).fires
    assert not early_warning(weekly("phq9", 20, 2, 7), settings=looser).fires


def test_a_rise_override_out_of_range_is_refused_naming_the_rule():
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({"OUT-EARLY-WARNING": {"phq9_rise_at_least_points": 0}})
    assert "OUT-EARLY-WARNING" in caught.value.message
