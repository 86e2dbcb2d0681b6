"""Strict reading of JSON-shaped input into Python values, with dotted field paths.

Every public clinical entry point that takes a plain document (CLI, API, FHIR import) reads it
through `Fields`, so a wrong type, a value out of range, a missing key or an unknown key always
raises `ClinicalInputError` naming the field, never a `KeyError` or `TypeError` from deep inside.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from ketacare.clinical.errors import ClinicalInputError

T = TypeVar("T")
_MISSING: Any = object()

# Dates and times outside these years are refused wherever they enter the clinical core. A design
# plausibility limit of KetaCare, not a medical number: no treatment record is older than 1900 or
# planned beyond 2200, and the bound keeps every date arithmetic (a schedule's 104 weeks, a
# discharge time 8 hours on) far from the limits of `datetime` (year 1 to 9999).
YEAR_MINIMUM = 1900
YEAR_MAXIMUM = 2200

# The only written forms accepted (ASCII digits only; no week dates, ordinal dates or other forms
# that `fromisoformat` would take): `YYYY-MM-DD`, and `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` with an
# offset `+HH:MM`, `-HH:MM` or `Z` (an offset with seconds is refused).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


def join(path: str, key: str | int) -> str:
    """The dotted path of `key` under `path` (`readings` + 2 -> `readings.2`)."""
    return f"{path}.{key}" if path else str(key)


_SHOWN = 40  # characters of a caller's value or key an error message repeats


def describe(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    text = repr(value) if isinstance(value, str) else _json_name(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _json_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value)


def read_int(
    value: object, path: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """`value` as an integer within [minimum, maximum]; booleans and floats (even 42.0) are
    refused, as the instrument scorer refuses 1.0 for an answer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClinicalInputError(
            path, f"{path} must be an integer{_range(minimum, maximum)}; got {describe(value)}."
        )
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ClinicalInputError(
            path, f"{path} must be an integer{_range(minimum, maximum)}; got {value}."
        )
    return value


def read_number(
    value: object, path: str, minimum: float | None = None, maximum: float | None = None
) -> float:
    """`value` as a finite number within [minimum, maximum]; booleans are refused."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise ClinicalInputError(
            path, f"{path} must be a number{_range(minimum, maximum)}; got {describe(value)}."
        )
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ClinicalInputError(
            path, f"{path} must be a number{_range(minimum, maximum)}; got {value}."
        )
    return float(value)


def read_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise ClinicalInputError(path, f"{path} must be true or false; got {describe(value)}.")
    return value


def read_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ClinicalInputError(path, f"{path} must be a string; got {describe(value)}.")
    return value


def read_choice(value: object, path: str, choices: Collection[str]) -> str:
    """`value` as one of `choices` (identifiers such as routes or instrument ids)."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(sorted(choices))
        raise ClinicalInputError(path, f"{path} must be one of {listed}; got {describe(value)}.")
    return value


def read_date(value: object, path: str) -> dt.date:
    """`value` as a calendar date written YYYY-MM-DD, in the years YEAR_MINIMUM-YEAR_MAXIMUM."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return check_date(parsed, path)
    raise ClinicalInputError(
        path, f"{path} must be a date written YYYY-MM-DD; got {describe(value)}."
    )


def read_datetime(value: object, path: str) -> dt.datetime:
    """`value` as an ISO 8601 time `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` with an offset `+HH:MM` or
    `Z`, in the years YEAR_MINIMUM-YEAR_MAXIMUM; a time without an offset is refused."""
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return check_datetime(parsed, path)
    raise ClinicalInputError(
        path,
        f"{path} must be an ISO 8601 time with an offset, such as 2026-12-01T09:30:00+00:00; "
        f"got {describe(value)}.",
    )


def check_date(value: object, path: str) -> dt.date:
    """`value` itself if it is a `date` (not a `datetime`) in the years YEAR_MINIMUM-YEAR_MAXIMUM.

    For Python callers (web app, FHIR import) that build the clinical dataclasses directly.
    """
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ClinicalInputError(path, f"{path} must be a date; got {describe(value)}.")
    _check_year(value.year, path)
    return value


def check_datetime(value: object, path: str) -> dt.datetime:
    """`value` itself if it is a `datetime` with a UTC offset, in the years
    YEAR_MINIMUM-YEAR_MAXIMUM (for Python callers, as `check_date`)."""
    if not isinstance(value, dt.datetime):
        raise ClinicalInputError(
            path, f"{path} must be a time with a UTC offset; got {describe(value)}."
        )
    if value.utcoffset() is None:
        raise ClinicalInputError(path, f"{path} must be a time with a UTC offset.")
    _check_year(value.year, path)
    return value


def _check_year(year: int, path: str) -> None:
    if not YEAR_MINIMUM <= year <= YEAR_MAXIMUM:
        raise ClinicalInputError(
            path,
            f"{path} must be in the years {YEAR_MINIMUM} to {YEAR_MAXIMUM}; got the year {year}.",
        )


def read_list(
    value: object, path: str, min_items: int = 0, max_items: int | None = None
) -> list[Any]:
    if not isinstance(value, list):
        raise ClinicalInputError(path, f"{path} must be a list; got {describe(value)}.")
    if len(value) < min_items or (max_items is not None and len(value) > max_items):
        if max_items == min_items:
            wanted = f"exactly {min_items}"
        elif max_items is None:
            wanted = f"at least {min_items}"
        else:
            wanted = f"{min_items} to {max_items}"
        raise ClinicalInputError(path, f"{path} must have {wanted} items; got {len(value)}.")
    return value


def _range(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f" of at least {minimum:g}"
    if maximum is not None:
        return f" of at most {maximum:g}"
    return ""


class Fields:
    """One JSON object read strictly: each key taken once, unknown keys refused by `finish()`.

    doc = Fields(data, "")            # or Fields(data["pre_dose"], "pre_dose")
    age = doc.take("age", read_int, minimum=0, maximum=130)
    bp = doc.optional("blood_pressure", lambda v, p: Fields(v, p))
    doc.finish()
    """

    def __init__(self, data: object, path: str = "") -> None:
        if not isinstance(data, dict):
            where = path or "input"
            raise ClinicalInputError(where, f"{where} must be a JSON object; got {describe(data)}.")
        self.data: dict[str, Any] = data
        self.path = path
        self._taken: set[str] = set()

    def path_of(self, key: str) -> str:
        return join(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def take(self, key: str, reader: Any, /, **limits: Any) -> Any:
        """The value of a required key, read by `reader(value, path, **limits)`."""
        self._taken.add(key)
        if key not in self.data:
            path = self.path_of(key)
            raise ClinicalInputError(path, f"{path} is required.")
        return reader(self.data[key], self.path_of(key), **limits)

    def optional(self, key: str, reader: Any, /, default: Any = None, **limits: Any) -> Any:
        """The value of an optional key; absent or null gives `default`."""
        self._taken.add(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        return reader(value, self.path_of(key), **limits)

    def items(
        self, key: str, reader: Any, /, *, required: bool = True, **limits: Any
    ) -> Iterator[Any]:
        """Each item of a list-valued key, read by `reader(item, "key.i")`."""
        self._taken.add(key)
        value = self.data.get(key, _MISSING)
        path = self.path_of(key)
        if value is _MISSING or (value is None and not required):
            if required:
                raise ClinicalInputError(path, f"{path} is required.")
            return iter(())
        items = read_list(value, path, **limits)
        return (reader(item, join(path, i)) for i, item in enumerate(items))

    def finish(self) -> None:
        """Refuse keys nobody asked for: a typo in clinical data must not pass silently."""
        for key in self.data:
            if key not in self._taken:
                # The key is the caller's text: shortened like any bad value (describe).
                shown = key if len(key) <= _SHOWN else key[: _SHOWN - 3] + "..."
                path = self.path_of(shown)
                raise ClinicalInputError(path, f"{path} is not a known field.")
