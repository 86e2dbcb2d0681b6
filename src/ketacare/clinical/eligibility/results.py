"""The result of one screening rule, and the source text shown beside it."""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.clinical.catalog.eligibility import RULES, Outcome


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One evaluated rule: its id, outcome, a plain-language message and its source.

    `urgent` asks for a same-day clinician review with crisis resources shown first (SAFE-ITEM9);
    it is not part of the CLI document, which keeps to the contract's keys.
    """

    id: str
    outcome: Outcome
    message: str
    source: str
    urgent: bool = False


# "clinical-reference.md 2.7: USMED-2021; ..." for every eligibility rule, built once.
_SOURCES: dict[str, str] = {
    rule.id: f"clinical-reference.md {rule.section}: {rule.source}" for rule in RULES
}


def source_of(rule_id: str) -> str:
    """The reference section and source keys of an eligibility rule, as one string."""
    return _SOURCES[rule_id]
