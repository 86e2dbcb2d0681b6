"""`ketacare screen FILE|-` in a real subprocess (contracts.md section 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error, run_ketacare
from tests.contract_examples import SCREEN_INPUT as EXAMPLE
from tests.contract_examples import changed as with_changes


def changed(**changes: Any) -> dict[str, Any]:
    return with_changes(EXAMPLE, **changes)


def test_contract_example_from_standard_input_is_eligible() -> None:
    result = run_ketacare("screen", "-", stdin=EXAMPLE)

    assert result.returncode == 0, result.stderr
    document = result.document
    assert set(document) == {"route", "decision", "rules"}
    assert document["route"] == "esketamine_nasal"
    assert document["decision"] == "eligible"
    assert [r["id"] for r in document["rules"]][:8] == [
        "ELIG-AGE", "ELIG-DIAGNOSIS", "ELIG-TRD", "ELIG-SEVERITY", "ELIG-SUICIDALITY",
        "ELIG-BP", "ELIG-PREGNANCY", "ELIG-BREASTFEEDING",
    ]  # fmt: skip
    for rule in document["rules"]:
        assert set(rule) == {"id", "outcome", "message", "source"}
        assert rule["outcome"] in {"pass", "review", "exclude"}
    assert result.stderr == ""


def test_contract_example_from_a_file_gives_the_same_document(tmp_path: Path) -> None:
    path = tmp_path / "candidate.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")

    from_file = run_ketacare("screen", str(path))
    from_stdin = run_ketacare("screen", "-", stdin=EXAMPLE)

    assert from_file.returncode == 0
    assert from_file.document == from_stdin.document


def test_pregnant_candidate_is_not_eligible() -> None:
    result = run_ketacare("screen", "-", stdin=changed(pregnant=True))
    assert result.returncode == 0
    assert result.document["decision"] == "not_eligible"
    outcomes = {r["id"]: r["outcome"] for r in result.document["rules"]}
    assert outcomes["ELIG-PREGNANCY"] == "exclude"


def test_item9_answer_needs_review_with_crisis_resources_in_the_message() -> None:
    result = run_ketacare("screen", "-", stdin=changed(phq9=[2, 2, 2, 2, 1, 1, 2, 1, 2]))
    assert result.document["decision"] == "needs_review"
    rule = next(r for r in result.document["rules"] if r["id"] == "ELIG-SUICIDALITY")
    assert rule["outcome"] == "review" and "988" in rule["message"]
    assert set(rule) == {"id", "outcome", "message", "source"}


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"route": "esketamine_nasal",', "input"),
        ("[1, 2]", "input"),
        ({k: v for k, v in EXAMPLE.items() if k != "age"}, "age"),
        (changed(smoker=True), "smoker"),
        (changed(age=200), "age"),
        (changed(blood_pressure={"systolic": 120, "diastolic": 130}), "blood_pressure.diastolic"),
        (changed(failed_adequate_trials="two"), "failed_adequate_trials"),
        (changed(pregnant="no"), "pregnant"),
        (changed(route="intramuscular"), "route"),
        (changed(diagnosis="ptsd"), "diagnosis"),
        (changed(conditions=["hypertension_controlled", "gout"]), "conditions.1"),
        (changed(conditions=["maoi_use", "maoi_use"]), "conditions.1"),
        (changed(phq9=[2, 2, 2, 2, 1, 1, 2, 1, 5]), "phq9.8"),
        (changed(madrs_total=61), "madrs_total"),
    ],
    ids=[
        "malformed-json", "not-an-object", "missing-key", "unknown-key", "out-of-range",
        "diastolic-not-below-systolic", "wrong-type", "wrong-type-boolean", "unknown-route",
        "unknown-diagnosis", "unknown-condition", "repeated-condition", "phq9-item-out-of-range",
        "madrs-out-of-range",
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_an_error_document_naming_the_field(
    stdin: str | dict[str, Any], field: str
) -> None:
    assert_input_error(run_ketacare("screen", "-", stdin=stdin), field)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    assert_input_error(run_ketacare("screen", str(tmp_path / "absent.json")), "input")


def test_no_file_argument_is_a_usage_error() -> None:
    assert_input_error(run_ketacare("screen"), "arguments")
