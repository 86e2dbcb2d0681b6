"""`ketacare outcomes FILE|-`: response, remission and relapse of one series (contracts.md 1)."""

from __future__ import annotations

from typing import Any

from ketacare.cli.clinical import read_document
from ketacare.clinical.outcomes import evaluate_outcomes, parse_outcome_series

USAGE = "ketacare outcomes FILE|-"


def run(args: list[str]) -> dict[str, Any]:
    """The contract's document: baseline, latest, nadir, percent_change, milestones, status."""
    document = read_document(args, usage=USAGE)
    return evaluate_outcomes(parse_outcome_series(document)).as_document()
