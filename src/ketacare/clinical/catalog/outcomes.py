"""Rules of the outcomes domain: response, remission, relapse, early warning (reference 6.1, 6.2).

Outcome definitions are published (or contract) definitions, so their numbers are fixed
(`configurable=False`): a clinic's "remission" must mean what the benchmark trials of reference
6.4 mean. The exceptions are the one choice the reference offers (MADRS remission <=10 or <=12)
and the PHQ-9 early-warning rise, a KetaCare alert rather than a definition (the only instrument
with a verified MCID in points, reference 6.2; the others have no rise at all). Relapse of PHQ-9,
QIDS-SR16 and GAD-7 is "at or above the moderate band": that number is the instrument's own band
threshold (SCALE-* `moderate_minimum_points`), not repeated here.
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold


def _remission(rule_id: str, at_most: int, summary: str, source: str, evidence: Evidence) -> Rule:
    return Rule(
        id=rule_id,
        summary=summary,
        section="6.1",
        source=source,
        evidence=evidence,
        thresholds=(Threshold.fixed("total_at_most_points", at_most),),
    )


def _relapse_by_band(rule_id: str, instrument: str, scale_rule: str) -> Rule:
    return Rule(
        id=rule_id,
        summary=(
            f"After response or remission, {instrument} relapse: 2 consecutive assessments at "
            f"least 5 days apart, both at or above the moderate band ({scale_rule} "
            "moderate_minimum_points). KetaCare design default: no validated definition found."
        ),
        section="6.1",
        source="KetaCare design default (no validated definition found)",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold.fixed("consecutive_assessments", 2),
            Threshold.fixed("minimum_days_apart", 5),
        ),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        id="OUT-RESPONSE",
        summary="Response: a reduction of at least 50% from baseline on the same scale.",
        section="6.1",
        source="ELEKTD-2023; TRANSFORM3-2020; SUSTAIN3-T3",
        evidence=Evidence.VERIFIED,
        thresholds=(Threshold.fixed("reduction_at_least_percent", 50),),
    ),
    Rule(
        id="OUT-PARTIAL",
        summary=(
            "Partial response: a reduction of 25-49% from baseline (at least this, and below the "
            "OUT-RESPONSE reduction)."
        ),
        section="6.1",
        source="contracts.md (ketacare outcomes); convention",
        evidence=Evidence.UNVERIFIED,
        thresholds=(Threshold.fixed("reduction_at_least_percent", 25),),
    ),
    _remission(
        "OUT-REMISSION-PHQ9",
        4,
        "Remission on the PHQ-9: a total below 5 (at most 4), the minimal band.",
        "SUSTAIN3-T3; KROENKE-2001 (band)",
        Evidence.VERIFIED,
    ),
    Rule(
        id="OUT-REMISSION-MADRS",
        summary=(
            "Remission on the MADRS: a total of at most 10 by default (ESCAPE-TRD, KetECT); a "
            "clinic may select at most 12 (TRANSFORM-3, SUSTAIN-3)."
        ),
        section="6.1",
        source="ESCAPE-2023; KETECT-2022 (<=10); TRANSFORM3-2020; SUSTAIN3-T3 (<=12)",
        evidence=Evidence.VERIFIED,
        thresholds=(Threshold("total_at_most_points", 10, 10, 12),),
    ),
    _remission(
        "OUT-REMISSION-QIDS",
        5,
        "Remission on the QIDS-SR16: a total of at most 5 (the 'none' band). Graded [V2], the "
        "weaker grade of its row: the band is verified [V], its use as the remission cut-off "
        "(STAR*D) only through a secondary source [V2].",
        "IDS-QIDS-INTERP; HIBOOP-QIDS (STAR*D, secondary)",
        Evidence.SECONDARY,
    ),
    _remission(
        "OUT-REMISSION-HAMD",
        7,
        "Remission on the HAM-D17: a total of at most 7 (reference only: HAM-D17 is not an "
        "instrument id of the command line, so this rule is catalogued, not evaluated).",
        "MOLLER-2011",
        Evidence.VERIFIED,
    ),
    _remission(
        "OUT-REMISSION-GAD7",
        4,
        "Remission on the GAD-7: a total below 5 (the minimal band); a convention, not a "
        "validated remission cut-off.",
        "KetaCare design default (GAD-7 minimal band, GAD7-DOC)",
        Evidence.DESIGN_DEFAULT,
    ),
    Rule(
        id="OUT-RELAPSE-MADRS",
        summary=(
            "After response or remission, MADRS relapse: a total of at least 22 on 2 consecutive "
            "assessments 5-15 days apart (SUSTAIN-1); hospitalization or a suicide-risk event "
            "counts through OUT-RELAPSE-EVENT. Unverified: re-verify in Daly 2019 before use."
        ),
        section="6.1",
        source="SUSTAIN-1 (Daly 2019, SUSTAIN1-2019); trial methods text not retrieved",
        evidence=Evidence.UNVERIFIED,
        thresholds=(
            Threshold.fixed("total_at_least_points", 22),
            Threshold.fixed("consecutive_assessments", 2),
            Threshold.fixed("minimum_days_apart", 5),
            Threshold.fixed("maximum_days_apart", 15),
        ),
    ),
    Rule(
        id="OUT-RELAPSE-HAMD",
        summary=(
            "After response or remission, HAM-D17 relapse: a total of at least 18 on 2 "
            "consecutive assessments 7-14 days apart, or a hospitalization or suicide-risk event "
            "(reference only: catalogued, not evaluated)."
        ),
        section="6.1",
        source="HAMD-CT",
        evidence=Evidence.VERIFIED,
        thresholds=(
            Threshold.fixed("total_at_least_points", 18),
            Threshold.fixed("consecutive_assessments", 2),
            Threshold.fixed("minimum_days_apart", 7),
            Threshold.fixed("maximum_days_apart", 14),
        ),
    ),
    _relapse_by_band("OUT-RELAPSE-PHQ9", "PHQ-9", "SCALE-PHQ9"),
    _relapse_by_band("OUT-RELAPSE-QIDS", "QIDS-SR16", "SCALE-QIDS"),
    _relapse_by_band("OUT-RELAPSE-GAD7", "GAD-7", "SCALE-GAD7"),
    Rule(
        id="OUT-RELAPSE-EVENT",
        summary=(
            "After response or remission, a charted psychiatric hospitalization for depression, "
            "hospitalization to prevent suicide, suicide attempt or suicide counts as relapse on "
            "its date."
        ),
        section="6.1",
        source="SUSTAIN-1 concept (SUSTAIN1-2019)",
        evidence=Evidence.UNVERIFIED,
    ),
    Rule(
        id="OUT-EARLY-WARNING",
        summary=(
            "Patient reached response or remission and either the latest PHQ-9 total is at least "
            "the MCID (5 points) above the nadir, or (after a response, on every instrument) the "
            "latest total no longer meets the OUT-RESPONSE reduction: prescriber alert 'consider "
            "booster/maintenance' (SAFE-RELAPSE-WARN). GAD-7, MADRS and QIDS-SR16 have no "
            "verified MCID in points (reference 6.2), so only the second branch applies to them. "
            "Graded design default: the rule is [D]; only the PHQ-9 MCID is verified [V]."
        ),
        section="6.1; 6.2",
        source="LOWE-2004 (PHQ-9 MCID); KetaCare design default (rule)",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("phq9_rise_at_least_points", 5, 1, 10),),
    ),
    Rule(
        id="OUT-NO-BASELINE",
        summary=(
            "A series without a baseline (no assessments, or a baseline date that names none) "
            "gives status no_baseline: no value is guessed."
        ),
        section="6.1",
        source="contracts.md (ketacare outcomes)",
        evidence=Evidence.DESIGN_DEFAULT,
    ),
)
