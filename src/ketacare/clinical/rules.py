"""One registry of every clinical rule, and the clinic-configurable thresholds behind them.

Each rule has a stable id from `shared/clinical-reference.md`, a summary, its source keys, its
evidence grade ([V] verified, [V2] secondary, [U] unverified, [D] design default) and the default
values of its thresholds. The rule *definitions* live as data in `ketacare.clinical.catalog`, one
module per domain; this module gathers them, checks them, and applies a clinic's overrides.
Nothing in `clinical/` may hard-code a medical number that is not a threshold of a rule here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ketacare.clinical.errors import ClinicalInputError

Number = int | float


class Evidence(StrEnum):
    """How firmly a rule is sourced, the reference's tags [V], [V2], [U] and [D]."""

    VERIFIED = "verified"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"
    DESIGN_DEFAULT = "design_default"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number a rule compares against, with the range a clinic may move it within.

    `name` carries its unit and its comparison (`systolic_above_mmhg`), so call sites read
    as the reference does. `configurable=False` marks values fixed by a published definition
    (an instrument's item range, a contract's band); overriding one is refused.
    """

    name: str
    default: Number
    minimum: Number
    maximum: Number
    configurable: bool = True

    def check(self, rule_id: str, value: object) -> Number:
        path = f"settings.{rule_id}.{self.name}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ClinicalInputError(path, f"{rule_id}: {self.name} must be a number.")
        if not self.configurable and value != self.default:
            raise ClinicalInputError(
                path,
                f"{rule_id}: {self.name} is fixed by its published definition at {self.default}.",
            )
        if not self.minimum <= value <= self.maximum:
            raise ClinicalInputError(
                path,
                f"{rule_id}: {self.name} must be between {self.minimum} and {self.maximum}; "
                f"got {value}.",
            )
        return value


@dataclass(frozen=True, slots=True)
class Rule:
    """One clinical rule of the reference.

    `absolute` marks an eligibility exclusion that nothing downstream may override
    (SAFE-ABS-EXCLUSION); `overridable=False` marks a discharge criterion a prescriber may not
    override (DISCH-ESK-MIN-TIME, SAFE-ESK-2H).
    """

    id: str
    summary: str
    section: str
    source: str
    evidence: Evidence
    thresholds: tuple[Threshold, ...] = ()
    absolute: bool = False
    overridable: bool = True

    @property
    def defaults(self) -> dict[str, Number]:
        return {t.name: t.default for t in self.thresholds}

    def threshold(self, name: str) -> Threshold:
        for t in self.thresholds:
            if t.name == name:
                return t
        raise KeyError(f"{self.id} has no threshold {name!r}")


def _gather() -> dict[str, Rule]:
    # Imported here so the catalog modules can import the types above without a cycle.
    from ketacare.clinical.catalog import ALL_RULES

    registry: dict[str, Rule] = {}
    for rule in ALL_RULES:
        if rule.id in registry:
            raise RuntimeError(f"rule id {rule.id} is defined twice")
        names = [t.name for t in rule.thresholds]
        if len(set(names)) != len(names):
            raise RuntimeError(f"rule {rule.id} repeats a threshold name")
        for t in rule.thresholds:
            if not t.minimum <= t.default <= t.maximum:
                raise RuntimeError(f"rule {rule.id}: default of {t.name} is outside its range")
        registry[rule.id] = rule
    return registry


REGISTRY: Mapping[str, Rule] = _gather()


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; an unknown id is an input error naming it."""
    try:
        return REGISTRY[rule_id]
    except KeyError:
        raise ClinicalInputError("rule", f"There is no clinical rule {rule_id!r}.") from None


@dataclass(frozen=True)
class ClinicalSettings:
    """The threshold values one clinic uses: the reference's defaults plus checked overrides.

    Build with `ClinicalSettings.with_overrides({"MON-BP-HOLD": {"systolic_above_mmhg": 150}})`;
    an unknown rule or threshold, or a value outside the threshold's sane range, raises
    `ClinicalInputError` naming the rule id.
    """

    overrides: Mapping[str, Mapping[str, Number]] = field(default_factory=dict)
    _values: dict[tuple[str, str], Number] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        values: dict[tuple[str, str], Number] = {
            (rule.id, t.name): t.default for rule in REGISTRY.values() for t in rule.thresholds
        }
        if not isinstance(self.overrides, Mapping):
            raise ClinicalInputError("settings", "settings must be an object of rule ids.")
        for rule_id, changes in self.overrides.items():
            if rule_id not in REGISTRY:
                raise ClinicalInputError(
                    f"settings.{rule_id}", f"There is no clinical rule {rule_id!r} to configure."
                )
            rule = REGISTRY[rule_id]
            if not isinstance(changes, Mapping):
                raise ClinicalInputError(
                    f"settings.{rule_id}", f"{rule_id}: overrides must be an object of thresholds."
                )
            for name, value in changes.items():
                if (rule_id, name) not in values:
                    raise ClinicalInputError(
                        f"settings.{rule_id}.{name}", f"{rule_id} has no threshold {name!r}."
                    )
                values[(rule_id, name)] = rule.threshold(name).check(rule_id, value)
        object.__setattr__(self, "_values", values)

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, Mapping[str, Number]]) -> ClinicalSettings:
        return cls(overrides=overrides)

    def value(self, rule_id: str, name: str) -> Number:
        """The clinic's value of one threshold (a programming error if it does not exist)."""
        return self._values[(rule_id, name)]


DEFAULT_SETTINGS = ClinicalSettings()
