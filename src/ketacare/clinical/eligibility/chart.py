"""Screening facts derived from a chart's structured records (no Django: plain values in).

- `failed_adequate_trials`: ELIG-TRD's count from the antidepressant-trial ledger
  (clinical-reference.md 2.1): current-episode trials with `adequate` yes and outcome
  `nonresponse`; a trial stopped for intolerance is never counted as adequate.
- `conditions_from_medications`: the condition codes that current medication classes imply
  (condition table, ELIG-CNS-DEP, ELIG-STIMULANT, ELIG-MAOI), so a benzodiazepine on the
  medication list is screened even if nobody also ticked "CNS depressant use".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TRIAL_OUTCOMES = ("nonresponse", "partial_response", "response", "intolerance")

# Medication class (the chart's vocabulary) → the condition code it implies.
MEDICATION_CLASS_CONDITIONS: dict[str, str] = {
    "benzodiazepine": "cns_depressant_use",
    "other_sedative": "cns_depressant_use",
    "opioid": "cns_depressant_use",
    "stimulant": "psychostimulant_use",
    "maoi": "maoi_use",
}


@dataclass(frozen=True)
class TrialRecord:
    """One antidepressant trial as the ledger records it."""

    adequate: bool
    outcome: str
    current_episode: bool


def failed_adequate_trials(trials: Iterable[TrialRecord]) -> int | None:
    """ELIG-TRD's count of failed adequate trials in the current episode; None when the ledger
    is empty (unknown: ELIG-TRD then asks for review rather than assuming none failed)."""
    records = list(trials)
    if not records:
        return None
    for record in records:
        if record.outcome not in TRIAL_OUTCOMES:
            raise ValueError(f"Unknown trial outcome {record.outcome!r}.")
    return sum(
        1
        for record in records
        if record.current_episode and record.adequate and record.outcome == "nonresponse"
    )


def conditions_from_medications(classes: Iterable[str]) -> tuple[str, ...]:
    """The condition codes implied by current medication classes, sorted, without repeats."""
    return tuple(
        sorted(
            {MEDICATION_CLASS_CONDITIONS[c] for c in classes if c in MEDICATION_CLASS_CONDITIONS}
        )
    )
