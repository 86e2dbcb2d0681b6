"""MADRS (clinical-reference.md 5.4; SCALE-MADRS).

Items carry the published item names only: the anchor wording and its reproduction terms are
unverified [U], so answers are labelled by their points.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import (
    FlagDefinition,
    ItemDefinition,
    integer_instrument,
    point_options,
    points,
)

_NAMES = (
    "Apparent sadness",
    "Reported sadness",
    "Inner tension",
    "Reduced sleep",
    "Reduced appetite",
    "Concentration difficulties",
    "Lassitude",
    "Inability to feel",
    "Pessimistic thoughts",
    "Suicidal thoughts",
)
_SUICIDAL_THOUGHTS_ITEM = _NAMES.index("Suicidal thoughts") + 1
_OPTIONS = point_options("SCALE-MADRS")

MADRS = integer_instrument(
    "madrs",
    rule_id="SCALE-MADRS",
    title="Montgomery-Åsberg Depression Rating Scale (MADRS)",
    measures="depression severity",
    rater="clinician",
    items=tuple(
        ItemDefinition(number, name, _OPTIONS) for number, name in enumerate(_NAMES, start=1)
    ),
    band_labels=("normal", "mild", "moderate", "severe"),
    flags=(
        FlagDefinition(
            "suicidal_ideation",
            "SCALE-MADRS",
            "Item 10 (suicidal thoughts) at or above the cut-off: same handling as PHQ-9 item 9 "
            "(SAFE-SI-FLAGS).",
            item=_SUICIDAL_THOUGHTS_ITEM,
            minimum_points=points("SCALE-MADRS", "suicidal_ideation_item10_minimum_points"),
        ),
    ),
    license="Montgomery & Åsberg, Br J Psychiatry 1979; reproduction terms unverified.",
)
