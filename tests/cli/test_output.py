"""Where the output goes: a closed, full or abandoned standard output or a closed standard error
is one sentence and an exit status, never a traceback (contracts.md section 1)."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
from pathlib import Path

import pytest

from ketacare.cli.clinical import EXIT_INTERNAL, EXIT_INVALID, run_clinical
from ketacare.clinical.errors import ClinicalInputError
from tests.cli.conftest import KETACARE

PHQ9 = json.dumps({"answers": [1, 1, 1, 1, 1, 1, 1, 1, 1]}).encode()
NOT_JSON = b'{"answers": [1, 1, 1, 1, 1, 1, 1, 1, NaN]}'
FULL = Path("/dev/full")


def run_in_shell(redirect: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """`ketacare score phq9 -` with a shell redirection such as `>&-` (close standard output)."""
    return subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        ["/bin/sh", "-c", f'"$0" score phq9 - {redirect}', str(KETACARE)],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def one_sentence(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    assert text.count("\n") == 1 and text.endswith("\n"), text
    return text


def test_a_closed_standard_output_is_exit_1_and_one_sentence():
    result = run_in_shell(">&-", PHQ9)

    assert result.returncode == EXIT_INTERNAL
    assert "standard output" in one_sentence(result.stderr)


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
def test_a_full_standard_output_is_exit_1_and_one_sentence():
    result = run_in_shell(f"> {FULL}", PHQ9)

    assert result.returncode == EXIT_INTERNAL
    assert "No space left on device" in one_sentence(result.stderr)


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
def test_invalid_input_stays_exit_2_when_its_error_document_cannot_be_written():
    result = run_in_shell(f"> {FULL}", NOT_JSON)

    assert result.returncode == EXIT_INVALID
    assert "NaN" in one_sentence(result.stderr)


def test_a_closed_standard_error_still_gives_exit_2_and_the_error_document():
    result = run_in_shell("2>&-", NOT_JSON)

    assert result.returncode == EXIT_INVALID
    assert json.loads(result.stdout)["error"]["field"] == "input"


def test_a_reader_that_stops_early_gets_no_traceback():
    proc = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
        [str(KETACARE), "rules", "--format", "markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the interpreter has started: the write meets EPIPE
    stderr = proc.stderr.read()
    proc.stderr.close()

    assert proc.wait(timeout=60) in (0, EXIT_INTERNAL)
    assert stderr == b"", stderr.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("result", "error"),
    [
        (math.nan, "ValueError"),
        (dt.date(2026, 12, 1), "TypeError"),
        ({"at": object()}, "TypeError"),
    ],
)
def test_a_result_json_cannot_hold_is_an_internal_error_not_a_broken_document(
    result, error, capsys
):
    status = run_clinical("probe", lambda args: result, [])

    captured = capsys.readouterr()
    assert status == EXIT_INTERNAL
    assert captured.out == ""
    assert captured.err == f"ketacare probe: internal error ({error}); please report it.\n"


def test_an_input_error_is_written_as_the_contract_document(capsys):
    def refuse(args: list[str]) -> object:
        raise ClinicalInputError("answers.0", "answers.0 must be an integer from 0 to 3.")

    status = run_clinical("probe", refuse, [])

    captured = capsys.readouterr()
    assert status == EXIT_INVALID
    assert json.loads(captured.out) == {
        "error": {"field": "answers.0", "message": "answers.0 must be an integer from 0 to 3."}
    }
    assert captured.err == "ketacare probe: answers.0 must be an integer from 0 to 3.\n"
