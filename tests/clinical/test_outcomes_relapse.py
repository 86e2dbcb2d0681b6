"""Relapse, recovery and charted events in outcome series (reference 6.1, OUT-RELAPSE-*)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.outcomes import (
    Assessment,
    OutcomeSeries,
    OutcomeStatus,
    RelapseEvent,
    RelapseEventKind,
    evaluate_outcomes,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.outcomes_helpers import day


def series(instrument: str, *points: tuple[int, int]) -> OutcomeSeries:
    """`points` are (day, total); day 0 is the baseline."""
    return OutcomeSeries(instrument, tuple(Assessment(day(d), t) for d, t in points))


def madrs(name: str) -> int:
    return int(DEFAULT_SETTINGS.value("OUT-RELAPSE-MADRS", name))


def moderate(scale_rule: str) -> int:
    return int(DEFAULT_SETTINGS.value(scale_rule, "moderate_minimum_points"))


def test_madrs_relapse_after_remission_completes_on_the_second_high_assessment():
    high = madrs("total_at_least_points")
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, high), (28, high + 2)))
    assert summary.remission.date == day(14)
    assert summary.relapse.met and summary.relapse.date == day(28)
    assert summary.status is OutcomeStatus.RELAPSE


def test_madrs_relapse_defaults_are_the_reference_definition():
    assert madrs("total_at_least_points") == 22
    assert madrs("consecutive_assessments") == 2
    assert (madrs("minimum_days_apart"), madrs("maximum_days_apart")) == (5, 15)


@pytest.mark.parametrize(
    ("gap", "relapsed"),
    [
        (madrs("minimum_days_apart") - 1, False),
        (madrs("minimum_days_apart"), True),
        (madrs("minimum_days_apart") + 1, True),
        (madrs("maximum_days_apart") - 1, True),
        (madrs("maximum_days_apart"), True),
        (madrs("maximum_days_apart") + 1, False),
    ],
)
def test_madrs_relapse_needs_the_two_assessments_five_to_fifteen_days_apart(gap, relapsed):
    high = madrs("total_at_least_points")
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, high), (21 + gap, high)))
    assert summary.relapse.met is relapsed
    assert summary.relapse.date == (day(21 + gap) if relapsed else None)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_madrs_relapse_total_at_value_and_one_either_side(offset):
    total = madrs("total_at_least_points") + offset
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, total), (28, total)))
    assert summary.relapse.met is (offset >= 0)


def test_high_totals_without_prior_response_or_remission_are_not_relapse():
    summary = evaluate_outcomes(series("madrs", (0, 34), (7, 30), (14, 28), (21, 29)))
    assert not summary.relapse.met
    assert summary.status is OutcomeStatus.NO_RESPONSE


def test_an_assessment_below_the_relapse_total_breaks_the_run():
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, 23), (24, 20), (28, 23)))
    assert not summary.relapse.met
    assert summary.status is OutcomeStatus.PARTIAL_RESPONSE


def test_a_retest_closer_than_the_window_does_not_hide_a_relapse():
    # 21 -> 24 is 3 days (too close), 24 -> 27 too; but 21 -> 27 is 6 days with only high
    # totals between: the conservative reading of "consecutive" completes the relapse on day 27.
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, 23), (24, 23), (27, 23)))
    assert summary.relapse.date == day(27)


def test_high_assessments_too_far_apart_start_a_new_run():
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, 23), (41, 23), (46, 23)))
    assert summary.relapse.date == day(46)


def test_recovery_after_relapse_returns_to_remission_and_keeps_the_relapse():
    summary = evaluate_outcomes(series("madrs", (0, 34), (14, 8), (21, 25), (28, 26), (42, 9)))
    assert summary.relapse.met and summary.relapse.date == day(28)
    assert summary.status is OutcomeStatus.REMISSION


def test_a_second_relapse_after_recovery_is_the_one_reported():
    summary = evaluate_outcomes(
        series("madrs", (0, 34), (14, 8), (21, 25), (28, 26), (42, 9), (56, 24), (63, 30))
    )
    assert summary.relapse.date == day(63)
    assert summary.status is OutcomeStatus.RELAPSE


def test_a_response_level_total_at_the_relapse_total_is_not_a_recovery():
    # Baseline 60: 30 is a 50 % reduction, yet 30 is above the relapse total, so still relapse.
    summary = evaluate_outcomes(series("madrs", (0, 60), (7, 20), (14, 40), (21, 40), (28, 30)))
    assert summary.relapse.date == day(21)
    assert summary.status is OutcomeStatus.RELAPSE


def test_the_response_assessment_itself_is_not_part_of_a_relapse():
    # 44 -> 22 meets response and the relapse total; only one later high total follows.
    summary = evaluate_outcomes(series("madrs", (0, 44), (7, 22), (14, 23)))
    assert summary.response.date == day(7)
    assert not summary.relapse.met


@pytest.mark.parametrize(
    ("instrument", "scale_rule", "baseline"),
    [("phq9", "SCALE-PHQ9", 22), ("qids_sr16", "SCALE-QIDS", 22), ("gad7", "SCALE-GAD7", 18)],
)
@pytest.mark.parametrize("offset", [-1, 0])
def test_band_relapse_needs_two_assessments_at_or_above_moderate(
    instrument, scale_rule, baseline, offset
):
    total = moderate(scale_rule) + offset
    rule = {"phq9": "OUT-RELAPSE-PHQ9", "qids_sr16": "OUT-RELAPSE-QIDS", "gad7": "OUT-RELAPSE-GAD7"}
    apart = int(DEFAULT_SETTINGS.value(rule[instrument], "minimum_days_apart"))
    summary = evaluate_outcomes(
        series(instrument, (0, baseline), (14, 3), (21, total), (21 + apart, total))
    )
    assert summary.relapse.met is (offset == 0)


@pytest.mark.parametrize(("gap", "relapsed"), [(4, False), (5, True), (60, True)])
def test_phq9_relapse_has_a_minimum_but_no_maximum_gap(gap, relapsed):
    summary = evaluate_outcomes(series("phq9", (0, 22), (14, 3), (21, 12), (21 + gap, 12)))
    assert summary.relapse.met is relapsed


def test_a_charted_event_after_remission_is_a_relapse_on_its_date():
    event = RelapseEvent(day(30), RelapseEventKind.SUICIDE_ATTEMPT)
    summary = evaluate_outcomes(series("phq9", (0, 22), (14, 3), (28, 4)), events=[event])
    assert summary.relapse.date == day(30)
    assert summary.status is OutcomeStatus.RELAPSE


def test_a_charted_event_before_any_response_is_not_a_relapse():
    event = RelapseEvent(day(7), RelapseEventKind.HOSPITALIZATION_FOR_DEPRESSION)
    summary = evaluate_outcomes(series("phq9", (0, 22), (14, 3)), events=[event])
    assert not summary.relapse.met
    assert summary.status is OutcomeStatus.REMISSION


def test_an_event_on_the_day_of_a_remission_counts_after_it():
    event = RelapseEvent(day(14), RelapseEventKind.HOSPITALIZATION_TO_PREVENT_SUICIDE)
    summary = evaluate_outcomes(series("phq9", (0, 22), (14, 3)), events=[event])
    assert summary.relapse.date == day(14)


def test_an_event_during_a_relapse_keeps_the_first_relapse_date():
    event = RelapseEvent(day(40), RelapseEventKind.SUICIDE_ATTEMPT)
    summary = evaluate_outcomes(
        series("phq9", (0, 22), (14, 3), (21, 12), (28, 12)), events=[event]
    )
    assert summary.relapse.date == day(28)


TOTALS = st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(totals=TOTALS, data=st.data())
def test_order_of_input_never_changes_the_outcome(totals, data):
    points = [(7 * i, t) for i, t in enumerate(totals)]
    shuffled = data.draw(st.permutations(points))
    assert evaluate_outcomes(series("phq9", *points)) == evaluate_outcomes(
        OutcomeSeries("phq9", tuple(Assessment(day(d), t) for d, t in shuffled))
    )


@settings(max_examples=80, deadline=None)
@given(totals=TOTALS)
def test_status_is_consistent_with_the_milestones(totals):
    summary = evaluate_outcomes(series("qids_sr16", *[(6 * i, t) for i, t in enumerate(totals)]))
    if summary.status is OutcomeStatus.RELAPSE:
        assert summary.relapse.met
    if summary.relapse.met:
        assert summary.response.met or summary.remission.met
        assert summary.relapse.date > min(
            d for d in (summary.response.date, summary.remission.date) if d is not None
        )
    if summary.status is OutcomeStatus.REMISSION:
        assert summary.remission.met
    assert summary.nadir <= min(summary.baseline, summary.latest)


# N1: relapse is a return to illness, so the episode must first have had an assessment below the
# relapse total (the one that opened it, or a later one) before a run of high totals counts.
def test_a_response_that_never_left_the_relapse_band_is_not_followed_by_a_relapse():
    high = moderate("SCALE-PHQ9")
    summary = evaluate_outcomes(series("phq9", (0, 27), (7, high + 2), (14, high + 2), (21, 12)))
    assert summary.response.date == day(7)
    assert not summary.relapse.met
    assert summary.status is OutcomeStatus.RESPONSE


def test_the_same_run_after_an_assessment_below_the_relapse_total_is_a_relapse():
    high = moderate("SCALE-PHQ9")
    summary = evaluate_outcomes(
        series("phq9", (0, 27), (7, high + 2), (14, high - 1), (21, high + 2), (28, high + 2))
    )
    assert summary.relapse.date == day(28)
    assert summary.status is OutcomeStatus.RELAPSE


@pytest.mark.parametrize(("dip", "relapsed"), [(None, False), (21, True), (22, False)])
def test_madrs_response_above_the_relapse_total_needs_a_dip_below_it(dip, relapsed):
    high = madrs("total_at_least_points")
    points = [(0, 50), (7, high + 3), (14, high + 3)]
    if dip is not None:
        points.append((21, dip))
    points += [(28, high + 3), (35, high + 3)]
    summary = evaluate_outcomes(series("madrs", *points))
    assert summary.relapse.met is relapsed
    assert summary.relapse.date == (day(35) if relapsed else None)


def _reference_relapse(totals: list[tuple[int, int]], instrument: str) -> dt.date | None:
    """The most recent relapse by the module's reading, compared pair by pair (quadratic)."""
    rule = {"phq9": "OUT-RELAPSE-PHQ9", "madrs": "OUT-RELAPSE-MADRS"}[instrument]
    s = DEFAULT_SETTINGS
    at_least = madrs("total_at_least_points") if instrument == "madrs" else moderate("SCALE-PHQ9")
    remission = int(s.value(f"OUT-REMISSION-{instrument.upper()}", "total_at_most_points"))
    low, high = int(s.value(rule, "minimum_days_apart")), None
    if instrument == "madrs":
        high = madrs("maximum_days_apart")
    baseline = totals[0][1]
    started = relapsed = improved = False
    run: list[tuple[int, int]] = []
    last: dt.date | None = None
    for d, total in totals[1:]:
        better = (baseline > 0 and (baseline - total) * 2 >= baseline) or total <= remission
        is_high = total >= at_least
        if better and (not started or (relapsed and not is_high)):
            started, relapsed, improved, run = True, False, not is_high, []
            continue
        if not started or relapsed:
            continue
        if not is_high:
            improved, run = True, []
            continue
        if not improved:
            continue
        chain = 1 + max(
            (n for e, n in run if d - e >= low and (high is None or d - e <= high)), default=0
        )
        run.append((d, chain))
        if chain >= 2:
            relapsed, last, run = True, day(d), []
    return last


@settings(max_examples=150, deadline=None)
@given(
    instrument=st.sampled_from(["phq9", "madrs"]),
    steps=st.lists(st.tuples(st.integers(1, 20), st.integers(0, 60)), min_size=1, max_size=25),
)
def test_relapse_detection_agrees_with_a_pair_by_pair_reading(instrument, steps):
    top = 27 if instrument == "phq9" else 60
    points, d = [(0, top)], 0
    for gap, total in steps:
        d += gap
        points.append((d, min(total, top)))
    summary = evaluate_outcomes(series(instrument, *points))
    assert summary.relapse.date == _reference_relapse(points, instrument)


class CountingDate(dt.date):
    """A date that counts how often it is subtracted from (the work relapse detection does)."""

    subtractions = 0

    def __sub__(self, other):  # type: ignore[no-untyped-def, override]
        CountingDate.subtractions += 1
        return super().__sub__(other)


def test_relapse_detection_does_a_linear_amount_of_work():
    # MADRS totals >= 22 every 16 days, just past the 15-day window: a run that never completes
    # and keeps growing, the worst case of comparing every high assessment with every other.
    count = 3000
    start = CountingDate(2026, 1, 5)
    assessments = [Assessment(start, 34), Assessment(CountingDate(2026, 1, 12), 8)]
    for i in range(count):
        moment = dt.date(2026, 1, 19) + dt.timedelta(days=16 * i)
        assessments.append(Assessment(CountingDate(moment.year, moment.month, moment.day), 23))
    CountingDate.subtractions = 0

    summary = evaluate_outcomes(OutcomeSeries("madrs", tuple(assessments)))

    assert not summary.relapse.met
    assert CountingDate.subtractions <= 10 * count
