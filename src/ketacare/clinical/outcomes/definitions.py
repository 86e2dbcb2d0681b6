"""Each outcome instrument's rules, read from the registry through a clinic's settings.

The numbers come from the OUT-* rules of reference 6.1 and the instruments' SCALE-* rules of
section 5; this module only says which rule and threshold apply to which instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ketacare.clinical.rules import REGISTRY, ClinicalSettings

# The instruments with outcome definitions in reference 6.1 (contracts.md `ketacare outcomes`).
# HAM-D17 has OUT-REMISSION-HAMD and OUT-RELAPSE-HAMD but no instrument id, so it is not here.
OUTCOME_INSTRUMENTS: tuple[str, ...] = ("gad7", "madrs", "phq9", "qids_sr16")

# Each instrument's rule-id suffix: SCALE-, OUT-REMISSION- and OUT-RELAPSE-<suffix>.
_SUFFIX = {"gad7": "GAD7", "madrs": "MADRS", "phq9": "PHQ9", "qids_sr16": "QIDS"}


def _scale_rule_id(instrument: str) -> str:
    return f"SCALE-{_SUFFIX[instrument]}"


def remission_rule_id(instrument: str) -> str:
    return f"OUT-REMISSION-{_SUFFIX[instrument]}"


def relapse_rule_id(instrument: str) -> str:
    return f"OUT-RELAPSE-{_SUFFIX[instrument]}"


def total_range(instrument: str, settings: ClinicalSettings) -> tuple[int, int]:
    """The lowest and highest total of the instrument (SCALE-*); totals are sums of items >= 0."""
    highest = settings.value(_scale_rule_id(instrument), "total_maximum_points")
    return 0, int(highest)


def remission_at_most(instrument: str, settings: ClinicalSettings) -> int:
    """The highest total that is remission (OUT-REMISSION-*; MADRS per clinic, 10 or up to 12)."""
    return int(settings.value(remission_rule_id(instrument), "total_at_most_points"))


def reduction_reaches(baseline: int, total: int, rule_id: str, settings: ClinicalSettings) -> bool:
    """Whether `total` is at least the rule's percent reduction below `baseline`.

    Exact arithmetic: 50 % of 27 is 13.5, so 13 points down from 27 is not a response. A zero
    baseline cannot be reduced, so no reduction rule (OUT-RESPONSE, OUT-PARTIAL) is ever met.
    """
    if baseline <= 0:
        return False
    percent = Fraction(settings.value(rule_id, "reduction_at_least_percent"))
    return Fraction(baseline - total, baseline) * 100 >= percent


@dataclass(frozen=True, slots=True)
class RelapseDefinition:
    """Consecutive assessments at or above a total, spaced within a window (OUT-RELAPSE-*)."""

    rule_id: str
    total_at_least: int
    consecutive: int
    minimum_days_apart: int
    maximum_days_apart: int | None


def relapse_definition(instrument: str, settings: ClinicalSettings) -> RelapseDefinition:
    """The relapse definition of the instrument, as the clinic's settings give it.

    MADRS has its own total (OUT-RELAPSE-MADRS); PHQ-9, QIDS-SR16 and GAD-7 relapse at or above
    the moderate band, the instrument's own SCALE-* `moderate_minimum_points`.
    """
    rule_id = relapse_rule_id(instrument)
    names = REGISTRY[rule_id].defaults
    if "total_at_least_points" in names:
        at_least = settings.value(rule_id, "total_at_least_points")
    else:
        at_least = settings.value(_scale_rule_id(instrument), "moderate_minimum_points")
    maximum = (
        int(settings.value(rule_id, "maximum_days_apart"))
        if "maximum_days_apart" in names
        else None
    )
    return RelapseDefinition(
        rule_id=rule_id,
        total_at_least=int(at_least),
        consecutive=int(settings.value(rule_id, "consecutive_assessments")),
        minimum_days_apart=int(settings.value(rule_id, "minimum_days_apart")),
        maximum_days_apart=maximum,
    )


def rise_at_least(instrument: str, settings: ClinicalSettings) -> int | None:
    """The rise above the nadir that fires OUT-EARLY-WARNING, or None for an instrument without
    a verified MCID in points (reference 6.2: only the PHQ-9 has one, LOWE-2004)."""
    name = f"{instrument}_rise_at_least_points"
    if name not in REGISTRY["OUT-EARLY-WARNING"].defaults:
        return None
    return int(settings.value("OUT-EARLY-WARNING", name))
