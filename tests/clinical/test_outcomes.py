"""`ketacare.clinical.outcomes`: baseline, milestones, status (reference 6.1; contract outcomes)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.outcomes import (
    OUTCOME_INSTRUMENTS,
    Assessment,
    OutcomeSeries,
    OutcomeStatus,
    RelapseEvent,
    RelapseEventKind,
    evaluate_outcomes,
    parse_outcome_series,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from tests.clinical.outcomes_helpers import SCALE_RULE, START, day, weekly
from tests.contract_examples import OUTCOMES_INPUT, OUTCOMES_OUTPUT

REMISSION_RULE = {
    "gad7": "OUT-REMISSION-GAD7",
    "madrs": "OUT-REMISSION-MADRS",
    "phq9": "OUT-REMISSION-PHQ9",
    "qids_sr16": "OUT-REMISSION-QIDS",
}


def remission_at_most(instrument: str) -> int:
    return int(DEFAULT_SETTINGS.value(REMISSION_RULE[instrument], "total_at_most_points"))


def maximum_total(instrument: str) -> int:
    return int(DEFAULT_SETTINGS.value(SCALE_RULE[instrument], "total_maximum_points"))


def test_contract_example_gives_the_contract_document():
    series = parse_outcome_series(OUTCOMES_INPUT)
    assert evaluate_outcomes(series).as_document() == OUTCOMES_OUTPUT


def test_unsorted_input_is_sorted_by_date():
    series = OutcomeSeries(
        "phq9",
        (Assessment(day(14), 6), Assessment(day(0), 20), Assessment(day(7), 9)),
    )
    summary = evaluate_outcomes(series)
    assert (summary.baseline, summary.latest, summary.nadir) == (20, 6, 6)
    assert summary.response.date == day(7)
    assert summary.percent_change == -70.0


def test_empty_series_has_no_baseline_and_nothing_met():
    summary = evaluate_outcomes(OutcomeSeries("phq9", ()))
    assert summary.as_document() == {
        "instrument": "phq9",
        "baseline": None,
        "latest": None,
        "nadir": None,
        "percent_change": None,
        "response": {"met": False, "date": None},
        "remission": {"met": False, "date": None},
        "relapse": {"met": False, "date": None},
        "status": "no_baseline",
    }


def test_baseline_date_naming_no_assessment_gives_no_baseline():
    series = OutcomeSeries("phq9", weekly("phq9", 20, 4).assessments, baseline_date=day(3))
    summary = evaluate_outcomes(series)
    assert summary.status is OutcomeStatus.NO_BASELINE
    assert (summary.baseline, summary.latest, summary.nadir, summary.percent_change) == (None,) * 4
    assert not (summary.response.met or summary.remission.met or summary.relapse.met)


def test_baseline_date_in_the_middle_ignores_earlier_assessments():
    # Given a low score before the chosen baseline, when it is ignored, the nadir and the
    # milestones come from the baseline on.
    series = OutcomeSeries("phq9", weekly("phq9", 3, 24, 18, 11).assessments, baseline_date=day(7))
    summary = evaluate_outcomes(series)
    assert (summary.baseline, summary.latest, summary.nadir) == (24, 11, 11)
    assert summary.percent_change == -54.2
    assert summary.response.date == day(21)
    assert not summary.remission.met
    assert summary.status is OutcomeStatus.RESPONSE


def test_baseline_alone_is_no_response_even_if_low():
    summary = evaluate_outcomes(weekly("phq9", 3))
    assert (summary.baseline, summary.latest, summary.nadir, summary.percent_change) == (
        3,
        3,
        3,
        0.0,
    )
    assert not summary.remission.met
    assert summary.status is OutcomeStatus.NO_RESPONSE


def test_zero_baseline_has_no_percent_change_and_no_response():
    summary = evaluate_outcomes(weekly("gad7", 0, 0))
    assert summary.percent_change is None
    assert not summary.response.met
    assert summary.remission.date == day(7)
    assert summary.status is OutcomeStatus.REMISSION


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [
        # 50 % of 40 is 20 points: 20 down is response, 19 down is partial.
        (40, 20, OutcomeStatus.RESPONSE),
        (40, 19, OutcomeStatus.RESPONSE),
        (40, 21, OutcomeStatus.PARTIAL_RESPONSE),
        # 25 % of 40 is 10 points: 10 down is partial, 9 down is none.
        (40, 30, OutcomeStatus.PARTIAL_RESPONSE),
        (40, 29, OutcomeStatus.PARTIAL_RESPONSE),
        (40, 31, OutcomeStatus.NO_RESPONSE),
        # Odd baselines: 50 % of 27 is 13.5, so 14 down is needed; 25 % is 6.75, so 7.
        (27, 13, OutcomeStatus.RESPONSE),
        (27, 14, OutcomeStatus.PARTIAL_RESPONSE),
        (27, 20, OutcomeStatus.PARTIAL_RESPONSE),
        (27, 21, OutcomeStatus.NO_RESPONSE),
        # Worse than baseline.
        (40, 44, OutcomeStatus.NO_RESPONSE),
    ],
)
def test_response_and_partial_boundaries(baseline, latest, status):
    assert latest > remission_at_most("madrs")  # so remission cannot take precedence
    assert evaluate_outcomes(weekly("madrs", baseline, latest)).status is status


def test_response_boundaries_follow_the_registry():
    respond = DEFAULT_SETTINGS.value("OUT-RESPONSE", "reduction_at_least_percent")
    partial = DEFAULT_SETTINGS.value("OUT-PARTIAL", "reduction_at_least_percent")
    baseline = 40
    at_response = baseline - math.ceil(baseline * respond / 100)
    at_partial = baseline - math.ceil(baseline * partial / 100)
    assert evaluate_outcomes(weekly("madrs", baseline, at_response)).response.met
    assert not evaluate_outcomes(weekly("madrs", baseline, at_response + 1)).response.met
    assert evaluate_outcomes(weekly("madrs", baseline, at_partial)).status is (
        OutcomeStatus.PARTIAL_RESPONSE
    )
    assert evaluate_outcomes(weekly("madrs", baseline, at_partial + 1)).status is (
        OutcomeStatus.NO_RESPONSE
    )


@pytest.mark.parametrize("instrument", OUTCOME_INSTRUMENTS)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_remission_threshold_per_instrument_at_value_and_one_either_side(instrument, offset):
    threshold = remission_at_most(instrument)
    baseline = maximum_total(instrument)
    summary = evaluate_outcomes(weekly(instrument, baseline, threshold + offset))
    remitted = offset <= 0
    assert summary.remission.met is remitted
    assert summary.remission.date == (day(7) if remitted else None)
    assert (summary.status is OutcomeStatus.REMISSION) is remitted


def test_madrs_remission_default_is_ten_and_twelve_is_selectable():
    assert remission_at_most("madrs") == 10
    twelve = ClinicalSettings.with_overrides({"OUT-REMISSION-MADRS": {"total_at_most_points": 12}})
    series = weekly("madrs", 30, 12)
    assert not evaluate_outcomes(series).remission.met
    assert evaluate_outcomes(series, settings=twelve).remission.met
    assert evaluate_outcomes(series, settings=twelve).status is OutcomeStatus.REMISSION


def test_madrs_remission_thirteen_is_refused_naming_the_rule():
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({"OUT-REMISSION-MADRS": {"total_at_most_points": 13}})
    assert "OUT-REMISSION-MADRS" in caught.value.field
    assert "OUT-REMISSION-MADRS" in caught.value.message


def test_remission_date_is_the_first_assessment_at_or_below_threshold():
    summary = evaluate_outcomes(weekly("phq9", 21, 4, 9, 3))
    assert summary.remission.date == day(7)
    assert summary.response.date == day(7)
    assert summary.status is OutcomeStatus.REMISSION


def test_remission_without_response_is_possible():
    # 14 -> 10 on the MADRS is 28.6 %: partial by reduction, yet at the remission threshold.
    summary = evaluate_outcomes(weekly("madrs", 14, 10))
    assert summary.remission.met and not summary.response.met
    assert summary.status is OutcomeStatus.REMISSION


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [(34, 9, -73.5), (3, 2, -33.3), (3, 1, -66.7), (20, 21, 5.0), (8, 9, 12.5), (40, 39, -2.5)],
)
def test_percent_change_is_rounded_to_a_tenth_half_away_from_zero(baseline, latest, expected):
    assert evaluate_outcomes(weekly("madrs", baseline, latest)).percent_change == expected


@pytest.mark.parametrize("instrument", ["phq2", "cadss", "moaas", "cssrs_screener", "hamd17"])
def test_instrument_without_outcome_definitions_is_refused(instrument):
    with pytest.raises(ClinicalInputError) as caught:
        parse_outcome_series({"instrument": instrument, "assessments": []})
    assert caught.value.field == "instrument"


def test_python_series_with_unsupported_instrument_is_refused():
    with pytest.raises(ClinicalInputError) as caught:
        evaluate_outcomes(weekly("phq2", 3, 1))
    assert caught.value.field == "instrument"


def test_duplicate_dates_are_refused_naming_the_later_entry():
    with pytest.raises(ClinicalInputError) as caught:
        parse_outcome_series(
            {
                "instrument": "phq9",
                "assessments": [
                    {"date": "2026-01-05", "total": 20},
                    {"date": "2026-01-12", "total": 15},
                    {"date": "2026-01-05", "total": 10},
                ],
            }
        )
    assert caught.value.field == "assessments.2.date"


@pytest.mark.parametrize("instrument", OUTCOME_INSTRUMENTS)
def test_totals_outside_the_instrument_range_are_refused(instrument):
    top = maximum_total(instrument)
    for total in (-1, top + 1):
        with pytest.raises(ClinicalInputError) as caught:
            parse_outcome_series(
                {"instrument": instrument, "assessments": [{"date": "2026-01-05", "total": total}]}
            )
        assert caught.value.field == "assessments.0.total"
    parse_outcome_series(
        {"instrument": instrument, "assessments": [{"date": "2026-01-05", "total": top}]}
    )


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"assessments": []}, "instrument"),
        ({"instrument": "phq9"}, "assessments"),
        ({"instrument": "phq9", "assessments": {}}, "assessments"),
        ({"instrument": "phq9", "assessments": [], "baseline": "2026-01-05"}, "baseline"),
        ({"instrument": "phq9", "assessments": [{"date": "2026-01-05"}]}, "assessments.0.total"),
        (
            {"instrument": "phq9", "assessments": [{"date": "2026-01-05", "total": 3, "x": 1}]},
            "assessments.0.x",
        ),
        (
            {"instrument": "phq9", "assessments": [{"date": "2026-02-30", "total": 3}]},
            "assessments.0.date",
        ),
        (
            {"instrument": "phq9", "assessments": [{"date": "2026-01-05", "total": "3"}]},
            "assessments.0.total",
        ),
        (
            {"instrument": "phq9", "assessments": [{"date": "2026-01-05", "total": 2.5}]},
            "assessments.0.total",
        ),
        ({"instrument": "phq9", "assessments": [], "baseline_date": "5 Jan"}, "baseline_date"),
        ([], "input"),
    ],
)
def test_malformed_documents_are_refused_naming_the_field(document, field):
    with pytest.raises(ClinicalInputError) as caught:
        parse_outcome_series(document)
    assert caught.value.field == field


# A series built in Python (web app, FHIR import) is held to the types the JSON reader gives.
@pytest.mark.parametrize(
    ("series", "field"),
    [
        (OutcomeSeries("phq9", (Assessment("2026-01-05", 20),)),  # type: ignore[arg-type]
         "assessments.0.date"),
        (OutcomeSeries("phq9", (Assessment(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), 20),)),
         "assessments.0.date"),
        (OutcomeSeries("phq9", (Assessment(dt.date(9999, 1, 5), 20),)), "assessments.0.date"),
        (OutcomeSeries("phq9", (Assessment(START, True),)), "assessments.0.total"),
        (OutcomeSeries("phq9", (Assessment(START, 20.0),)),  # type: ignore[arg-type]
         "assessments.0.total"),
        (OutcomeSeries("phq9", ({"date": START, "total": 20},)),  # type: ignore[arg-type]
         "assessments.0"),
        (OutcomeSeries("phq9", "20"), "assessments"),  # type: ignore[arg-type]
        (OutcomeSeries("phq9", (Assessment(START, 20),), baseline_date="2026-01-05"),  # type: ignore[arg-type]
         "baseline_date"),
        (OutcomeSeries(["phq9"], ()), "instrument"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_a_series_built_in_python_with_a_wrong_type_is_refused_naming_the_field(series, field):
    with pytest.raises(ClinicalInputError) as caught:
        evaluate_outcomes(series)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("events", "field"),
    [
        ([RelapseEvent("2026-02-01", RelapseEventKind.SUICIDE_ATTEMPT)], "events.0.date"),  # type: ignore[arg-type]
        ([RelapseEvent(START, "suicide_attempt")], "events.0.kind"),  # type: ignore[arg-type]
        (["suicide_attempt"], "events.0"),
        ("suicide_attempt", "events"),
    ],
)  # fmt: skip
def test_charted_events_built_in_python_are_checked_too(events, field):
    with pytest.raises(ClinicalInputError) as caught:
        evaluate_outcomes(weekly("phq9", 20, 4), events=events)
    assert caught.value.field == field
