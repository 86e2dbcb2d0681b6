"""`ketacare score INSTRUMENT FILE|-`: score one rating scale (contracts.md section 1).

Input `{"answers": [...]}`; output `{"instrument", "total", "max", "severity", "flags",
"loinc"}`. The instrument is checked before the document is read, so an unknown instrument is
reported on `instrument` whatever the input holds.
"""

from __future__ import annotations

from ketacare.cli.clinical import read_document
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import get_instrument, parse_score_input, score

USAGE = "ketacare score INSTRUMENT FILE|-"


def run(args: list[str]) -> dict[str, object]:
    if not args:
        raise ClinicalInputError("arguments", f"Usage: {USAGE}.")
    definition = get_instrument(args[0])
    request = parse_score_input(read_document(args, usage=USAGE, position=1))
    return score(definition.id, list(request.answers)).as_document()
