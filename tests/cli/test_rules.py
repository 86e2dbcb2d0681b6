"""`ketacare rules [--format json|markdown]` and the generated docs/clinical-rules.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketacare.cli.rules import render_markdown
from ketacare.clinical.rules import REGISTRY
from tests.cli.conftest import assert_input_error

DOC = Path(__file__).resolve().parents[2] / "docs" / "clinical-rules.md"
REGENERATE = ".venv/bin/ketacare rules --format markdown > docs/clinical-rules.md"
EVIDENCE = {"verified", "secondary", "unverified", "design_default"}


def test_json_lists_every_rule_with_the_contract_keys(ketacare):
    result = ketacare("rules")
    assert result.returncode == 0, result.stderr
    rules = result.document
    assert [r["id"] for r in rules] == sorted(REGISTRY)
    for rule in rules:
        assert set(rule) == {"id", "summary", "default", "source", "evidence"}
        assert rule["evidence"] in EVIDENCE
        assert rule["default"] == REGISTRY[rule["id"]].defaults


def test_format_json_is_the_default(ketacare):
    assert ketacare("rules", "--format", "json").document == ketacare("rules").document
    assert ketacare("rules", "--format=json").document == ketacare("rules").document


def test_outcome_rule_defaults_are_listed(ketacare):
    rules = {r["id"]: r for r in ketacare("rules").document}
    assert rules["OUT-REMISSION-MADRS"]["default"] == {"total_at_most_points": 10}
    assert rules["OUT-REMISSION-MADRS"]["evidence"] == "verified"
    assert rules["OUT-RELAPSE-MADRS"]["evidence"] == "unverified"
    assert rules["SAFE-RELAPSE-WARN"]["default"] == {}


def test_markdown_has_a_table_row_per_rule(ketacare):
    result = ketacare("rules", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# KetaCare clinical rules\n")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == len(REGISTRY)
    assert "## OUT: Outcomes" in result.stdout and "## SAFE: Cross-cutting safety" in result.stdout
    assert "`total_at_most_points` = 10 (10 to 12)" in result.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--format", "html"), "format"),
        (("--format=yaml",), "format"),
        (("--format",), "arguments"),
        (("extra",), "arguments"),
    ],
)
def test_bad_arguments_exit_2(ketacare, args, field):
    assert_input_error(ketacare("rules", *args), field)


def test_committed_catalogue_matches_the_generator():
    expected = render_markdown(REGISTRY.values())
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == expected, (
        f"docs/clinical-rules.md is out of date with the rule registry; regenerate it with "
        f"`{REGENERATE}`."
    )
