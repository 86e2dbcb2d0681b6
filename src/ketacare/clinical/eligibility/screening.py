"""The eligibility screen of clinical-reference.md 2.8, and the contract's decision rule.

Rules are evaluated in the order of 2.8: ELIG-AGE, ELIG-DIAGNOSIS, ELIG-TRD, ELIG-SEVERITY,
ELIG-SUICIDALITY, ELIG-BP, ELIG-PREGNANCY, ELIG-BREASTFEEDING, then one rule per condition code
in table order. A condition rule is listed for EVERY code of the table, with `pass` ("not
reported") when the code is absent: the prescriber sees the full picture of what was asked, and
every screen of a route has the same rules in the same order (contract: "every rule evaluated, in
a stable order"). Condition results do not depend on a clinic's settings (their only numbers are
fixed thresholds of the code's definition), so they are built once per route at import; a screen
only picks the present or absent result of each row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ketacare.clinical.catalog.eligibility import CONDITIONS, ROUTES, Outcome
from ketacare.clinical.eligibility.candidate import Candidate, check_candidate
from ketacare.clinical.eligibility.core_rules import CORE_CHECKS
from ketacare.clinical.eligibility.messages import condition_message
from ketacare.clinical.eligibility.results import RuleResult, source_of
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings


class Decision(StrEnum):
    """The screen's decision (contracts.md `ketacare screen`)."""

    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """The outcome of one screen: the route, the decision and every rule result in order."""

    route: str
    decision: Decision
    rules: tuple[RuleResult, ...]

    @property
    def urgent(self) -> bool:
        """True when a rule asks for same-day safety review (ELIG-SUICIDALITY, ELIG-SI-INTENT)."""
        return any(result.urgent for result in self.rules)

    def as_document(self) -> dict[str, Any]:
        """The contract's output document: exactly `route`, `decision` and `rules`."""
        return {
            "route": self.route,
            "decision": self.decision.value,
            "rules": [
                {
                    "id": r.id,
                    "outcome": r.outcome.value,
                    "message": r.message,
                    "source": r.source,
                }
                for r in self.rules
            ],
        }


def decide(outcomes: Iterable[Outcome]) -> Decision:
    """The contract's decision rule: any exclude, else any review, else eligible."""
    seen = set(outcomes)
    if Outcome.EXCLUDE in seen:
        return Decision.NOT_ELIGIBLE
    if Outcome.REVIEW in seen:
        return Decision.NEEDS_REVIEW
    return Decision.ELIGIBLE


def is_absolute_exclusion(result: RuleResult) -> bool:
    """True when `result` excludes under a rule marked absolute (SAFE-ABS-EXCLUSION).

    Such a review cannot be signed "eligible". Every exclusion of the screen comes from an
    absolute rule (the X cells of the condition table, ELIG-AGE under 18, ELIG-PREGNANCY); the
    registry flag is checked too so a future non-absolute exclude would not be caught here.
    """
    if result.outcome is not Outcome.EXCLUDE:
        return False
    rule = REGISTRY.get(result.id)
    return rule is not None and rule.absolute


def absolute_exclusions(screen_result: ScreenResult) -> tuple[RuleResult, ...]:
    """The results of a screen that make it impossible to sign eligible (SAFE-ABS-EXCLUSION)."""
    return tuple(r for r in screen_result.rules if is_absolute_exclusion(r))


def _condition_results() -> dict[str, tuple[tuple[str, RuleResult, RuleResult], ...]]:
    # Built once for every clinic: a condition's numbers are fixed thresholds (ConditionRule
    # refuses a configurable one), filled in by `ConditionRule.fill`.
    table: dict[str, tuple[tuple[str, RuleResult, RuleResult], ...]] = {}
    for route in ROUTES:
        rows = []
        for row in CONDITIONS:
            source = source_of(row.rule_id)
            absent = RuleResult(
                row.rule_id,
                Outcome.PASS,
                condition_message(row, route, present=False),
                source,
            )
            present = RuleResult(
                row.rule_id,
                row.outcome(route),
                condition_message(row, route, present=True),
                source,
                urgent=row.urgent,
            )
            rows.append((row.code, absent, present))
        table[route] = tuple(rows)
    return table


# Built once at import: (code, result when absent, result when present) per route, table order.
_CONDITION_RESULTS = _condition_results()


def screen(candidate: Candidate, *, settings: ClinicalSettings = DEFAULT_SETTINGS) -> ScreenResult:
    """Screen one candidate for one route (clinical-reference.md 2.8; contract `ketacare screen`).

    Evaluates ELIG-AGE, ELIG-DIAGNOSIS, ELIG-TRD, ELIG-SEVERITY, ELIG-SUICIDALITY, ELIG-BP,
    ELIG-PREGNANCY, ELIG-BREASTFEEDING, then every condition rule of the table (ELIG-CI-ANEURYSM
    ... ELIG-SI-INTENT) in table order, and applies the decision rule. Thresholds are read from
    `settings`. ELIG-SUICIDALITY and ELIG-SI-INTENT set `urgent` on their result. A candidate
    built in Python is first checked like a parsed one (`check_candidate`).
    """
    # A candidate built in code rather than by parse_candidate is held to the same types,
    # ranges and codes, so `pregnant="no"` or an unknown code is never screened on a guess.
    check_candidate(candidate, settings=settings)
    rows = _CONDITION_RESULTS[candidate.route]
    conditions = candidate.conditions
    results = [check(candidate, settings) for check in CORE_CHECKS]
    results.extend(present if code in conditions else absent for code, absent, present in rows)
    return ScreenResult(
        route=candidate.route,
        decision=decide(r.outcome for r in results),
        rules=tuple(results),
    )
