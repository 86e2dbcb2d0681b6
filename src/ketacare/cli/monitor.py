"""`ketacare monitor FILE|-`: session monitoring as JSON (contracts.md section 1).

A thin wrapper over `ketacare.clinical.monitoring.evaluate`; the input has no `overrides` key
(the contract lists none): prescriber overrides go through the web app, which audits them.
"""

from __future__ import annotations

from ketacare.cli.clinical import read_document
from ketacare.clinical.monitoring import evaluate, parse_monitor_input

USAGE = "ketacare monitor FILE|-"


def run(args: list[str]) -> dict[str, object]:
    """The contract's output document for the session in the input file (or `-`)."""
    request = parse_monitor_input(read_document(args, usage=USAGE))
    return evaluate(request.state, now=request.now).as_document()
