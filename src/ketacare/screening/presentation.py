"""How the eligibility page shows a screen: outcome words and symbols, evidence grades, notes.

Everything medical comes from `ketacare.clinical`: the rule results, the registry's evidence
grade and `label_extension`. This module only chooses the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.clinical.eligibility import RuleResult, ScreenResult, label_extension
from ketacare.clinical.rules import REGISTRY, Evidence
from ketacare.clinics.models import Route

# Outcome -> (word, symbol): the page never tells outcomes apart by colour alone.
OUTCOMES: dict[str, tuple[str, str]] = {
    "pass": ("Pass", "✓"),
    "review": ("Review", "!"),
    "exclude": ("Exclude", "✕"),
}

# The reference's tags [V], [V2], [U], [D] in words (`ketacare rules`: `evidence`).
EVIDENCE_LABELS: dict[str, str] = {
    Evidence.VERIFIED: "Verified source",
    Evidence.SECONDARY: "Secondary source",
    Evidence.UNVERIFIED: "Unverified: not yet checked against a primary source",
    Evidence.DESIGN_DEFAULT: "KetaCare design default",
}

DECISION_HEADLINES: dict[str, str] = {
    "eligible": "Screen: eligible",
    "needs_review": "Screen: needs review",
    "not_eligible": "Screen: not eligible",
}

ROUTE_PHRASES: dict[str, str] = {
    Route.IV_KETAMINE: "IV ketamine",
    Route.ESKETAMINE_NASAL: "esketamine nasal spray",
    Route.ORAL_KETAMINE: "oral ketamine",
}


@dataclass(frozen=True)
class RuleRow:
    id: str
    outcome: str
    outcome_label: str
    symbol: str
    message: str
    source: str
    evidence: str
    evidence_label: str
    label_extension: bool
    urgent: bool


def rule_rows(result: ScreenResult) -> list[RuleRow]:
    """One row per rule of the screen, in the screen's order."""
    return [_row(rule, result.route) for rule in result.rules]


def _row(rule: RuleResult, route: str) -> RuleRow:
    word, symbol = OUTCOMES[rule.outcome.value]
    evidence = REGISTRY[rule.id].evidence
    return RuleRow(
        id=rule.id,
        outcome=rule.outcome.value,
        outcome_label=word,
        symbol=symbol,
        message=rule.message,
        source=rule.source,
        evidence=evidence.value,
        evidence_label=EVIDENCE_LABELS[evidence],
        label_extension=label_extension(rule.id, route),
        urgent=rule.urgent,
    )


def banner_text(result: ScreenResult) -> str:
    """One sentence under the decision headline: how many rules need what."""
    excluded = sum(1 for r in result.rules if r.outcome.value == "exclude")
    review = sum(1 for r in result.rules if r.outcome.value == "review")
    if excluded:
        return (
            f"{_count(excluded, 'rule excludes', 'rules exclude')} this route: it cannot be "
            "signed eligible."
        )
    if review:
        return (
            f"{_count(review, 'rule needs', 'rules need')} a clinician's review: a note is "
            "required to sign."
        )
    return "No rule stands in the way; the decision is still the prescriber's."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
