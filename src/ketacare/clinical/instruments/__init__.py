"""Rating-scale instruments as data, and their scoring (clinical-reference.md section 5).

    from ketacare.clinical.instruments import INSTRUMENTS, score
    score("phq9", [1, 2, 1, 2, 1, 2, 1, 2, 2]).severity  # "moderate"

`INSTRUMENTS` maps each contract id (`phq9`, `phq2`, `gad7`, `madrs`, `qids_sr16`,
`cssrs_screener`, `cadss`, `moaas`) to its `InstrumentDefinition`, the single source for forms,
FHIR Questionnaires and scoring.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import (
    AnswerKind,
    AnswerOption,
    Band,
    EnableWhen,
    FlagDefinition,
    InstrumentDefinition,
    ItemDefinition,
    ScoreResult,
)
from ketacare.clinical.instruments.cssrs import RISK_HIGH, RISK_LOW, RISK_MODERATE
from ketacare.clinical.instruments.documents import ScoreInput, parse_score_input
from ketacare.clinical.instruments.scoring import INSTRUMENTS, get_instrument, score
from ketacare.clinical.instruments.urgency import ReviewUrgency, needs_alert, review_urgency

__all__ = [
    "INSTRUMENTS",
    "RISK_HIGH",
    "RISK_LOW",
    "RISK_MODERATE",
    "AnswerKind",
    "AnswerOption",
    "Band",
    "EnableWhen",
    "FlagDefinition",
    "InstrumentDefinition",
    "ItemDefinition",
    "ReviewUrgency",
    "ScoreInput",
    "ScoreResult",
    "get_instrument",
    "needs_alert",
    "parse_score_input",
    "review_urgency",
    "score",
]
