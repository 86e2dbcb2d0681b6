"""MOAA/S (clinical-reference.md 5.9; SCALE-MOAAS).

One observer rating; the answer labels are the six published response anchors [V `MOAAS`;
Chernik 1990], lowest score first. The total is the rating itself.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import ItemDefinition, integer_instrument, point_options

_ANCHORS = (
    "No response to painful trapezius squeeze",
    "Responds only after painful trapezius squeeze",
    "Responds only after mild prodding or shaking",
    "Responds only after name is called loudly and/or repeatedly",
    "Lethargic response to name spoken in normal tone",
    "Responds readily to name spoken in normal tone (alert)",
)

MOAAS = integer_instrument(
    "moaas",
    rule_id="SCALE-MOAAS",
    title="Modified Observer's Assessment of Alertness/Sedation (MOAA/S)",
    measures="sedation / alertness",
    rater="observer",
    items=(ItemDefinition(1, "Responsiveness", point_options("SCALE-MOAAS", _ANCHORS)),),
    license="Chernik et al., J Clin Psychopharmacol 1990.",
)
