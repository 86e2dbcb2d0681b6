"""Run the real `ketacare` command in a subprocess, as outside programs do."""

from __future__ import annotations

import json
import os
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


def run_ketacare(
    *args: str,
    stdin: bytes | str | dict[str, Any] | list[Any] | None = None,
    env: dict[str, str] | None = None,
) -> Completed:
    """`ketacare ARGS`, with `stdin` fed to standard input: bytes as they are, text as UTF-8, a
    JSON value dumped. `env` adds variables to the environment. Output must be UTF-8."""
    if isinstance(stdin, bytes) or stdin is None:
        data = stdin
    else:
        data = (stdin if isinstance(stdin, str) else json.dumps(stdin)).encode("utf-8")
    proc = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [str(KETACARE), *args],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert "Traceback" not in stderr, stderr
    return Completed(proc.returncode, stdout, stderr)


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
