"""Relapse boundaries at the value and one step either side, every number from the registry:
how many consecutive assessments (OUT-RELAPSE-*.consecutive_assessments), how many days apart
(minimum_days_apart, and maximum_days_apart where the rule has one), and at which total (the
MADRS's own total, the moderate band of SCALE-PHQ9/-QIDS/-GAD7). These thresholds are fixed by
their definitions, so each is tested at its default only (reference 6.1)."""

from __future__ import annotations

import pytest

from ketacare.clinical.outcomes import (
    OUTCOME_INSTRUMENTS,
    Assessment,
    OutcomeSeries,
    evaluate_outcomes,
)
from ketacare.clinical.rules import REGISTRY
from tests.clinical.boundary_helpers import Probe, probes, whole
from tests.clinical.outcomes_helpers import SCALE_RULE, day

RELAPSE_RULE = {
    "gad7": "OUT-RELAPSE-GAD7",
    "madrs": "OUT-RELAPSE-MADRS",
    "phq9": "OUT-RELAPSE-PHQ9",
    "qids_sr16": "OUT-RELAPSE-QIDS",
}
# The relapse total: the MADRS rule's own, else the scale's moderate band (reference 6.1).
RELAPSE_CUT = {
    instrument: (rule, "total_at_least_points")
    if "total_at_least_points" in REGISTRY[rule].defaults
    else (SCALE_RULE[instrument], "moderate_minimum_points")
    for instrument, rule in RELAPSE_RULE.items()
}
REMITTED_ON, FIRST_HIGH_ON = 14, 21


def relapse_setting(instrument: str, name: str) -> int:
    return whole(RELAPSE_RULE[instrument], name)


def relapse_cut(instrument: str) -> int:
    return whole(*RELAPSE_CUT[instrument])


def after_remission(instrument: str, count: int, gap: int, total: int) -> OutcomeSeries:
    """A baseline at the scale's maximum, its lowest total (remission) on day 14, then `count`
    assessments of `total`, the first on day 21 and each `gap` days after the previous."""
    highs = [(FIRST_HIGH_ON + i * gap, total) for i in range(count)]
    points = [(0, whole(SCALE_RULE[instrument], "total_maximum_points")), (REMITTED_ON, 0), *highs]
    return OutcomeSeries(instrument, tuple(Assessment(day(d), t) for d, t in points))


def assert_relapse(series: OutcomeSeries, *, on_assessment: int | None, gap: int) -> None:
    """Relapse completes on high assessment number `on_assessment` (1-based), or never (None)."""
    relapse = evaluate_outcomes(series).relapse
    if on_assessment is None:
        assert not relapse.met
        assert relapse.date is None
    else:
        assert relapse.met
        assert relapse.date == day(FIRST_HIGH_ON + (on_assessment - 1) * gap)


def rows(name: str) -> list[object]:
    """Probes of `name` for every outcome instrument whose relapse rule has it."""
    return [
        p
        for instrument in OUTCOME_INSTRUMENTS
        if name in REGISTRY[RELAPSE_RULE[instrument]].defaults
        for p in probes(RELAPSE_RULE[instrument], name, instrument)
    ]


@pytest.mark.parametrize(("instrument", "probe"), rows("consecutive_assessments"))
def test_relapse_needs_the_number_of_consecutive_high_assessments(
    instrument: str, probe: Probe
) -> None:
    gap = relapse_setting(instrument, "minimum_days_apart")
    series = after_remission(instrument, int(probe.value), gap, relapse_cut(instrument))
    completes = int(probe.threshold) if probe.offset >= 0 else None
    assert_relapse(series, on_assessment=completes, gap=gap)


@pytest.mark.parametrize(("instrument", "probe"), rows("minimum_days_apart"))
def test_relapse_needs_its_assessments_at_least_the_minimum_days_apart(
    instrument: str, probe: Probe
) -> None:
    count, gap = relapse_setting(instrument, "consecutive_assessments"), int(probe.value)
    series = after_remission(instrument, count, gap, relapse_cut(instrument))
    assert_relapse(series, on_assessment=count if probe.offset >= 0 else None, gap=gap)


@pytest.mark.parametrize(("instrument", "probe"), rows("maximum_days_apart"))
def test_relapse_needs_its_assessments_at_most_the_maximum_days_apart(
    instrument: str, probe: Probe
) -> None:
    count, gap = relapse_setting(instrument, "consecutive_assessments"), int(probe.value)
    series = after_remission(instrument, count, gap, relapse_cut(instrument))
    assert_relapse(series, on_assessment=count if probe.offset <= 0 else None, gap=gap)


@pytest.mark.parametrize(
    ("instrument", "probe"),
    [p for instrument, (rule, name) in RELAPSE_CUT.items() for p in probes(rule, name, instrument)],
)
def test_relapse_counts_assessments_at_or_above_the_relapse_total(
    instrument: str, probe: Probe
) -> None:
    count = relapse_setting(instrument, "consecutive_assessments")
    gap = relapse_setting(instrument, "minimum_days_apart")
    series = after_remission(instrument, count, gap, int(probe.value))
    assert_relapse(series, on_assessment=count if probe.offset >= 0 else None, gap=gap)


def test_every_outcome_instrument_has_a_relapse_rule() -> None:
    assert set(RELAPSE_RULE) == set(OUTCOME_INSTRUMENTS)
