"""The clinical subcommands never import Django: they must start fast and need no database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ketacare.cli import CLINICAL_COMMANDS
from tests.contract_examples import MONITOR_INPUT, OUTCOMES_INPUT, SCREEN_INPUT

# Standard input is bytes, as the real one is, so each command reads, parses and evaluates its
# document to the end (exit 0): a module imported only on the way would be caught too.
PROBE = """
import io, json, sys
sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[2].encode("utf-8")), encoding="utf-8")
from ketacare.cli import main
code = main(sys.argv[1].split())
heavy = sorted(m for m in ("django", "ninja", "pydantic", "rich") if m in sys.modules)
print("\\nHEAVY=" + json.dumps(heavy) + " EXIT=" + str(code), file=sys.stderr)
"""

INPUTS = {
    "score": ("score phq9 -", '{"answers": [0,0,0,0,0,0,0,0,0]}'),
    "screen": ("screen -", json.dumps(SCREEN_INPUT)),
    "dose": ("dose -", '{"route": "oral_ketamine", "dose_mg": 150}'),
    "monitor": ("monitor -", json.dumps(MONITOR_INPUT)),
    "outcomes": ("outcomes -", json.dumps(OUTCOMES_INPUT)),
    "schedule": (
        "schedule -",
        '{"protocol": "esketamine_trd_label", "start": "2026-12-01", "clinic_days": [0,1,2,3,4]}',
    ),
    "protocols": ("protocols", ""),
    "rules": ("rules", ""),
}


def test_every_clinical_subcommand_has_a_startup_probe() -> None:
    assert set(INPUTS) == set(CLINICAL_COMMANDS)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_clinical_subcommand_imports_no_django(name: str) -> None:
    args, stdin = INPUTS[name]
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", PROBE, args, stdin],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "HEAVY=[] EXIT=0" in proc.stderr, proc.stderr
