"""Wilson intervals and Kaplan-Meier against values computed here by other methods."""

from __future__ import annotations

import math
import random

import pytest

from ketacare.clinical.outcomes.benchmarks import BENCHMARKS, Measure, matching_benchmarks
from ketacare.clinical.outcomes.statistics import (
    Z_95,
    SurvivalRow,
    kaplan_meier,
    wilson,
)

# --- Wilson ---------------------------------------------------------------------------------


def wilson_by_quadratic(k: int, n: int, z: float) -> tuple[float, float]:
    """The p where the score statistic |k/n - p| / sqrt(p(1-p)/n) equals z: the roots of
    (1 + z^2/n) p^2 - (2 k/n + z^2/n) p + (k/n)^2 = 0."""
    phat = k / n
    a = 1 + z * z / n
    b = -(2 * phat + z * z / n)
    c = phat * phat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("k", "n"), [(1, 1), (0, 1), (3, 10), (7, 10), (52, 100), (1, 2)])
def test_wilson_is_the_quadratic_root_pair(k: int, n: int) -> None:
    result = wilson(k, n)
    low, high = wilson_by_quadratic(k, n, Z_95)
    assert result.rate == pytest.approx(k / n)
    assert result.ci95 is not None
    assert result.ci95[0] == pytest.approx(max(0.0, low), abs=1e-12)
    assert result.ci95[1] == pytest.approx(min(1.0, high), abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(3, 10), (40, 90), (999, 1000)])
def test_the_score_statistic_at_each_end_is_z(k: int, n: int) -> None:
    interval = wilson(k, n).ci95
    assert interval is not None
    for p in interval:
        assert abs(k / n - p) / math.sqrt(p * (1 - p) / n) == pytest.approx(Z_95)


def test_a_published_wilson_interval() -> None:
    # Newcombe (Stat Med 1998), table I: 81 of 263 gives 0.2553 to 0.3662 by the score method.
    interval = wilson(81, 263).ci95
    assert interval is not None
    assert interval == (pytest.approx(0.2553, abs=5e-5), pytest.approx(0.3662, abs=5e-5))


def test_no_patients_no_rate() -> None:
    result = wilson(0, 0)
    assert (result.n, result.k, result.rate, result.ci95) == (0, 0, None, None)


def test_none_and_all_reach_the_ends_exactly() -> None:
    none, every = wilson(0, 12), wilson(12, 12)
    assert none.ci95 is not None and every.ci95 is not None
    assert none.ci95[0] == 0.0 and 0 < none.ci95[1] < 1
    assert every.ci95[1] == 1.0 and 0 < every.ci95[0] < 1
    # Symmetry: k of n and n-k of n mirror each other.
    assert every.ci95[0] == pytest.approx(1 - none.ci95[1])


@pytest.mark.parametrize(("k", "n"), [(-1, 3), (4, 3), (0, -1)])
def test_impossible_counts_are_refused(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson(k, n)


# --- Kaplan-Meier ---------------------------------------------------------------------------


def brute_force(times: list[tuple[int, bool]], z: float) -> dict[int, tuple[float, float, float]]:
    """From individual (day, relapsed) pairs: at each event day u, S(u) = product over event
    days v <= u of (1 - d_v / r_v), r_v counting everyone whose day is >= v; Greenwood's sum and
    the log(-log) band written out directly."""
    out: dict[int, tuple[float, float, float]] = {}
    survival, total = 1.0, 0.0
    for u in sorted({day for day, event in times if event}):
        at_risk = sum(1 for day, _ in times if day >= u)
        died = sum(1 for day, event in times if day == u and event)
        survival *= 1 - died / at_risk
        if died < at_risk:
            total += died / (at_risk * (at_risk - died))
        if 0 < survival < 1:
            se = math.sqrt(total) / -math.log(survival)
            low = math.exp(-math.exp(math.log(-math.log(survival)) + z * se))
            high = math.exp(-math.exp(math.log(-math.log(survival)) - z * se))
        else:
            low = high = survival
        out[u] = (survival, low, high)
    return out


def rows_of(times: list[tuple[int, bool]]) -> list[SurvivalRow]:
    by_day: dict[int, list[int]] = {}
    for day, event in times:
        by_day.setdefault(day, [0, 0])[0 if event else 1] += 1
    return [SurvivalRow(day, e, c) for day, (e, c) in by_day.items()]


# Freireich et al. 1963, 6-MP arm (weeks; False = censored), the textbook example.
SIX_MP = [(6, True)] * 3 + [(6, False), (7, True), (9, False), (10, True), (10, False)]
SIX_MP += [(11, False), (13, True), (16, True), (17, False), (19, False), (20, False)]
SIX_MP += [(22, True), (23, True), (25, False), (32, False), (32, False), (34, False)]
SIX_MP += [(35, False)]


def test_the_textbook_example() -> None:
    km = kaplan_meier(rows_of(SIX_MP))
    survival = {p.day: round(p.survival, 3) for p in km.curve}
    assert survival == {
        0: 1.0,
        6: 0.857,
        7: 0.807,
        10: 0.753,
        13: 0.690,
        16: 0.627,
        22: 0.538,
        23: 0.448,
        35: 0.448,
    }
    assert km.median_days == 23
    assert (km.followed, km.events) == (21, 9)
    # R: survfit(..., conf.type = "log-log") gives 0.620-0.952 at week 6, 0.188-0.680 at 23.
    six = km.curve[1]
    assert (round(six.low, 3), round(six.high, 3)) == (0.620, 0.952)
    last = km.curve[-2]
    assert (round(last.low, 3), round(last.high, 3)) == (0.188, 0.680)


@pytest.mark.parametrize("seed", range(8))
def test_random_aggregates_agree_with_the_individual_computation(seed: int) -> None:
    rng = random.Random(seed)
    times = [(rng.randrange(0, 60), rng.random() < 0.6) for _ in range(rng.randrange(1, 80))]
    km = kaplan_meier(rows_of(times))
    expected = brute_force(times, Z_95)
    points = {p.day: p for p in km.curve if p.day in expected}
    assert set(points) == set(expected)
    for day, (survival, low, high) in expected.items():
        assert points[day].survival == pytest.approx(survival, abs=1e-12)
        assert points[day].low == pytest.approx(low, abs=1e-12)
        assert points[day].high == pytest.approx(high, abs=1e-12)
    first_half = next((d for d, (s, _, _) in sorted(expected.items()) if s <= 0.5), None)
    assert km.median_days == first_half


def test_everyone_censored_is_a_flat_curve_without_median() -> None:
    km = kaplan_meier([SurvivalRow(10, 0, 3), SurvivalRow(40, 0, 2)])
    assert [(p.day, p.survival, p.low, p.high) for p in km.curve] == [
        (0, 1.0, 1.0, 1.0),
        (40, 1.0, 1.0, 1.0),
    ]
    assert km.median_days is None and km.events == 0 and km.followed == 5


def test_no_one_followed_is_day_zero_alone() -> None:
    km = kaplan_meier([])
    assert km.curve[0].survival == 1.0 and len(km.curve) == 1
    assert (km.followed, km.events, km.median_days) == (0, 0, None)


def test_everyone_relapsing_reaches_zero() -> None:
    km = kaplan_meier([SurvivalRow(5, 1, 0), SurvivalRow(9, 1, 0)])
    assert [(p.day, p.survival) for p in km.curve] == [(0, 1.0), (5, 0.5), (9, 0.0)]
    assert km.curve[-1].low == km.curve[-1].high == 0.0
    assert km.median_days == 5  # the survival is exactly 0.5 on day 5: "at most 0.5"


def test_the_censored_of_an_event_day_are_at_risk_on_it() -> None:
    # Two at risk on day 4: one relapses, one is last seen; the survival is 1/2, not 0.
    km = kaplan_meier([SurvivalRow(4, 1, 1)])
    assert km.curve[-1].survival == 0.5


def test_events_on_day_zero_replace_the_start() -> None:
    km = kaplan_meier([SurvivalRow(0, 1, 0), SurvivalRow(3, 0, 3)])
    assert [(p.day, p.survival) for p in km.curve] == [(0, 0.75), (3, 0.75)]


def test_bad_rows_are_refused() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([SurvivalRow(-1, 1, 0)])


# --- Benchmarks -----------------------------------------------------------------------------


def test_only_the_same_route_scale_and_timepoint_match() -> None:
    rows = matching_benchmarks(
        route="iv_ketamine",
        scale="qids_sr16",
        timepoint="end_of_induction",
        measure=Measure.RESPONSE,
    )
    assert [b.rate for b in rows] == [0.554]
    assert (
        matching_benchmarks(
            route="iv_ketamine",
            scale="phq9",
            timepoint="end_of_induction",
            measure=Measure.RESPONSE,
        )
        == ()
    )
    assert (
        matching_benchmarks(
            route=None, scale="madrs", timepoint="end_of_induction", measure=Measure.RESPONSE
        )
        == ()
    )


def test_remission_rows_need_the_same_cut_off() -> None:
    at_ten = matching_benchmarks(
        route="iv_ketamine",
        scale="madrs",
        timepoint="end_of_induction",
        measure=Measure.REMISSION,
        remission_at_most=10,
    )
    assert [b.rate for b in at_ten] == [0.46]
    assert not matching_benchmarks(
        route="esketamine_nasal",
        scale="madrs",
        timepoint="end_of_induction",
        measure=Measure.REMISSION,
        remission_at_most=10,
    )


def test_every_benchmark_is_a_rate_with_a_source() -> None:
    for b in BENCHMARKS:
        assert 0 < b.rate < 1 and b.source
        assert (b.measure == Measure.REMISSION) == (b.remission_at_most is not None)
