"""Screening boundaries at the value and one step either side, every number from the registry:
C-SSRS triage (SCALE-CSSRS-TRIAGE), item ranges of the points instruments (SCALE-*), and the
plausibility limits of an eligibility candidate (ELIG-AGE, ELIG-TRD, ELIG-SEVERITY,
MON-PLAUSIBILITY). All of these are fixed by their published definition, so each is tested at
its default only."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.clinical.eligibility import Candidate, parse_candidate
from ketacare.clinical.instruments import (
    INSTRUMENTS,
    RISK_HIGH,
    RISK_LOW,
    RISK_MODERATE,
    AnswerKind,
    score,
)
from ketacare.clinical.rules import REGISTRY
from tests.clinical.boundary_helpers import SIDES, refusal, row, whole
from tests.contract_examples import SCREEN_INPUT, changed

# --- C-SSRS triage: the highest yes among the ideation questions (reference 5.7) -------------

TRIAGE = "SCALE-CSSRS-TRIAGE"
MODERATE_FROM = whole(TRIAGE, "risk_moderate_minimum_question")
HIGH_FROM = whole(TRIAGE, "risk_high_minimum_question")


def cssrs_answers(highest_yes: int) -> list[bool | None]:
    """Screener answers whose highest yes among questions 1-5 is `highest_yes`, as the skip logic
    asks them (the questions after the opening one only when it is yes), and no to question 6."""
    opening = whole("SCALE-CSSRS", "skip_logic_opening_question")
    behaviour = whole("SCALE-CSSRS", "question_count")
    opened = highest_yes >= opening
    answers: list[bool | None] = []
    for question in range(1, behaviour):
        if question < opening:
            answers.append(question == highest_yes)
        elif question == opening:
            answers.append(opened)
        else:
            answers.append(question == highest_yes if opened else None)
    return [*answers, False]


def test_triage_thresholds_are_the_reference_table() -> None:
    # "Q3 -> risk_moderate; Q4 or Q5 -> risk_high": the rows below rely on the bands touching.
    assert (MODERATE_FROM, HIGH_FROM) == (3, 4)


@pytest.mark.parametrize(
    ("highest_yes", "level"),
    [
        row(TRIAGE, "risk_moderate_minimum_question", "below", MODERATE_FROM - 1, RISK_LOW),
        row(TRIAGE, "risk_moderate_minimum_question", "at", MODERATE_FROM, RISK_MODERATE),
        row(TRIAGE, "risk_moderate_minimum_question", "above", MODERATE_FROM + 1, RISK_HIGH),
        row(TRIAGE, "risk_high_minimum_question", "below", HIGH_FROM - 1, RISK_MODERATE),
        row(TRIAGE, "risk_high_minimum_question", "at", HIGH_FROM, RISK_HIGH),
        row(TRIAGE, "risk_high_minimum_question", "above", HIGH_FROM + 1, RISK_HIGH),
    ],
)
def test_cssrs_triage_level_follows_the_highest_yes(highest_yes: int, level: str) -> None:
    assert score("cssrs_screener", cssrs_answers(highest_yes)).flags == (level,)


# --- item ranges of every points instrument (SCALE-*) -----------------------------------------

POINTS_INSTRUMENTS = [d for d in INSTRUMENTS.values() if d.answer_kind is AnswerKind.INTEGER]
# Each end of the item range, and the side beyond it (refused).
ITEM_ENDS = (("item_minimum_points", -1), ("item_maximum_points", 1))


@pytest.mark.parametrize(
    ("instrument", "answer", "accepted"),
    [
        row(d.rule_id, name, side, d.id, whole(d.rule_id, name) + offset, offset != beyond)
        for d in POINTS_INSTRUMENTS
        for name, beyond in ITEM_ENDS
        for offset, side in SIDES.items()
    ],
)
def test_an_item_answer_is_scored_inside_its_range_and_refused_beyond_it(
    instrument: str, answer: int, accepted: bool
) -> None:
    definition = INSTRUMENTS[instrument]
    lowest = whole(definition.rule_id, "item_minimum_points")
    for index in range(definition.item_count):
        answers = [lowest] * definition.item_count
        answers[index] = answer
        if accepted:
            # The other domains each count their lowest answer (a sum, or QIDS-SR16 maxima).
            expected = answer + lowest * (len(definition.domains) - 1)
            assert score(instrument, answers).total == expected
        else:
            error = refusal(score, instrument, answers)
            assert error.field == f"answers.{index}"
            assert error.field in error.message


def test_every_points_instrument_has_item_range_rows() -> None:
    scale_rules = {d.rule_id for d in POINTS_INSTRUMENTS}
    with_item_range = {
        rule.id
        for rule in REGISTRY.values()
        if rule.id.startswith("SCALE-") and "item_maximum_points" in rule.defaults
    }
    assert scale_rules == with_item_range


# --- plausibility limits of an eligibility candidate (parse_candidate) ------------------------

PLAUSIBILITY = "MON-PLAUSIBILITY"
LOWEST_DIASTOLIC = whole(PLAUSIBILITY, "diastolic_at_least_mmhg")
HIGHEST_SYSTOLIC = whole(PLAUSIBILITY, "systolic_at_most_mmhg")

# (rule, threshold, field of the candidate document, the side beyond the limit)
CANDIDATE_LIMITS = [
    ("ELIG-AGE", "maximum_plausible_years", "age", 1),
    ("ELIG-TRD", "maximum_plausible_trials", "failed_adequate_trials", 1),
    ("ELIG-SEVERITY", "madrs_maximum_points", "madrs_total", 1),
    (PLAUSIBILITY, "systolic_at_least_mmhg", "blood_pressure.systolic", -1),
    (PLAUSIBILITY, "systolic_at_most_mmhg", "blood_pressure.systolic", 1),
    (PLAUSIBILITY, "diastolic_at_least_mmhg", "blood_pressure.diastolic", -1),
    (PLAUSIBILITY, "diastolic_at_most_mmhg", "blood_pressure.diastolic", 1),
]


def candidate_with(field: str, value: int) -> dict[str, Any]:
    """The contract's candidate with one field set; the other pressure is the plausible extreme
    that keeps the diastolic below the systolic, so only `field` decides."""
    if field == "blood_pressure.systolic":
        return changed(
            SCREEN_INPUT, blood_pressure={"systolic": value, "diastolic": LOWEST_DIASTOLIC}
        )
    if field == "blood_pressure.diastolic":
        return changed(
            SCREEN_INPUT, blood_pressure={"systolic": HIGHEST_SYSTOLIC, "diastolic": value}
        )
    return changed(SCREEN_INPUT, **{field: value})


def read_back(candidate: Candidate, field: str) -> int | None:
    pressure = candidate.blood_pressure
    values = {
        "age": candidate.age_years,
        "failed_adequate_trials": candidate.failed_adequate_trials,
        "madrs_total": candidate.madrs_total,
        "blood_pressure.systolic": pressure.systolic_mmhg if pressure else None,
        "blood_pressure.diastolic": pressure.diastolic_mmhg if pressure else None,
    }
    return values[field]


@pytest.mark.parametrize(
    ("field", "limit", "value", "accepted"),
    [
        row(
            rule, name, side, field, whole(rule, name), whole(rule, name) + offset, offset != beyond
        )
        for rule, name, field, beyond in CANDIDATE_LIMITS
        for offset, side in SIDES.items()
    ],
)
def test_a_candidate_value_is_read_up_to_its_plausible_limit_and_refused_beyond_it(
    field: str, limit: int, value: int, accepted: bool
) -> None:
    document = candidate_with(field, value)
    if accepted:
        assert read_back(parse_candidate(document), field) == value
    else:
        error = refusal(parse_candidate, document)
        assert error.field == field
        assert field in error.message
        assert f"{limit}" in error.message
