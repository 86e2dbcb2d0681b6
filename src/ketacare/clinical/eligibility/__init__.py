"""Eligibility screening for one route (clinical-reference.md section 2; `ketacare screen`).

    candidate = parse_candidate(document)      # strict; ClinicalInputError names the field
    result = screen(candidate)                 # ScreenResult(route, decision, rules)
    result.as_document()                       # the contract's output
    absolute_exclusions(result)                # what SAFE-ABS-EXCLUSION forbids signing away
    screen_chart(document)                     # a chart's document; diagnosis may be null
    label_extension(rule_id, route)            # the esketamine label extended by KetaCare policy

The condition table (outcome per route) is data: `CONDITIONS` in
`ketacare.clinical.catalog.eligibility`, re-exported here.
"""

from __future__ import annotations

# rules.py gathers the catalog when it is imported, so it must come before any catalog module
# (importing ketacare.clinical.catalog.* first is a circular import).
from ketacare.clinical import rules as _registry  # noqa: F401
from ketacare.clinical.catalog.eligibility import CONDITIONS, ROUTES, ConditionRule, Outcome
from ketacare.clinical.eligibility.candidate import (
    CONDITION_CODES,
    DIAGNOSES,
    BloodPressure,
    Candidate,
    check_candidate,
    parse_candidate,
)
from ketacare.clinical.eligibility.chart_screen import DIAGNOSIS_NOT_RECORDED, screen_chart
from ketacare.clinical.eligibility.label import LABEL_RULES, label_extension
from ketacare.clinical.eligibility.results import RuleResult
from ketacare.clinical.eligibility.screening import (
    Decision,
    ScreenResult,
    absolute_exclusions,
    decide,
    is_absolute_exclusion,
    screen,
)

__all__ = [
    "CONDITIONS",
    "CONDITION_CODES",
    "DIAGNOSES",
    "DIAGNOSIS_NOT_RECORDED",
    "LABEL_RULES",
    "ROUTES",
    "BloodPressure",
    "Candidate",
    "ConditionRule",
    "Decision",
    "Outcome",
    "RuleResult",
    "ScreenResult",
    "absolute_exclusions",
    "check_candidate",
    "decide",
    "is_absolute_exclusion",
    "label_extension",
    "parse_candidate",
    "screen",
    "screen_chart",
]
