"""`ketacare monitor FILE|-`: session monitoring as JSON (contracts.md section 1).

A thin wrapper over `ketacare.clinical.monitoring.evaluate`; the input has no `overrides` key
(the contract lists none): prescriber overrides go through the web app, which audits them.
"""

from __future__ import annotations

from typing import Any

from ketacare.cli.clinical import read_document
from ketacare.clinical.monitoring import evaluate, parse_monitor_input

USAGE = "ketacare monitor FILE|-"


def run(args: list[str]) -> dict[str, Any]:
    """The contract's output document for the session in the input file (or `-`)."""
    request = parse_monitor_input(read_document(args, usage=USAGE))
    result = evaluate(request.state, now=request.now)
    discharge = result.discharge
    return {
        "dosing": result.dosing.value,
        "alerts": [
            {
                "rule": alert.rule,
                "level": alert.level.value,
                "at": alert.at.isoformat(),
                "message": alert.message,
            }
            for alert in result.alerts
        ],
        "next_reading_due": (
            result.next_reading_due.isoformat() if result.next_reading_due else None
        ),
        "discharge": None
        if discharge is None
        else {
            "ready": discharge.ready,
            "earliest": discharge.earliest.isoformat(),
            "reasons": [f"{rule}: {sentence}" for rule, sentence in discharge.reasons],
        },
    }
