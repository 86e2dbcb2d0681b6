"""The clinical subcommands never import Django: they must start fast and need no database."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ketacare.cli import CLINICAL_COMMANDS

PROBE = """
import io, json, sys
sys.stdin = io.StringIO(sys.argv[2])
from ketacare.cli import main
code = main(sys.argv[1].split())
heavy = sorted(m for m in ("django", "ninja", "pydantic", "rich") if m in sys.modules)
print("\\nHEAVY=" + json.dumps(heavy), file=sys.stderr)
"""

INPUTS = {
    "score": ("score phq9 -", '{"answers": [0,0,0,0,0,0,0,0,0]}'),
    "screen": ("screen -", "{}"),
    "dose": ("dose -", '{"route": "oral_ketamine", "dose_mg": 150}'),
    "monitor": ("monitor -", "{}"),
    "outcomes": ("outcomes -", '{"instrument": "phq9", "assessments": []}'),
    "schedule": ("schedule -", "{}"),
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
    assert "HEAVY=[]" in proc.stderr, proc.stderr
