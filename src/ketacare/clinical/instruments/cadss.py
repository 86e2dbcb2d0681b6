"""CADSS, 23-item version used in ketamine research (clinical-reference.md 5.8; SCALE-CADSS).

The item wording of this version was not verified, so items carry generic labels and answers
their points; forms must show the clinic's licensed wording beside them.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import (
    ItemDefinition,
    integer_instrument,
    point_options,
    points,
)

_OPTIONS = point_options("SCALE-CADSS")

CADSS = integer_instrument(
    "cadss",
    rule_id="SCALE-CADSS",
    title="Clinician-Administered Dissociative States Scale (CADSS)",
    measures="dissociation (state)",
    rater="clinician",
    items=tuple(
        ItemDefinition(number, f"CADSS item {number}", _OPTIONS)
        for number in range(1, points("SCALE-CADSS", "item_count") + 1)
    ),
    license="Bremner et al., J Trauma Stress 1998; license unverified.",
)
