"""The screen of a chart, where the working diagnosis may not be recorded yet.

A chart is screened before every fact is in: a missing PHQ-9, MADRS, blood pressure or trial
count is already a null the screen understands. A missing diagnosis is not: the contract's
candidate requires one, and screening as `mdd` or `other` would show a basis nobody decided.
So ELIG-DIAGNOSIS is a `review` saying that none is recorded, and the rest of the screen runs as
usual (no other rule reads the diagnosis).
"""

from __future__ import annotations

from collections.abc import Mapping

from ketacare.clinical.catalog.eligibility import Outcome
from ketacare.clinical.eligibility.candidate import DIAGNOSES, parse_candidate
from ketacare.clinical.eligibility.results import RuleResult, source_of
from ketacare.clinical.eligibility.screening import ScreenResult, decide, screen
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

DIAGNOSIS_RULE = "ELIG-DIAGNOSIS"
DIAGNOSIS_NOT_RECORDED = (
    "No working diagnosis is recorded in the chart: a clinician must record it and look at it "
    "before treatment."
)


def screen_chart(
    document: Mapping[str, object], *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> ScreenResult:
    """Screen a chart's candidate document (`ketacare screen` input) whose diagnosis may be null.

    With a diagnosis this is `screen(parse_candidate(document))`. With `diagnosis` null,
    ELIG-DIAGNOSIS is `review` (`DIAGNOSIS_NOT_RECORDED`) and the decision follows the contract's
    rule over the results (so at least `needs_review`). Every other rule, ELIG-AGE to
    ELIG-SI-INTENT, is evaluated as in `screen`; input errors are `parse_candidate`'s, naming the
    field. A missing `diagnosis` key is still an error (strict input).
    """
    if not isinstance(document, Mapping) or document.get("diagnosis", "") is not None:
        return screen(parse_candidate(document, settings=settings), settings=settings)
    # Any valid value lets the rest be read strictly; its ELIG-DIAGNOSIS result is replaced.
    candidate = parse_candidate({**document, "diagnosis": DIAGNOSES[0]}, settings=settings)
    result = screen(candidate, settings=settings)
    not_recorded = RuleResult(
        DIAGNOSIS_RULE, Outcome.REVIEW, DIAGNOSIS_NOT_RECORDED, source_of(DIAGNOSIS_RULE)
    )
    rules = tuple(not_recorded if r.id == DIAGNOSIS_RULE else r for r in result.rules)
    return ScreenResult(route=result.route, decision=decide(r.outcome for r in rules), rules=rules)
