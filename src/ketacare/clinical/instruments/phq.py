"""PHQ-9 and PHQ-2 (clinical-reference.md 5.1, 5.2; SCALE-PHQ9, SCALE-PHQ2).

Item wording is the published Pfizer form, free to reproduce, translate and display
[V `USCORE-PHQ9`]. PHQ-2 is PHQ-9 items 1 and 2, so it shares their definitions and codes.
"""

from __future__ import annotations

from ketacare.clinical.instruments.base import (
    FlagDefinition,
    ItemDefinition,
    integer_instrument,
    point_options,
    points,
)

PHQ_LICENSE = (
    "PHQ family, copyright Pfizer: no permission required to reproduce, translate, display or "
    "distribute."
)
PHQ_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
FREQUENCY_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
# LOINC answer codes of the frequency answers, in value order [V `USCORE-PHQ9-QR`].
_PHQ9_ANSWER_CODES = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")

_PHQ9_ITEMS = (
    ("Little interest or pleasure in doing things", "44250-9"),
    ("Feeling down, depressed, or hopeless", "44255-8"),
    ("Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("Feeling tired or having little energy", "44254-1"),
    ("Poor appetite or overeating", "44251-7"),
    (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "44258-2",
    ),
    (
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    ("Thoughts that you would be better off dead, or of hurting yourself in some way", "44260-8"),
)

_PHQ9_OPTIONS = point_options("SCALE-PHQ9", FREQUENCY_LABELS, _PHQ9_ANSWER_CODES)
PHQ9_ITEMS = tuple(
    ItemDefinition(number, text, _PHQ9_OPTIONS, loinc=code)
    for number, (text, code) in enumerate(_PHQ9_ITEMS, start=1)
)

# Item 10 is shown but not scored [V2 `MII-PHQ9`]; its LOINC code 69722-7 is unverified [U],
# so it is not used.
PHQ9_DIFFICULTY = ItemDefinition(
    10,
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?",
    point_options(
        "SCALE-PHQ9",
        ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"),
    ),
    required=False,
)

#: the item number (1-based) of the suicidality question (SAFE-ITEM9).
PHQ9_SUICIDALITY_ITEM = 9

PHQ9 = integer_instrument(
    "phq9",
    rule_id="SCALE-PHQ9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    measures="depression severity, past 2 weeks",
    rater="self",
    instructions=PHQ_INSTRUCTIONS,
    items=PHQ9_ITEMS,
    band_labels=("minimal", "mild", "moderate", "moderately_severe", "severe"),
    flags=(
        FlagDefinition(
            "suicidal_ideation",
            "SCALE-PHQ9",
            "Item 9 (thoughts of being better off dead or of self-harm) above zero: urgent "
            "same-day clinician review and crisis resources (SAFE-ITEM9).",
            item=PHQ9_SUICIDALITY_ITEM,
            minimum_points=points("SCALE-PHQ9", "suicidal_ideation_item9_above_points") + 1,
        ),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    unscored_items=(PHQ9_DIFFICULTY,),
    license=PHQ_LICENSE,
)

PHQ2 = integer_instrument(
    "phq2",
    rule_id="SCALE-PHQ2",
    title="Patient Health Questionnaire-2 (PHQ-2)",
    measures="depression screen, past 2 weeks",
    rater="self",
    instructions=PHQ_INSTRUCTIONS,
    items=PHQ9_ITEMS[: points("SCALE-PHQ2", "item_count")],
    flags=(
        FlagDefinition(
            "positive_screen",
            "SCALE-PHQ2",
            "Total at or above the screening cut-off: administer the full PHQ-9.",
            minimum_points=points("SCALE-PHQ2", "positive_screen_minimum_points"),
        ),
    ),
    loinc_panel="55757-9",
    loinc_total="55758-7",
    license=PHQ_LICENSE,
)
