"""`bench/clinical_core.py` runs and prints its figures (a smoke run: the shape, never the speed).

The figures themselves belong to `bench/results.md`; a test that asserted a rate would fail on a
busy machine and prove nothing, so these only check that every row and target is printed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ketacare.clinical.instruments import INSTRUMENTS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "clinical_core.py"
RATE = re.compile(r"^\d{1,3}(,\d{3})*$")
RATIO = re.compile(r"^\d+\.\d{3}x$")
SCREEN_ROWS = ("screen (parse_candidate + screen)", "parse_candidate alone", "screen alone")


@pytest.fixture(scope="module")
def output() -> str:
    """The standard output of one smoke run, shared by the tests of this module."""
    proc = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BENCH), "--quick", "--inputs", "200", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def table_rows(output: str) -> dict[str, list[str]]:
    """The table's rows by name: ops/s, baseline ops/s, ratio, baseline."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("name"))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        name, *cells = re.split(r"\s{2,}", line.strip())
        rows[name] = cells
    return rows


def test_quick_run_prints_one_row_per_instrument_and_per_screen_figure(output: str) -> None:
    rows = table_rows(output)

    assert list(rows) == [f"score {i}" for i in INSTRUMENTS] + list(SCREEN_ROWS)
    for name, (rate, baseline_rate, ratio, baseline) in rows.items():
        assert RATE.match(rate), (name, rate)
        assert RATE.match(baseline_rate), (name, baseline_rate)
        assert RATIO.match(ratio), (name, ratio)
        assert baseline, name


def test_each_figure_names_its_baseline(output: str) -> None:
    rows = table_rows(output)

    assert rows["score phq9"][3] == "sum(answers)"
    assert rows["score cssrs_screener"][3] == "answers.count(True)"
    assert {rows[name][3] for name in SCREEN_ROWS} == {"dict(document)"}


def test_every_target_of_the_issue_is_marked_pass_or_miss(output: str) -> None:
    targets = output.split("Targets (issue 4, point 4):", 1)[1].strip().splitlines()
    assert len(targets) == 3
    assert all(re.match(r"^(PASS|MISS)  \S", line.strip()) for line in targets), targets
    assert "PHQ-9 scorings/s" in targets[0]
    assert "PHQ-9 ratio" in targets[1]
    assert "screens/s" in targets[2]
