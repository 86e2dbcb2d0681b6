"""Shared plumbing of the clinical subcommands: input, output, errors, exit codes.

Contract (contracts.md section 1): a JSON document from a file or `-` (standard input); one JSON
document on standard output; on invalid input exit 2, one sentence on standard error and
`{"error": {"field": ..., "message": ...}}` on standard output. Never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any

from ketacare.clinical.errors import ClinicalInputError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2


def read_document(args: list[str], *, usage: str, position: int = 0) -> Any:
    """The JSON document named by `args[position]` (a path, or `-` for standard input)."""
    if len(args) != position + 1:
        raise ClinicalInputError("arguments", f"Usage: {usage}.")
    source = args[position]
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        raise ClinicalInputError("input", f"The input file {source} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ClinicalInputError(
            "input", f"The input file {source} cannot be read: {reason}."
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ClinicalInputError(
            "input",
            f"The input is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).",
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise ClinicalInputError("input", f"The input is not valid JSON ({exc}).") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def to_jsonable(value: Any) -> Any:
    """Dates as YYYY-MM-DD, times as ISO 8601 with offset, enums as their values."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


class Text(str):
    """A command's output written as it is, not as JSON (`ketacare rules --format markdown`)."""


def emit(document: Any) -> None:
    if isinstance(document, Text):
        sys.stdout.write(document)
        return
    sys.stdout.write(json.dumps(to_jsonable(document), ensure_ascii=False) + "\n")


def run_clinical(name: str, command: Callable[[list[str]], Any], args: list[str]) -> int:
    """Run one clinical subcommand and turn its outcome into output and an exit status."""
    try:
        result = command(args)
    except ClinicalInputError as error:
        emit(error.as_document())
        sys.stderr.write(f"ketacare {name}: {error.message}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the outermost edge: never a traceback for the caller
        sys.stderr.write(
            f"ketacare {name}: internal error ({type(exc).__name__}); please report it.\n"
        )
        return EXIT_INTERNAL
    emit(result)
    return EXIT_OK
