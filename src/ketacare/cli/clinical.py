"""Shared plumbing of the clinical subcommands: input, output, errors, exit codes.

Contract (contracts.md section 1): a JSON document from a file or `-` (standard input); one JSON
document on standard output; on invalid input exit 2, one sentence on standard error and
`{"error": {"field": ..., "message": ...}}` on standard output. Never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Callable
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


class Text(str):
    """A command's output written as it is, not as JSON (`ketacare rules --format markdown`)."""


def render(document: Any) -> str:
    """A command's output as text: `Text` as it is, anything else as one JSON document.

    Every result reaches here already JSON-ready (each `as_document` writes its own dates and
    codes); a value JSON cannot hold raises, so it is reported as an internal error, never
    written as half a document or as `NaN`.
    """
    if isinstance(document, Text):
        return str(document)
    return json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n"


def _write(stream: Any, text: str) -> None:
    # UTF-8 bytes to the binary buffer (contracts.md: output is UTF-8), so PYTHONIOENCODING=ascii
    # or a C locale cannot turn a message into a traceback; anything unencodable is replaced.
    data = text.encode("utf-8", errors="replace")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream put in place by a caller
        stream.write(data.decode("utf-8"))
        stream.flush()
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def _say(name: str, sentence: str) -> None:
    """One sentence on standard error; nothing when the caller closed it (`2>&-`)."""
    if sys.stderr is None:
        return
    # Standard error cannot be written either: the exit status still tells.
    with contextlib.suppress(OSError, ValueError):
        _write(sys.stderr, f"ketacare {name}: {sentence}\n")


def run_clinical(name: str, command: Callable[[list[str]], Any], args: list[str]) -> int:
    """Run one clinical subcommand and turn its outcome into output and an exit status.

    Invalid input: exit 2, the error document on standard output and one sentence on standard
    error. Anything else that fails, including writing the result to a closed or full standard
    output, is exit 1 and one sentence: never a traceback.
    """
    try:
        output, status, sentence = render(command(args)), EXIT_OK, ""
    except ClinicalInputError as error:
        output, status, sentence = render(error.as_document()), EXIT_INVALID, error.message
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the outermost edge: never a traceback for the caller
        _say(name, f"internal error ({type(exc).__name__}); please report it.")
        return EXIT_INTERNAL
    problem = _deliver(output)
    if status == EXIT_INVALID:
        _say(name, sentence)  # the input's fault comes first, written or not
        return EXIT_INVALID
    if problem is None:
        return EXIT_OK
    if problem:
        _say(name, f"the result cannot be written to standard output ({problem}).")
    return EXIT_INTERNAL


def _deliver(output: str) -> str | None:
    """Write `output` to standard output: None once written, else why not ("" when the reader
    went away, as `ketacare rules | head -1` does: nobody is left to tell)."""
    if sys.stdout is None:
        return "it is closed"
    try:
        _write(sys.stdout, output)
    except BrokenPipeError:
        _discard_stdout()
        return ""
    except (OSError, ValueError) as exc:
        _discard_stdout()
        return getattr(exc, "strerror", None) or type(exc).__name__
    return None


def _discard_stdout() -> None:
    # Output still buffered would be flushed again at exit, and fail with a second report:
    # point standard output at the null device, as the Python documentation advises for EPIPE.
    # A stream without a file descriptor (a caller's) has nothing to flush at exit.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
