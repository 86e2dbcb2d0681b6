"""Outcomes of treatment by rating-scale series: response, remission, relapse, early warning.

Reference 6.1 and 6.2; the `ketacare outcomes` contract. See `summary` for how the contract's open
points are read, `course` for relapse and recovery, `warning` for OUT-EARLY-WARNING.
"""

from __future__ import annotations

from ketacare.clinical.outcomes.definitions import OUTCOME_INSTRUMENTS
from ketacare.clinical.outcomes.series import (
    Assessment,
    OutcomeSeries,
    RelapseEvent,
    RelapseEventKind,
    checked_assessments,
    checked_events,
    parse_outcome_series,
)
from ketacare.clinical.outcomes.summary import (
    Milestone,
    OutcomeStatus,
    OutcomeSummary,
    evaluate_outcomes,
)
from ketacare.clinical.outcomes.warning import EarlyWarning, early_warning

__all__ = [
    "OUTCOME_INSTRUMENTS",
    "Assessment",
    "EarlyWarning",
    "Milestone",
    "OutcomeSeries",
    "OutcomeStatus",
    "OutcomeSummary",
    "RelapseEvent",
    "RelapseEventKind",
    "checked_assessments",
    "checked_events",
    "early_warning",
    "evaluate_outcomes",
    "parse_outcome_series",
]
