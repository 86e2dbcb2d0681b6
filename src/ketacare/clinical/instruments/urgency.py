"""How soon a clinician must look at a scale's flag (clinical-reference.md section 8).

- SAFE-CSSRS-HIGH: C-SSRS `risk_high` → now (immediate escalation); `risk_moderate` → a
  same-day review; `risk_low` → review at the next contact.
- SAFE-ITEM9 and SAFE-SI-FLAGS: `suicidal_ideation` (PHQ-9 item 9, QIDS-SR16 item 12, MADRS
  item 10) → an urgent same-day review.
Any other flag (`positive_screen`) asks for no particular review time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ketacare.clinical.instruments.cssrs import RISK_HIGH, RISK_LOW, RISK_MODERATE

SUICIDAL_IDEATION = "suicidal_ideation"


class ReviewUrgency(StrEnum):
    NOW = "now"
    TODAY = "today"
    NEXT_CONTACT = "next_contact"


_URGENCY: dict[str, ReviewUrgency] = {
    RISK_HIGH: ReviewUrgency.NOW,
    RISK_MODERATE: ReviewUrgency.TODAY,
    SUICIDAL_IDEATION: ReviewUrgency.TODAY,
    RISK_LOW: ReviewUrgency.NEXT_CONTACT,
}


def review_urgency(flag: str) -> ReviewUrgency | None:
    """When `flag` must be reviewed (SAFE-CSSRS-HIGH, SAFE-ITEM9, SAFE-SI-FLAGS); None if the
    rules set no time for it."""
    return _URGENCY.get(flag)


def needs_alert(flag: str) -> bool:
    """Whether the flag is shown as an alert: a review now or the same day."""
    return review_urgency(flag) in (ReviewUrgency.NOW, ReviewUrgency.TODAY)


# Which safety rule of reference section 8 a flag of an instrument falls under.
_SAFETY_RULES: dict[tuple[str, str], str] = {
    ("phq9", SUICIDAL_IDEATION): "SAFE-ITEM9",
    ("qids_sr16", SUICIDAL_IDEATION): "SAFE-SI-FLAGS",
    ("madrs", SUICIDAL_IDEATION): "SAFE-SI-FLAGS",
    ("cssrs_screener", RISK_HIGH): "SAFE-CSSRS-HIGH",
    ("cssrs_screener", RISK_MODERATE): "SAFE-CSSRS-HIGH",
    ("cssrs_screener", RISK_LOW): "SAFE-CSSRS-HIGH",
}


def safety_rule(instrument: str, flag: str) -> str | None:
    """The section-8 rule id (SAFE-ITEM9, SAFE-SI-FLAGS, SAFE-CSSRS-HIGH) that `flag` on
    `instrument` triggers; None for a flag no safety rule covers."""
    return _SAFETY_RULES.get((instrument, flag))


@dataclass(frozen=True, slots=True)
class CrisisResource:
    name: str
    contact: str


# SAFE-ITEM9 (reference 8): crisis resources shown to the person at once — the 988 Suicide &
# Crisis Lifeline in the US, and the emergency number.
CRISIS_RESOURCES: tuple[CrisisResource, ...] = (
    CrisisResource("988 Suicide & Crisis Lifeline", "Call or text 988"),
    CrisisResource("Emergency services", "Call 911, or go to the nearest emergency room"),
)


def shows_crisis_resources(flags: Iterable[str]) -> bool:
    """Whether a scale's flags put crisis resources in front of the person at once: any
    suicidality flag the rules give a review time (SAFE-ITEM9, SAFE-SI-FLAGS, SAFE-CSSRS-HIGH)."""
    return any(review_urgency(flag) is not None for flag in flags)
