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
    """How firmly a rule is sourced, the reference's tags [V], [V2], [U] and [D].

    A rule whose reference row mixes tags takes the weakest of them, and its summary says why.
    From firmest to weakest: VERIFIED, SECONDARY, DESIGN_DEFAULT, UNVERIFIED ([U] is weaker
    than [D]: the reference says not to hard-code it without checking, while [D] is at least a
    declared software choice). Tags on what a rule does not enforce (a LOINC code, a licence, an
    answer's wording, a question the rule leaves open) do not count.
    """

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

    def __post_init__(self) -> None:
        # A range that holds one value leaves a clinic nothing to choose: call it fixed, so the
        # catalogue does not print "(2 to 2)" as if it could be changed.
        if self.configurable and self.minimum == self.maximum:
            raise ValueError(
                f"threshold {self.name}: a range of one value ({self.minimum:g}) must be "
                "configurable=False"
            )

    @classmethod
    def fixed(cls, name: str, value: Number) -> Threshold:
        """A threshold that allows exactly one value: a published definition (an instrument's
        item range), a label fact or a contract number that no clinic may move."""
        return cls(name, value, value, value, configurable=False)

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


@dataclass(frozen=True, slots=True)
class Consistency:
    """Two thresholds that must keep their order whatever a clinic configures.

    `lower_rule`.`lower` must be below (`relation` "<") or at most ("<=") `upper_rule`.`upper`:
    a critical level beyond its warning level, a hold below its severe hold, a window that opens
    before it closes, a minimum not above its maximum. `why` says what breaks otherwise.
    """

    lower_rule: str
    lower: str
    relation: str
    upper_rule: str
    upper: str
    why: str

    def holds(self, low: Number, high: Number) -> bool:
        return low < high if self.relation == "<" else low <= high

    def sentence(self, low: Number, high: Number) -> str:
        word = "below" if self.relation == "<" else "at most"
        return (
            f"{self.lower_rule} {self.lower} ({low:g}) must be {word} {self.upper_rule} "
            f"{self.upper} ({high:g}): {self.why}."
        )


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


def _gather_consistency(registry: Mapping[str, Rule]) -> tuple[Consistency, ...]:
    from ketacare.clinical.catalog import ALL_CONSISTENCY

    for pair in ALL_CONSISTENCY:
        ends = ((pair.lower_rule, pair.lower), (pair.upper_rule, pair.upper))
        for rule_id, name in ends:
            if rule_id not in registry or name not in registry[rule_id].defaults:
                raise RuntimeError(f"consistency pair names an unknown threshold {rule_id}.{name}")
        if pair.relation not in ("<", "<="):
            raise RuntimeError(f"consistency pair {pair} has an unknown relation")
        low = registry[pair.lower_rule].defaults[pair.lower]
        high = registry[pair.upper_rule].defaults[pair.upper]
        if not pair.holds(low, high):
            raise RuntimeError(f"defaults break a consistency pair: {pair.sentence(low, high)}")
    return ALL_CONSISTENCY


REGISTRY: Mapping[str, Rule] = _gather()
CONSISTENCY: tuple[Consistency, ...] = _gather_consistency(REGISTRY)


@dataclass(frozen=True)
class ClinicalSettings:
    """The threshold values one clinic uses: the reference's defaults plus checked overrides.

    Build with `ClinicalSettings.with_overrides({"MON-BP-HOLD": {"systolic_above_mmhg": 150}})`;
    an unknown rule or threshold, a value outside the threshold's sane range, or values that
    break a `Consistency` pair of the catalog (SpO2 critical above its warning level, a window
    that closes before it opens) raise `ClinicalInputError` naming the rule id(s).
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
        _check_consistency(values, self.overrides)
        object.__setattr__(self, "_values", values)

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, Mapping[str, Number]]) -> ClinicalSettings:
        return cls(overrides=overrides)

    def value(self, rule_id: str, name: str) -> Number:
        """The clinic's value of one threshold (a programming error if it does not exist)."""
        return self._values[(rule_id, name)]


def _check_consistency(
    values: Mapping[tuple[str, str], Number], overrides: Mapping[str, Mapping[str, Number]]
) -> None:
    def changed(rule_id: str, name: str) -> bool:
        return name in overrides.get(rule_id, {})

    broken = [
        pair
        for pair in CONSISTENCY
        if not pair.holds(
            values[(pair.lower_rule, pair.lower)], values[(pair.upper_rule, pair.upper)]
        )
    ]
    if not broken:
        return
    # The pair whose two ends the clinic both moved says most about the mistake.
    pair = next(
        (p for p in broken if changed(p.lower_rule, p.lower) and changed(p.upper_rule, p.upper)),
        broken[0],
    )
    rule_id, name = (
        (pair.lower_rule, pair.lower)
        if changed(pair.lower_rule, pair.lower)
        else (pair.upper_rule, pair.upper)
    )
    low = values[(pair.lower_rule, pair.lower)]
    high = values[(pair.upper_rule, pair.upper)]
    raise ClinicalInputError(f"settings.{rule_id}.{name}", pair.sentence(low, high))


DEFAULT_SETTINGS = ClinicalSettings()
