"""Every example of docs/cli.md runs and prints what the page says it prints."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ketacare.cli import CLINICAL_COMMANDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
BIN = Path(sys.executable).parent
ADMIN_HEADING = "## Administration subcommands"
DOC_SCRATCH = "/tmp/ketacare-docs"  # noqa: S108 - the directory the page's examples name
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_STATUS = re.compile(r"^# exit status (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    script: str
    expected_json: str | None
    status: int

    @property
    def subcommand(self) -> str:
        command = next(line for line in self.script.splitlines() if "ketacare " in line)
        return command.split("ketacare ", 1)[1].split()[0]


def _blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def _clinical_examples() -> list[Example]:
    text = DOC.read_text(encoding="utf-8").split(ADMIN_HEADING)[0]
    blocks = _blocks(text)
    examples = []
    for index, (language, body) in enumerate(blocks):
        if language != "sh":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
        status = _STATUS.search(body)
        examples.append(
            Example(
                script=body,
                expected_json=following[1] if following[0] == "json" else None,
                status=int(status.group(1)) if status else 0,
            )
        )
    return examples


def _run(script: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(  # noqa: S603 - bash running the documented examples
        ["bash", "-e", "-o", "pipefail", "-c", script],  # noqa: S607
        capture_output=True,
        text=True,
        # The administration examples migrate and build the whole demo clinic in one script.
        timeout=300,
        check=False,
        cwd=cwd,
        env={**environment, **(env or {})},
    )


EXAMPLES = _clinical_examples()


def test_every_clinical_subcommand_has_a_runnable_example() -> None:
    assert {example.subcommand for example in EXAMPLES} == set(CLINICAL_COMMANDS)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.subcommand)
def test_the_clinical_example_prints_what_the_page_says(example: Example, tmp_path) -> None:
    result = _run(example.script, tmp_path)

    assert result.returncode == example.status, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    if example.expected_json is not None:
        assert document == json.loads(example.expected_json)


def test_the_administration_examples_run_in_order(tmp_path) -> None:
    text = DOC.read_text(encoding="utf-8").split(ADMIN_HEADING)[1]
    scripts = [body for language, body in _blocks(text) if language == "sh"]
    script = "\n".join(scripts).replace(DOC_SCRATCH, str(tmp_path / "docs-run"))

    result = _run(script + "\nketacare audit verify --show-head\n", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "demo-prescriber" in result.stdout  # the demo logins, then the token list
    assert re.search(r"^[0-9a-f]{8}  docs  ", result.stdout, re.MULTILINE)
    assert "Audit chain intact:" in result.stdout
