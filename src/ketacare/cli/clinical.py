"""Shared plumbing of the clinical subcommands: input, output, errors, exit codes.

Contract (contracts.md section 1): a JSON document from a file or `-` (standard input); one JSON
document on standard output; on invalid input exit 2, one sentence on standard error and
`{"error": {"field": ..., "message": ...}}` on standard output. Never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import join

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2


# An integer literal longer than this is refused while parsing, before Python's own limit on
# integer conversion (whose message names an interpreter setting): no clinical field needs it.
_INTEGER_DIGITS_MAXIMUM = 100
_UTF8_BOM = b"\xef\xbb\xbf"


def read_document(args: list[str], *, usage: str, position: int = 0) -> Any:
    """The JSON document named by `args[position]` (a path, or `-` for standard input).

    The bytes must be UTF-8 (a leading byte order mark is accepted and dropped); a key repeated
    within one object is refused with its dotted path, like an unknown key (contracts.md).
    """
    if len(args) != position + 1:
        raise ClinicalInputError("arguments", f"Usage: {usage}.")
    source = args[position]
    text = _decode(_read_bytes(source), source)
    try:
        document = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_JsonObject,
        )
    except json.JSONDecodeError as exc:
        raise ClinicalInputError(
            "input",
            f"The input is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).",
        ) from None
    except _NotANumber as exc:
        raise ClinicalInputError("input", f"The input is not valid JSON ({exc}).") from None
    except RecursionError:
        raise ClinicalInputError(
            "input", "The input is not valid JSON (it is nested too deeply)."
        ) from None
    _refuse_duplicate_keys(document)
    return document


def _read_bytes(source: str) -> bytes:
    try:
        if source == "-":
            if sys.stdin is None:
                raise ClinicalInputError("input", "Standard input is closed; nothing to read.")
            return sys.stdin.buffer.read()
        with open(source, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ClinicalInputError("input", f"The input file {source} does not exist.") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ClinicalInputError(
            "input", f"The input file {source} cannot be read: {reason}."
        ) from None


def _decode(data: bytes, source: str) -> str:
    named = "Standard input" if source == "-" else f"The input file {source}"
    try:
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ClinicalInputError(
            "input", f"{named} is not UTF-8 text (invalid byte at offset {exc.start})."
        ) from None


class _NotANumber(ValueError):
    """A JSON number the clinical core refuses while parsing (NaN, Infinity, overlong)."""


def _refuse_constant(name: str) -> None:
    raise _NotANumber(f"{name} is not a JSON number")


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > _INTEGER_DIGITS_MAXIMUM:
        raise _NotANumber(f"an integer has more than {_INTEGER_DIGITS_MAXIMUM} digits")
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotANumber(f"the number {literal[:20]} is too large")
    return value


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers the keys its text gave more than once (the last one wins)."""

    repeated: tuple[str, ...] = ()

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        if len(self) != len(pairs):
            seen: set[str] = set()
            repeated: list[str] = []
            for key, _value in pairs:
                if key in seen:
                    repeated.append(key)
                seen.add(key)
            self.repeated = tuple(repeated)


def _refuse_duplicate_keys(document: Any) -> None:
    # Walked after parsing, outermost first, because the parser builds objects innermost first
    # and knows no path; a repeated key is reachable even when it hid an inner one.
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _JsonObject):
            if value.repeated:
                where = join(path, value.repeated[0])
                raise ClinicalInputError(
                    where,
                    f"{where} is given more than once; each key may appear only once in an "
                    "object (a repeated key would silently replace a value).",
                )
            stack.extend((join(path, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((join(path, i), v) for i, v in reversed(list(enumerate(value))))


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
    """Write a command's output to standard output as UTF-8, whatever the locale says."""
    if isinstance(document, Text):
        _write(sys.stdout, document)
        return
    _write(sys.stdout, json.dumps(to_jsonable(document), ensure_ascii=False) + "\n")


def _write(stream: Any, text: str) -> None:
    # UTF-8 bytes to the binary buffer (contracts.md: output is UTF-8), so PYTHONIOENCODING=ascii
    # or a C locale cannot turn a message into a traceback; anything unencodable is replaced.
    data = text.encode("utf-8", errors="replace")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream put in place by a caller
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def run_clinical(name: str, command: Callable[[list[str]], Any], args: list[str]) -> int:
    """Run one clinical subcommand and turn its outcome into output and an exit status."""
    try:
        result = command(args)
    except ClinicalInputError as error:
        emit(error.as_document())
        _write(sys.stderr, f"ketacare {name}: {error.message}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the outermost edge: never a traceback for the caller
        _write(
            sys.stderr,
            f"ketacare {name}: internal error ({type(exc).__name__}); please report it.\n",
        )
        return EXIT_INTERNAL
    emit(result)
    return EXIT_OK
