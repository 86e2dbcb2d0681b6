"""Registry reads and table rows shared by the boundary tests (tests/clinical/test_boundaries_*).

Every number a boundary test uses comes from the rule registry. A row probes one threshold at its
value and one step either side; where a clinic may move the threshold (`configurable`), the same
rows run again on settings that moved it one step, so a test fails if the code compares against
a literal instead of reading the setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings, Number

SIDES = {-1: "below", 0: "at", 1: "above"}


def whole(rule_id: str, name: str, settings: ClinicalSettings = DEFAULT_SETTINGS) -> int:
    """A threshold counted in whole units (points, days, years, mg, questions)."""
    value = settings.value(rule_id, name)
    assert isinstance(value, int), f"{rule_id}.{name} is not a whole number"
    return value


def row(rule_id: str, name: str, side: str, *values: Any) -> Any:
    """One table row, its id naming the rule, the threshold and the side probed."""
    return pytest.param(*values, id=f"{rule_id}.{name}-{side}")


def plus(value: Number, steps: int, step: Number) -> Number:
    """`value` moved by `steps` steps, exactly as written (0.75 - 0.01 is 0.74, not 0.73999...)."""
    moved = Decimal(str(value)) + steps * Decimal(str(step))
    return int(moved) if isinstance(value, int) and isinstance(step, int) else float(moved)


def clinics(rule_id: str, name: str, step: Number = 1) -> list[tuple[str, ClinicalSettings]]:
    """The default settings and, if a clinic may move the threshold, a clinic that moved it.

    The clinic moves it one step down, or up when down leaves the threshold's sane range; a
    threshold whose range holds only its default is tested at the default alone.
    """
    threshold = REGISTRY[rule_id].threshold(name)
    variants = [("", DEFAULT_SETTINGS)]
    if not threshold.configurable:
        return variants
    for steps in (-1, 1):
        moved = plus(threshold.default, steps, step)
        if threshold.minimum <= moved <= threshold.maximum:
            clinic = ClinicalSettings.with_overrides({rule_id: {name: moved}})
            return [*variants, (f"-clinic{moved:g}", clinic)]
    return variants


@dataclass(frozen=True, slots=True)
class Probe:
    """One probe of a threshold: `value` is the clinic's `threshold` moved `offset` steps."""

    settings: ClinicalSettings
    threshold: Number
    offset: int
    value: Number


def probes(rule_id: str, name: str, *values: Any, step: Number = 1) -> list[Any]:
    """Rows `(*values, Probe)` probing the threshold at its value and one step either side, on
    every clinic of `clinics`; each id is `RULE.threshold-below|at|above[-clinic<value>]`."""
    rows = []
    for label, settings in clinics(rule_id, name, step):
        threshold = settings.value(rule_id, name)
        for offset, side in SIDES.items():
            probe = Probe(settings, threshold, offset, plus(threshold, offset, step))
            rows.append(row(rule_id, name, side + label, *values, probe))
    return rows


def refusal(call: Any, *args: Any, **kwargs: Any) -> ClinicalInputError:
    """The input error `call(*args, **kwargs)` raises (the test fails if it raises none)."""
    with pytest.raises(ClinicalInputError) as caught:
        call(*args, **kwargs)
    return caught.value
