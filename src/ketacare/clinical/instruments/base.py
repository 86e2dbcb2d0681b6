"""The shape of a rating-scale instrument, and of its score (clinical-reference.md section 5).

An `InstrumentDefinition` is the one source that web forms, FHIR Questionnaires and scoring all
read: items with their texts, answer options and LOINC codes, how items combine into the total,
severity bands and flags. Every number in it (item range, band bounds, flag cut-offs) comes from
the instrument's SCALE-* rule in `ketacare.clinical.catalog.instruments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ketacare.clinical.rules import DEFAULT_SETTINGS


class AnswerKind(StrEnum):
    """What one answer is: points on the item's range, or a yes/no (C-SSRS)."""

    INTEGER = "integer"
    BOOLEAN = "boolean"


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One allowed answer of an item: its value, its published label and LOINC answer code."""

    value: int | bool
    label: str
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class EnableWhen:
    """Skip logic: the item is asked only when item `item` (1-based) was answered `answer`."""

    item: int
    answer: int | bool


@dataclass(frozen=True, slots=True)
class ItemDefinition:
    """One item, numbered from 1 in the published order.

    `required=False` marks an item that may be left off the end of the answer list (the
    C-SSRS follow-up to question 6); `enabled_when` carries the instrument's skip logic.
    """

    number: int
    text: str
    options: tuple[AnswerOption, ...]
    loinc: str | None = None
    enabled_when: EnableWhen | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band: `label` for totals from `minimum` to `maximum` inclusive."""

    label: str
    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class FlagDefinition:
    """A flag the score may carry.

    With `item` set, the flag is raised when that item's answer is `minimum_points` or more;
    with only `minimum_points`, when the total is; with neither, by the instrument's own rule
    (the C-SSRS triage). `loinc_answer` is the answer code of the result, where one is known.
    """

    name: str
    rule_id: str
    description: str
    item: int | None = None
    minimum_points: int | None = None
    loinc_answer: str | None = None


@dataclass(frozen=True, slots=True)
class InstrumentDefinition:
    """One instrument as data: everything needed to show it, store it and score it.

    `domains` lists, for each scored domain, the item numbers whose highest answer counts
    (QIDS-SR16 section 5.5); a plain-sum instrument has one domain per item. `total_minimum`,
    `total_maximum`, `loinc_total` and `bands` are None or empty where the instrument has no
    total (C-SSRS) or no bands. `loinc_result` is the code of a categorical result (C-SSRS
    risk level).
    """

    id: str
    title: str
    rule_id: str
    measures: str
    rater: str
    answer_kind: AnswerKind
    items: tuple[ItemDefinition, ...]
    instructions: str | None = None
    item_minimum: int | None = None
    item_maximum: int | None = None
    domains: tuple[tuple[int, ...], ...] = ()
    total_minimum: int | None = None
    total_maximum: int | None = None
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagDefinition, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    loinc_result: str | None = None
    unscored_items: tuple[ItemDefinition, ...] = ()
    license: str = ""

    @property
    def item_count(self) -> int:
        """How many answers a complete response holds (optional trailing items included)."""
        return len(self.items)

    @property
    def required_item_count(self) -> int:
        return sum(1 for item in self.items if item.required)

    def band_for(self, total: int) -> str | None:
        """The severity label of `total`, or None when the instrument has no bands."""
        for band in self.bands:
            if band.minimum <= total <= band.maximum:
                return band.label
        return None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The score of one response, the `ketacare score` output of contracts.md section 1.

    `flags` is sorted; `total`, `max` and `severity` are None where the instrument has no total
    or no bands; `loinc` is the code of the total score, where one exists.
    """

    instrument: str
    total: int | None
    max: int | None
    severity: str | None
    flags: tuple[str, ...]
    loinc: str | None

    def as_document(self) -> dict[str, object]:
        """The contract's output document (flags as a list)."""
        return {
            "instrument": self.instrument,
            "total": self.total,
            "max": self.max,
            "severity": self.severity,
            "flags": list(self.flags),
            "loinc": self.loinc,
        }


def points(rule_id: str, name: str) -> int:
    """An integer threshold of a SCALE-* rule.

    Every SCALE-* threshold is fixed by its published definition (configurable=False), so a
    clinic's settings always hold the default and definitions can be built once at import.
    """
    value = DEFAULT_SETTINGS.value(rule_id, name)
    if not isinstance(value, int):
        raise RuntimeError(f"{rule_id}: {name} must be a whole number of points")
    return value


def point_options(
    rule_id: str, labels: Sequence[str] = (), codes: Sequence[str] = ()
) -> tuple[AnswerOption, ...]:
    """The answer options of an item on the rule's item range, labelled from `labels` (or
    by the value itself when the published anchors are not reproduced)."""
    low = points(rule_id, "item_minimum_points")
    high = points(rule_id, "item_maximum_points")
    values = range(low, high + 1)
    if labels and len(labels) != len(values):
        raise RuntimeError(f"{rule_id}: {len(labels)} answer labels for {len(values)} values")
    if codes and len(codes) != len(values):
        raise RuntimeError(f"{rule_id}: {len(codes)} answer codes for {len(values)} values")
    return tuple(
        AnswerOption(
            value,
            labels[i] if labels else str(value),
            codes[i] if codes else None,
        )
        for i, value in enumerate(values)
    )


def bands_from_rule(
    rule_id: str, labels: Sequence[str], *, domain_count: int | None = None
) -> tuple[Band, ...]:
    """Severity bands from the rule's `<label>_minimum_points` thresholds, lowest label first.

    The lowest band starts at the lowest possible total (item minimum times the number of
    scored domains, one per item by default) and the highest ends at `total_maximum_points`,
    so the bands cover every total exactly once.
    """
    domains = points(rule_id, "item_count") if domain_count is None else domain_count
    lowest = points(rule_id, "item_minimum_points") * domains
    starts = [lowest, *(points(rule_id, f"{label}_minimum_points") for label in labels[1:])]
    ends = [start - 1 for start in starts[1:]] + [points(rule_id, "total_maximum_points")]
    return tuple(
        Band(label, start, end) for label, start, end in zip(labels, starts, ends, strict=True)
    )


def single_domains(count: int) -> tuple[tuple[int, ...], ...]:
    """One domain per item: the total is the plain sum of the items."""
    return tuple((number,) for number in range(1, count + 1))


def integer_instrument(
    definition_id: str,
    *,
    rule_id: str,
    title: str,
    measures: str,
    rater: str,
    items: tuple[ItemDefinition, ...],
    instructions: str | None = None,
    band_labels: Sequence[str] = (),
    domains: tuple[tuple[int, ...], ...] = (),
    flags: tuple[FlagDefinition, ...] = (),
    loinc_panel: str | None = None,
    loinc_total: str | None = None,
    unscored_items: tuple[ItemDefinition, ...] = (),
    license: str = "",
) -> InstrumentDefinition:
    """An instrument scored in points, its ranges and bands read from rule `rule_id`.

    `domains` defaults to one per item (a plain sum); the total runs from the item minimum to
    the item maximum once per domain, which must agree with the rule's `total_maximum_points`.
    """
    if len(items) != points(rule_id, "item_count"):
        raise RuntimeError(f"{rule_id}: {len(items)} items defined, the rule says otherwise")
    domains = domains or single_domains(len(items))
    low = points(rule_id, "item_minimum_points")
    high = points(rule_id, "item_maximum_points")
    if high * len(domains) != points(rule_id, "total_maximum_points"):
        raise RuntimeError(f"{rule_id}: item range and domains do not give total_maximum_points")
    return InstrumentDefinition(
        id=definition_id,
        title=title,
        rule_id=rule_id,
        measures=measures,
        rater=rater,
        answer_kind=AnswerKind.INTEGER,
        items=items,
        instructions=instructions,
        item_minimum=low,
        item_maximum=high,
        domains=domains,
        total_minimum=low * len(domains),
        total_maximum=points(rule_id, "total_maximum_points"),
        bands=bands_from_rule(rule_id, band_labels, domain_count=len(domains))
        if band_labels
        else (),
        flags=flags,
        loinc_panel=loinc_panel,
        loinc_total=loinc_total,
        unscored_items=unscored_items,
        license=license,
    )
