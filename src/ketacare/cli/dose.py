"""`ketacare dose FILE|-`: dose arithmetic and dose limits of one order (contracts.md 1)."""

from __future__ import annotations

from ketacare.cli.clinical import read_document
from ketacare.clinical.dosing import compute_dose, parse_dose

USAGE = "ketacare dose FILE|-"


def run(args: list[str]) -> dict[str, object]:
    """The contract's document: `route`, `dose_mg`, and `volume_ml` + `rate_ml_per_h` (IV) or
    `devices` (esketamine). The arithmetic steps and alerts stay in the Python result."""
    return compute_dose(parse_dose(read_document(args, usage=USAGE))).as_document()
