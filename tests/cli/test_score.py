"""`ketacare score` through the real command (contracts.md section 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error

CONTRACT_EXAMPLE = {"answers": [1, 2, 1, 2, 1, 2, 1, 2, 2]}


def _phq9_with(index: int, value: object) -> dict[str, list[object]]:
    """The contract example with one answer replaced."""
    answers: list[object] = list(CONTRACT_EXAMPLE["answers"])
    answers[index] = value
    return {"answers": answers}


def test_contract_example_gives_the_contract_output(ketacare: Any) -> None:
    result = ketacare("score", "phq9", "-", stdin=CONTRACT_EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.document == {
        "instrument": "phq9",
        "total": 14,
        "max": 27,
        "severity": "moderate",
        "flags": ["suicidal_ideation"],
        "loinc": "44261-6",
    }
    assert list(result.document) == ["instrument", "total", "max", "severity", "flags", "loinc"]
    assert result.stderr == ""


def test_input_may_come_from_a_file(ketacare: Any, tmp_path: Path) -> None:
    source = tmp_path / "gad7.json"
    source.write_text('{"answers": [3, 3, 3, 3, 3, 0, 0]}', encoding="utf-8")
    result = ketacare("score", "gad7", str(source))
    assert result.returncode == 0, result.stderr
    assert result.document == {
        "instrument": "gad7",
        "total": 15,
        "max": 21,
        "severity": "severe",
        "flags": [],
        "loinc": "70274-6",
    }


def test_cssrs_screener_takes_booleans_and_nulls(ketacare: Any) -> None:
    answers = [True, False, None, None, None, True]
    result = ketacare("score", "cssrs_screener", "-", stdin={"answers": answers})
    assert result.returncode == 0, result.stderr
    assert result.document == {
        "instrument": "cssrs_screener",
        "total": None,
        "max": None,
        "severity": None,
        "flags": ["risk_high"],
        "loinc": None,
    }


@pytest.mark.parametrize(
    ("arguments", "stdin", "field"),
    [
        pytest.param(("phq10", "-"), CONTRACT_EXAMPLE, "instrument", id="unknown-instrument"),
        pytest.param(("phq9", "-"), _phq9_with(4, 9), "answers.4", id="out-of-range"),
        pytest.param(("phq9", "-"), _phq9_with(8, True), "answers.8", id="boolean"),
        pytest.param(("phq9", "-"), _phq9_with(1, 2.5), "answers.1", id="float"),
        pytest.param(("phq9", "-"), _phq9_with(0, "1"), "answers.0", id="string"),
        pytest.param(("phq9", "-"), _phq9_with(2, None), "answers.2", id="null"),
        pytest.param(("phq9", "-"), {"answers": [1, 2, 1]}, "answers", id="too-few"),
        pytest.param(("phq9", "-"), {"answers": "1,2,1"}, "answers", id="not-a-list"),
        pytest.param(("phq9", "-"), {}, "answers", id="missing-answers"),
        pytest.param(("phq9", "-"), {**CONTRACT_EXAMPLE, "anwser": []}, "anwser", id="unknown-key"),
        pytest.param(("phq9", "-"), [1, 2, 1], "input", id="not-an-object"),
        pytest.param(("phq9", "-"), '{"answers": [1, 2,', "input", id="malformed-json"),
        pytest.param(("phq9", "-"), '{"answers": [NaN]}', "input", id="nan-is-not-json"),
        pytest.param(("moaas", "-"), {"answers": [6]}, "answers.0", id="moaas-out-of-range"),
        pytest.param(
            ("cssrs_screener", "-"),
            {"answers": [False, False, True, None, None, False]},
            "answers.2",
            id="cssrs-unasked-question-answered",
        ),
        pytest.param(("phq9",), CONTRACT_EXAMPLE, "arguments", id="no-file-argument"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    ketacare: Any, arguments: tuple[str, ...], stdin: Any, field: str
) -> None:
    assert_input_error(ketacare("score", *arguments, stdin=stdin), field)


def test_missing_input_file_is_an_input_error(ketacare: Any, tmp_path: Path) -> None:
    assert_input_error(ketacare("score", "phq9", str(tmp_path / "absent.json")), "input")


def test_cssrs_follow_up_left_null_after_a_yes_to_question_6_is_triaged_high(
    ketacare: Any,
) -> None:
    answers = [False, False, None, None, None, True, None]
    result = ketacare("score", "cssrs_screener", "-", stdin={"answers": answers})
    assert result.returncode == 0, result.stderr
    assert result.document["flags"] == ["risk_high"]
