"""`ketacare protocols`: every protocol with its phases, as JSON (contracts.md 1)."""

from __future__ import annotations

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import describe_protocols

USAGE = "ketacare protocols"


def run(args: list[str]) -> dict[str, object]:
    """`{"protocols": [...]}`: id, version, route, source, evidence, spacing and phases of each."""
    if args:
        raise ClinicalInputError("arguments", f"Usage: {USAGE} (it takes no arguments).")
    return describe_protocols()
