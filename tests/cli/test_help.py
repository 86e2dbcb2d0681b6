"""`ketacare SUBCOMMAND --help` (or `-h`) prints the usage and exits 0; it never reads a file."""

from __future__ import annotations

import pytest

from ketacare.cli import CLINICAL_COMMANDS
from ketacare.cli.usage import help_text
from ketacare.clinical.instruments.scoring import INSTRUMENTS
from tests.cli.conftest import run_ketacare

FIRST_LINES = {
    "score": "Usage: ketacare score INSTRUMENT FILE|-",
    "screen": "Usage: ketacare screen FILE|-",
    "dose": "Usage: ketacare dose FILE|-",
    "monitor": "Usage: ketacare monitor FILE|-",
    "outcomes": "Usage: ketacare outcomes FILE|-",
    "schedule": "Usage: ketacare schedule FILE|-",
    "protocols": "Usage: ketacare protocols",
    "rules": "Usage: ketacare rules [--format json|markdown]",
}


def test_every_clinical_subcommand_has_a_usage() -> None:
    assert set(FIRST_LINES) == set(CLINICAL_COMMANDS)


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("name", sorted(FIRST_LINES))
def test_help_prints_the_usage_on_standard_output_and_exits_0(name: str, flag: str) -> None:
    result = run_ketacare(name, flag)

    assert result.returncode == 0, result.stderr
    assert result.stdout == help_text(name)
    assert result.stdout.splitlines()[0] == FIRST_LINES[name]
    assert "docs/cli.md" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [("score", "phq9", "--help"), ("score", "phq9", "-", "-h"), ("rules", "--format", "--help")],
)
def test_help_after_other_arguments_still_prints_the_usage(args: tuple[str, ...]) -> None:
    result = run_ketacare(*args)

    assert result.returncode == 0
    assert result.stdout == help_text(args[0])


def test_the_score_usage_names_every_instrument() -> None:
    text = help_text("score")

    for instrument in INSTRUMENTS:
        assert instrument in text


def test_usages_that_read_a_document_explain_file_and_standard_input() -> None:
    for name, first_line in FIRST_LINES.items():
        explains = "or - to read it from standard input" in help_text(name)
        assert explains == ("FILE|-" in first_line), name


def test_a_file_named_like_the_flag_is_read_through_a_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "--help").write_text('{"route": "oral_ketamine", "dose_mg": 150}')

    result = run_ketacare("dose", "./--help")

    assert result.returncode == 0
    assert result.document == {"route": "oral_ketamine", "dose_mg": 150}


@pytest.mark.parametrize("name", sorted(FIRST_LINES))
def test_help_with_the_subcommands_name_prints_the_same_usage(name: str) -> None:
    result = run_ketacare("help", name)

    assert result.returncode == 0
    assert result.stdout == help_text(name)
