"""GAD-7 (clinical-reference.md 5.3; SCALE-GAD7).

Item wording is the published form of the PHQ family, free to reproduce [V2]. The reference
gives LOINC codes for the items and the total but not for the answers, so answers carry none.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import ItemDefinition, integer_instrument, point_options
from ketacare.clinical.instruments.phq import FREQUENCY_LABELS, PHQ_LICENSE

_ITEMS = (
    ("Feeling nervous, anxious, or on edge", "69725-0"),
    ("Not being able to stop or control worrying", "68509-9"),
    ("Worrying too much about different things", "69733-4"),
    ("Trouble relaxing", "69734-2"),
    ("Being so restless that it is hard to sit still", "69735-9"),
    ("Becoming easily annoyed or irritable", "69689-8"),
    ("Feeling afraid, as if something awful might happen", "69736-7"),
)

_OPTIONS = point_options("SCALE-GAD7", FREQUENCY_LABELS)

GAD7 = integer_instrument(
    "gad7",
    rule_id="SCALE-GAD7",
    title="Generalized Anxiety Disorder-7 (GAD-7)",
    measures="anxiety severity, past 2 weeks",
    rater="self",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    items=tuple(
        ItemDefinition(number, text, _OPTIONS, loinc=code)
        for number, (text, code) in enumerate(_ITEMS, start=1)
    ),
    band_labels=("minimal", "mild", "moderate", "severe"),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    license=PHQ_LICENSE,
)
