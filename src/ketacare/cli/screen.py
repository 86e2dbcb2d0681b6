"""`ketacare screen FILE|-`: eligibility screen of one candidate for one route (contracts.md 1)."""

from __future__ import annotations

from typing import Any

from ketacare.cli.clinical import read_document
from ketacare.clinical.eligibility import parse_candidate, screen

USAGE = "ketacare screen FILE|-"


def run(args: list[str]) -> dict[str, Any]:
    """The contract's document: `route`, `decision` and `rules` (id, outcome, message, source)."""
    document = read_document(args, usage=USAGE)
    return screen(parse_candidate(document)).as_document()
