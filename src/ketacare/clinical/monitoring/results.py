"""What `evaluate` returns: the dosing decision, alerts, the next reading and discharge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How urgent an alert is (contracts.md `alerts[].level`)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Dosing(StrEnum):
    """The pre-dose decision: `hold` when any hold rule of reference 3.5 fires."""

    GO = "go"
    HOLD = "hold"


class CriterionStatus(StrEnum):
    """Where one discharge criterion stands at `now`."""

    HOLDS = "holds"
    DOES_NOT_HOLD = "does_not_hold"
    OVERRIDDEN = "overridden"


@dataclass(frozen=True, slots=True)
class Alert:
    """One rule that fired: at the reading's time, or at `now` for something missing."""

    rule: str
    level: Level
    at: dt.datetime
    message: str


@dataclass(frozen=True, slots=True)
class Criterion:
    """One DISCH-* criterion: its status, whether a prescriber may override it, and why."""

    rule: str
    status: CriterionStatus
    overridable: bool
    sentence: str


@dataclass(frozen=True, slots=True)
class Discharge:
    """`ready` only when every criterion of the route holds (or was overridden) at `now`.

    `earliest` is the minimum-time criterion's time; `reasons` are the criteria that do not hold,
    as (rule id, sentence), in the order of the reference's table; `criteria` lists them all.
    """

    ready: bool
    earliest: dt.datetime
    reasons: tuple[tuple[str, str], ...]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class MonitorResult:
    """The state of one session at `now`.

    `next_reading_due` and `discharge` are None before dosing.
    """

    dosing: Dosing
    alerts: tuple[Alert, ...]
    next_reading_due: dt.datetime | None
    discharge: Discharge | None

    def as_document(self) -> dict[str, object]:
        """The contract's output of `ketacare monitor` (contracts.md section 1)."""
        discharge = self.discharge
        return {
            "dosing": self.dosing.value,
            "alerts": [
                {
                    "rule": alert.rule,
                    "level": alert.level.value,
                    "at": alert.at.isoformat(),
                    "message": alert.message,
                }
                for alert in self.alerts
            ],
            "next_reading_due": (
                self.next_reading_due.isoformat() if self.next_reading_due else None
            ),
            "discharge": None
            if discharge is None
            else {
                "ready": discharge.ready,
                "earliest": discharge.earliest.isoformat(),
                "reasons": [f"{rule}: {sentence}" for rule, sentence in discharge.reasons],
            },
        }
