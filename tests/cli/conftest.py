"""Run the real `ketacare` command in a subprocess, as outside programs do."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

KETACARE = Path(sys.executable).with_name("ketacare")


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str

    @property
    def document(self) -> Any:
        return json.loads(self.stdout)


def run_ketacare(*args: str, stdin: str | dict[str, Any] | list[Any] | None = None) -> Completed:
    """`ketacare ARGS`, with `stdin` (a JSON value is dumped) fed to standard input."""
    text = stdin if isinstance(stdin, str) or stdin is None else json.dumps(stdin)
    proc = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [str(KETACARE), *args], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Completed(proc.returncode, proc.stdout, proc.stderr)


def assert_input_error(result: Completed, field: str) -> None:
    """Exit 2, one sentence on standard error, the error document naming `field` on stdout."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    error = result.document["error"]
    assert error["field"] == field, error
    assert error["message"]
    assert result.stderr.strip().count("\n") == 0, result.stderr


@pytest.fixture
def ketacare() -> Any:
    return run_ketacare
