"""Rule definitions as data, one module per domain; `ketacare.clinical.rules` gathers them."""

from __future__ import annotations

from ketacare.clinical.catalog import (
    checks,
    consistency,
    dosing,
    eligibility,
    instruments,
    monitoring,
    outcomes,
    protocols,
    safety,
)
from ketacare.clinical.rules import Consistency, Rule

ALL_RULES: tuple[Rule, ...] = (
    *instruments.RULES,
    *eligibility.RULES,
    *protocols.RULES,
    *dosing.RULES,
    *monitoring.RULES,
    *outcomes.RULES,
    *safety.RULES,
    *checks.RULES,
)

ALL_CONSISTENCY: tuple[Consistency, ...] = consistency.CONSISTENCY
