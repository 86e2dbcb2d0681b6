"""Clock and input builders shared by the `ketacare.clinical.monitoring` tests (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import parse_monitor_input
from tests.contract_examples import MONITOR_INPUT, changed

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    """The moment `minutes` after the dose at T0."""
    return T0 + dt.timedelta(minutes=minutes)


def document(**changes: Any) -> dict[str, Any]:
    """The contract's `ketacare monitor` example with top-level keys replaced."""
    return changed(MONITOR_INPUT, **changes)


def refused(doc: dict[str, Any]) -> ClinicalInputError:
    """The error `parse_monitor_input` raises for `doc` (the test fails if it accepts it)."""
    with pytest.raises(ClinicalInputError) as caught:
        parse_monitor_input(doc)
    return caught.value
