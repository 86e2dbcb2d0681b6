"""The example documents of contracts.md section 1, shared by the clinical tests and the CLI
tests so both check the same input against the same expected output."""

from __future__ import annotations

import copy
from typing import Any

SCREEN_INPUT: dict[str, Any] = {
    "route": "esketamine_nasal",
    "age": 42,
    "diagnosis": "mdd",
    "failed_adequate_trials": 2,
    "phq9": [2, 2, 2, 2, 1, 1, 2, 1, 0],
    "madrs_total": None,
    "blood_pressure": {"systolic": 132, "diastolic": 84},
    "conditions": ["hypertension_controlled"],
    "pregnant": False,
    "breastfeeding": False,
}

MONITOR_INPUT: dict[str, Any] = {
    "route": "esketamine_nasal",
    "dose_at": "2026-12-01T09:00:00+00:00",
    "now": "2026-12-01T10:10:00+00:00",
    "pre_dose": {"systolic": 128, "diastolic": 80, "heart_rate": 72, "spo2": 98},
    "readings": [
        {"at": "2026-12-01T09:40:00+00:00", "systolic": 165, "diastolic": 100,
         "heart_rate": 88, "spo2": 97, "moaas": 5}
    ],
}  # fmt: skip

# A MADRS series consistent with the contract's example output.
OUTCOMES_INPUT: dict[str, Any] = {
    "instrument": "madrs",
    "assessments": [
        {"date": "2026-01-05", "total": 34},
        {"date": "2026-01-12", "total": 22},
        {"date": "2026-01-19", "total": 15},
        {"date": "2026-01-26", "total": 10},
        {"date": "2026-02-02", "total": 8},
        {"date": "2026-02-09", "total": 9},
    ],
}
OUTCOMES_OUTPUT: dict[str, Any] = {
    "instrument": "madrs",
    "baseline": 34,
    "latest": 9,
    "nadir": 8,
    "percent_change": -73.5,
    "response": {"met": True, "date": "2026-01-19"},
    "remission": {"met": True, "date": "2026-01-26"},
    "relapse": {"met": False, "date": None},
    "status": "remission",
}


def changed(example: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `example` with top-level keys replaced; the shared example stays as it is."""
    document = copy.deepcopy(example)
    document.update(changes)
    return document
