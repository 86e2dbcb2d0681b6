"""C-SSRS screener: triage table and skip logic (clinical-reference.md 5.7, SCALE-CSSRS-TRIAGE)."""

from __future__ import annotations

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import RISK_HIGH, RISK_LOW, RISK_MODERATE, get_instrument, score

Y, N, _ = True, False, None

# (answers, expected flag) for every row of the triage table, and the conservative default.
TRIAGE_CASES = [
    pytest.param([N, N, _, _, _, N], None, id="all-no"),
    pytest.param([Y, N, _, _, _, N], RISK_LOW, id="q1-only"),
    pytest.param([N, Y, N, N, N, N], RISK_LOW, id="q2-only"),
    pytest.param([Y, Y, N, N, N, N], RISK_LOW, id="q1-and-q2"),
    pytest.param([Y, Y, Y, N, N, N], RISK_MODERATE, id="q3"),
    pytest.param([Y, N, _, _, _, Y, N], RISK_MODERATE, id="q6-more-than-3-months-ago"),
    pytest.param([N, N, _, _, _, Y, N], RISK_MODERATE, id="q6-only-long-ago"),
    pytest.param([Y, Y, N, Y, N, N], RISK_HIGH, id="q4"),
    pytest.param([Y, Y, N, N, Y, N], RISK_HIGH, id="q5"),
    pytest.param([N, Y, Y, Y, Y, N], RISK_HIGH, id="q3-to-q5"),
    pytest.param([N, N, _, _, _, Y, Y], RISK_HIGH, id="q6-within-3-months"),
    pytest.param([N, N, _, _, _, Y], RISK_HIGH, id="q6-without-follow-up-is-high"),
    pytest.param([N, N, _, _, _, Y, _], RISK_HIGH, id="q6-with-null-follow-up-is-high"),
    pytest.param([Y, Y, Y, N, N, Y, N], RISK_MODERATE, id="q3-and-old-behaviour"),
    pytest.param([Y, Y, N, Y, N, Y, N], RISK_HIGH, id="q4-outranks-old-behaviour"),
    pytest.param([N, N, _, _, _, N, _], None, id="follow-up-null-when-not-asked"),
]

SKIP_LOGIC_ERRORS = [
    pytest.param([_, N, _, _, _, N], "answers.0", id="q1-required"),
    pytest.param([N, _, _, _, _, N], "answers.1", id="q2-required"),
    pytest.param([N, N, _, _, _, _], "answers.5", id="q6-required"),
    pytest.param([N, N, N, _, _, N], "answers.2", id="q3-answered-though-not-asked"),
    pytest.param([N, N, _, _, Y, N], "answers.4", id="q5-answered-though-not-asked"),
    pytest.param([N, Y, N, _, N, N], "answers.3", id="q4-missing-when-asked"),
    pytest.param([N, N, _, _, _, N, N], "answers.6", id="follow-up-answered-though-not-asked"),
    pytest.param([1, N, _, _, _, N], "answers.0", id="integer-is-not-a-boolean"),
    pytest.param([N, N, _, _, _, "yes"], "answers.5", id="string-is-not-a-boolean"),
    pytest.param([N, N, _, _, _], "answers", id="too-few"),
    pytest.param([N, N, _, _, _, Y, Y, Y], "answers", id="too-many"),
    pytest.param({"q1": N}, "answers", id="not-a-list"),
]


@pytest.mark.parametrize(("answers", "expected"), TRIAGE_CASES)
def test_triage_follows_the_table(answers: list[bool | None], expected: str | None) -> None:
    result = score("cssrs_screener", answers)
    assert result.as_document() == {
        "instrument": "cssrs_screener",
        "total": None,
        "max": None,
        "severity": None,
        "flags": [] if expected is None else [expected],
        "loinc": None,
    }


@pytest.mark.parametrize(("answers", "field"), SKIP_LOGIC_ERRORS)
def test_answers_against_the_skip_logic_are_refused(answers: object, field: str) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        score("cssrs_screener", answers)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert field in caught.value.message


def test_screener_definition_carries_the_question_codes_and_skip_logic() -> None:
    screener = get_instrument("cssrs_screener")
    codes = [item.loinc for item in screener.items]
    assert codes == ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9"]
    assert (screener.loinc_panel, screener.loinc_result, screener.loinc_total) == (
        "93373-9",
        "93374-7",
        None,
    )
    asked_if = [(item.number, item.enabled_when) for item in screener.items if item.enabled_when]
    assert [(n, w.item, w.answer) for n, w in asked_if] == [
        (3, 2, True),
        (4, 2, True),
        (5, 2, True),
        (7, 6, True),
    ]
    assert screener.required_item_count == 6
    assert {flag.name for flag in screener.flags} == {RISK_LOW, RISK_MODERATE, RISK_HIGH}
