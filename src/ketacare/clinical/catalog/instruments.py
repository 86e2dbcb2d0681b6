"""Rules of the rating-scale instruments (shared/clinical-reference.md section 5).

Every number here is fixed by the instrument's published definition or by the `ketacare score`
contract (item counts and ranges, severity band lower bounds, flag cut-offs), so every threshold
is `configurable=False`: a clinic may not move a PHQ-9 band. Band thresholds are the lower bound
of the band they name (`moderate_minimum_points` = 10 means 10-14 is moderate); the lowest band
starts at the instrument's minimum total and the highest ends at `total_maximum_points`.
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold


def _items(count: int, minimum: int, maximum: int, total_maximum: int) -> tuple[Threshold, ...]:
    return (
        Threshold.fixed("item_count", count),
        Threshold.fixed("item_minimum_points", minimum),
        Threshold.fixed("item_maximum_points", maximum),
        Threshold.fixed("total_maximum_points", total_maximum),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        id="SCALE-PHQ9",
        summary=(
            "PHQ-9: nine items scored 0-3, total 0-27 = sum of items 1-9 (item 10, difficulty, "
            "unscored); bands minimal 0-4, mild 5-9, moderate 10-14, moderately severe 15-19, "
            "severe 20-27; item 9 > 0 sets suicidal_ideation (SAFE-ITEM9)."
        ),
        section="5.1",
        source="KROENKE-2001; USCORE-PHQ9; USCORE-PHQ9-QR; PHQ9-FSH; LFORMS-PHQ9; PHR-VS",
        evidence=Evidence.VERIFIED,
        thresholds=(
            *_items(9, 0, 3, 27),
            Threshold.fixed("mild_minimum_points", 5),
            Threshold.fixed("moderate_minimum_points", 10),
            Threshold.fixed("moderately_severe_minimum_points", 15),
            Threshold.fixed("severe_minimum_points", 20),
            Threshold.fixed("suicidal_ideation_item9_above_points", 0),
        ),
    ),
    Rule(
        id="SCALE-PHQ2",
        summary=(
            "PHQ-2: PHQ-9 items 1 and 2, total 0-6, no bands; positive_screen at a total of 3 "
            "or more (graded secondary: the Kroenke 2003 cut-off is verified only through a "
            "secondary summary, although a primary-care validation at 3 is verified)."
        ),
        section="5.2",
        source="ARROLL-2010; PHQ2-FSH; SYNTHEA-OBS",
        evidence=Evidence.SECONDARY,
        thresholds=(
            *_items(2, 0, 3, 6),
            Threshold.fixed("positive_screen_minimum_points", 3),
        ),
    ),
    Rule(
        id="SCALE-GAD7",
        summary=(
            "GAD-7: seven items scored 0-3, total 0-21; bands minimal 0-4, mild 5-9, "
            "moderate 10-14, severe 15-21."
        ),
        section="5.3",
        source="GAD7-DOC; PHR-VS; PHR-GAD7",
        evidence=Evidence.VERIFIED,
        thresholds=(
            *_items(7, 0, 3, 21),
            Threshold.fixed("mild_minimum_points", 5),
            Threshold.fixed("moderate_minimum_points", 10),
            Threshold.fixed("severe_minimum_points", 15),
        ),
    ),
    Rule(
        id="SCALE-MADRS",
        summary=(
            "MADRS: ten clinician-rated items scored 0-6, total 0-60; bands normal 0-6, mild "
            "7-19, moderate 20-34, severe 35-60 (bands verified only through secondary sources, "
            "hence the grade); item 10 >= 4 sets suicidal_ideation (SAFE-SI-FLAGS)."
        ),
        section="5.4",
        source="TRANSFORM1-CT; CLIOT-MADRS; CANVAS-MADRS",
        evidence=Evidence.SECONDARY,
        thresholds=(
            *_items(10, 0, 6, 60),
            Threshold.fixed("mild_minimum_points", 7),
            Threshold.fixed("moderate_minimum_points", 20),
            Threshold.fixed("severe_minimum_points", 35),
            Threshold.fixed("suicidal_ideation_item10_minimum_points", 4),
        ),
    ),
    Rule(
        id="SCALE-QIDS",
        summary=(
            "QIDS-SR16: sixteen items scored 0-3 over the past 7 days, total 0-27 = "
            "max(1-4) + 5 + max(6-9) + 10 + 11 + 12 + 13 + 14 + max(15, 16); bands none 0-5, "
            "mild 6-10, moderate 11-15, severe 16-20, very severe 21-27; item 12 > 0 sets "
            "suicidal_ideation (SAFE-SI-FLAGS)."
        ),
        section="5.5",
        source="IDS-QIDS-ADMIN; CLIOT-QIDS; QIDS-GH; IDS-QIDS-INTERP",
        evidence=Evidence.VERIFIED,
        thresholds=(
            *_items(16, 0, 3, 27),
            Threshold.fixed("mild_minimum_points", 6),
            Threshold.fixed("moderate_minimum_points", 11),
            Threshold.fixed("severe_minimum_points", 16),
            Threshold.fixed("very_severe_minimum_points", 21),
            Threshold.fixed("suicidal_ideation_item12_above_points", 0),
        ),
    ),
    Rule(
        id="SCALE-CSSRS",
        summary=(
            "C-SSRS screener: six yes/no questions (1-5 about the past month, 6 about behaviour "
            "ever) plus a follow-up to question 6 (within the past 3 months?); no total. Skip "
            "logic (ask 3-5 only when 2 = yes, the follow-up only when 6 = yes; unasked = null) "
            "is enforced. Graded [U], the weaker grade of its section: the questions are verified "
            "[V], the skip logic is from the published form but unverified [U]."
        ),
        section="5.7",
        source="BH-CSSRS; CLIOT-CSSRS; CSSRS-FHIR-REPO",
        evidence=Evidence.UNVERIFIED,
        thresholds=(
            Threshold.fixed("question_count", 6),
            # Its yes (actual thoughts of killing oneself) opens the questions after it up to the
            # last but one (3-5); the last question (6) opens the follow-up.
            Threshold.fixed("skip_logic_opening_question", 2),
        ),
    ),
    Rule(
        id="SCALE-CSSRS-TRIAGE",
        summary=(
            "C-SSRS triage by the highest yes: question 1 or 2 -> risk_low; question 3, or 6 with "
            "behaviour more than 3 months ago -> risk_moderate; question 4 or 5, or 6 within 3 "
            "months -> risk_high; question 6 = yes without the follow-up (absent or null) -> "
            "risk_high (SAFE-CSSRS-HIGH). Graded [D], the weakest grade of its rows: the high row "
            "is verified [V], the low and moderate rows only through a secondary source [V2], and "
            "the conservative reading of a missing follow-up is a design default [D]."
        ),
        section="5.7",
        source="BLUEPRINT-CSSRS; CSSRS-TRIAGE",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold.fixed("risk_moderate_minimum_question", 3),
            Threshold.fixed("risk_high_minimum_question", 4),
            Threshold.fixed("recent_behaviour_within_months", 3),
        ),
    ),
    Rule(
        id="SCALE-CADSS",
        summary=(
            "CADSS (23-item version used in ketamine research): items scored 0-4, total 0-92, "
            "no bands."
        ),
        section="5.8",
        source="CADSS-2024; CADSS-KET-2017",
        evidence=Evidence.VERIFIED,
        thresholds=_items(23, 0, 4, 92),
    ),
    Rule(
        id="SCALE-MOAAS",
        summary=(
            "MOAA/S: one observer rating 0-5 (5 = responds readily to name, alert; 0 = no "
            "response to painful trapezius squeeze); the total is that score; no bands."
        ),
        section="5.9",
        source="MOAAS",
        evidence=Evidence.VERIFIED,
        thresholds=_items(1, 0, 5, 5),
    ),
)
