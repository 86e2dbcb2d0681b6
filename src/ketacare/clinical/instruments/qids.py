"""QIDS-SR16 (clinical-reference.md 5.5; SCALE-QIDS).

Sixteen self-rated items scored as nine domains: the highest of the sleep items (1-4), sad mood
(5), the highest of the appetite/weight items (6-9), items 10-14 each, and the highest of the
psychomotor items (15, 16) [V `CLIOT-QIDS`; `QIDS-GH`]. Items carry short labels; answers are
labelled by their points (the per-item response wording is not reproduced here).
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import (
    FlagDefinition,
    ItemDefinition,
    integer_instrument,
    point_options,
    points,
)

_LABELS = (
    "Falling asleep",
    "Sleep during the night",
    "Waking up too early",
    "Sleeping too much",
    "Feeling sad",
    "Decreased appetite",
    "Increased appetite",
    "Decreased weight (within the last two weeks)",
    "Increased weight (within the last two weeks)",
    "Concentration / decision making",
    "View of myself",
    "Thoughts of death or suicide",
    "General interest",
    "Energy level",
    "Feeling slowed down",
    "Feeling restless",
)
_DEATH_OR_SUICIDE_ITEM = 12
_DOMAINS = ((1, 2, 3, 4), (5,), (6, 7, 8, 9), (10,), (11,), (12,), (13,), (14,), (15, 16))
_OPTIONS = point_options("SCALE-QIDS")

QIDS_SR16 = integer_instrument(
    "qids_sr16",
    rule_id="SCALE-QIDS",
    title="Quick Inventory of Depressive Symptomatology, Self-Report (QIDS-SR16)",
    measures="depression severity, past 7 days",
    rater="self",
    instructions="Please rate each item for how you have been over the past 7 days.",
    items=tuple(
        ItemDefinition(number, label, _OPTIONS) for number, label in enumerate(_LABELS, start=1)
    ),
    domains=_DOMAINS,
    band_labels=("none", "mild", "moderate", "severe", "very_severe"),
    flags=(
        FlagDefinition(
            "suicidal_ideation",
            "SCALE-QIDS",
            "Item 12 (thoughts of death or suicide) above zero, passive thoughts included: same "
            "handling as PHQ-9 item 9 (SAFE-SI-FLAGS).",
            item=_DEATH_OR_SUICIDE_ITEM,
            minimum_points=points("SCALE-QIDS", "suicidal_ideation_item12_above_points") + 1,
        ),
    ),
    license="Free to use [V2]; formal terms at ids-qids.org unverified.",
)
