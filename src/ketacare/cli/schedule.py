"""`ketacare schedule FILE|-`: the dated sessions of one protocol (contracts.md 1)."""

from __future__ import annotations

from ketacare.cli.clinical import read_document
from ketacare.clinical.protocols import parse_schedule_request, schedule_for

USAGE = "ketacare schedule FILE|-"


def run(args: list[str]) -> dict[str, object]:
    """The contract's document: `protocol` and `sessions` (number, date, phase, dose)."""
    return schedule_for(parse_schedule_request(read_document(args, usage=USAGE))).as_document()
