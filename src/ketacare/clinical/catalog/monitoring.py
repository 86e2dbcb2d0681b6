"""Rules of session monitoring and discharge (clinical-reference.md 3.5, 3.6, 3.7).

Every MON-* and DISCH-* rule of the reference, plus three rule ids the reference does not name:
MON-SCHEDULE-ESK, MON-SCHEDULE-IV and MON-SCHEDULE-ORAL carry the reading intervals of 3.5
("Reading schedule"), and MON-PLAUSIBILITY carries the input plausibility limits of 3.7.

Comparisons follow the reference exactly ("> 140" means 141 triggers); the threshold name says
which one the code applies (`_above_`, `_below_`, `_at_or_above_`, `_at_or_below_`). A clinic may
move a configurable threshold only within its sane range; the esketamine 2-hour minimum may be
lengthened but never shortened (SAFE-ESK-2H).
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold

DESIGN = "KetaCare design default (no clinical source)"


_PRE_DOSE: tuple[Rule, ...] = (
    Rule(
        id="MON-REMS-ENROLLED",
        summary=(
            "Esketamine: hold dosing (critical) when the setting is not REMS-certified or the "
            "outpatient is not enrolled in the REMS (SAFE-REMS-GATE)."
        ),
        section="3.5",
        source="REMS-SITE",
        evidence=Evidence.VERIFIED,
    ),
    Rule(
        id="MON-BP-HOLD",
        summary=(
            "Pre-dose SBP >140 or DBP >90: hold dosing (warning) until a prescriber records the "
            "benefit/risk decision. Graded [D], the weaker grade of its row: the label guide is "
            "verified [V], its use for IV and oral ketamine is a design default [D]."
        ),
        section="3.5",
        source="ESK-PI-2019; JNJ-HTN",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("systolic_above_mmhg", 140, 120, 180),
            Threshold("diastolic_above_mmhg", 90, 70, 110),
        ),
    ),
    Rule(
        id="MON-BP-PREDOSE-SEVERE",
        summary=(
            "Pre-dose SBP >=180 or DBP >=110: hold dosing (critical). Label Table 6 categories."
        ),
        section="3.5",
        source="USMED-2021",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("systolic_at_or_above_mmhg", 180, 140, 220),
            Threshold("diastolic_at_or_above_mmhg", 110, 90, 130),
        ),
    ),
    Rule(
        id="MON-SPO2-HOLD",
        summary=(
            "Pre-dose SpO2 <93%: hold dosing (warning). Graded [D], the weaker grade of its row: "
            "the value is a trial entry criterion [V], its use as a hold rule is [D]."
        ),
        section="3.5",
        source="JNJ-RESP",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("spo2_below_percent", 93, 85, 98),),
    ),
    Rule(
        id="MON-HR-PREDOSE",
        summary="Pre-dose heart rate >110 or <50/min: warning, no hold. No guideline found [D][U].",
        section="3.5",
        source=DESIGN,
        evidence=Evidence.UNVERIFIED,
        thresholds=(
            Threshold("heart_rate_above_bpm", 110, 90, 150),
            Threshold("heart_rate_below_bpm", 50, 30, 70),
        ),
    ),
    Rule(
        id="MON-FASTING",
        summary=(
            "Esketamine: food less than 2 h or liquids less than 30 min before dosing: warning; "
            "a time recorded after the dose also warns (the fast cannot be confirmed)."
        ),
        section="3.5",
        source="ESK-SMPC; MAYO-ESK; SPRAVATO-PREP",
        evidence=Evidence.VERIFIED,
        thresholds=(
            Threshold("food_fast_at_least_min", 120, 60, 480),
            Threshold("liquid_fast_at_least_min", 30, 15, 240),
        ),
    ),
    Rule(
        id="MON-NASAL-MEDS",
        summary=(
            "Esketamine: nasal corticosteroid or decongestant less than 1 h before dosing, or "
            "recorded after the dose: warning."
        ),
        section="3.5",
        source="ESK-SMPC; MAYO-ESK; SPRAVATO-PREP",
        evidence=Evidence.VERIFIED,
        thresholds=(Threshold("gap_at_least_min", 60, 30, 240),),
    ),
    Rule(
        id="MON-PREG-TEST",
        summary=(
            "Person of reproductive potential without documented pregnancy status: warning "
            "(checklist). Checklist rule [D]; the label pregnancy warning is [V]."
        ),
        section="3.5",
        source="USMED-2021; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
    ),
    Rule(
        id="MON-ESCORT",
        summary="No ride home arranged: warning; blocks discharge (DISCH-ESCORT).",
        section="3.5",
        source="ESK-PI-2019; SPRAVATO-HCP-DOSING",
        evidence=Evidence.VERIFIED,
    ),
)

_POST_DOSE: tuple[Rule, ...] = (
    Rule(
        id="MON-BP-40MIN",
        summary=(
            "Esketamine: no complete BP reading between +35 and +50 min after the first device: "
            "warning once overdue, i.e. once past the check's due time (MON-SCHEDULE-ESK first "
            "reading, +40) with no complete BP in the window so far; after +50 'missed' "
            "(SAFE-40MIN-BP). The 40-minute check is label [V]; the window is [D]."
        ),
        section="3.5",
        source="ESK-SMPC; ESK-PI-2019; SPRAVATO-HCP-DOSING",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("window_opens_after_dose_min", 35, 20, 40),
            Threshold("window_closes_after_dose_min", 50, 40, 90),
        ),
    ),
    Rule(
        id="MON-BP-ELEVATED",
        summary=(
            "Any post-dose SBP >140 or DBP >90: warning; re-check every 15 min until values fall "
            "(or sooner where the route's schedule is shorter, e.g. 10 min during an IV infusion; "
            "the alert names the interval the schedule applies). Re-measuring until values "
            "decline is label [V]; values and interval are [D]."
        ),
        section="3.5",
        source="ESK-SMPC; ESK-PI-2019",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("systolic_above_mmhg", 140, 120, 180),
            Threshold("diastolic_above_mmhg", 90, 70, 110),
            Threshold("recheck_interval_min", 15, 5, 30),
        ),
    ),
    Rule(
        id="MON-BP-RISE",
        summary=(
            "Post-dose rise of >=40 mmHg SBP or >=25 mmHg DBP over pre-dose: warning. Graded "
            "[D], the weaker grade of its row: the label Table 6 categories are verified [V], "
            "their use as an alert is a design default [D]."
        ),
        section="3.5",
        source="USMED-2021",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("systolic_rise_at_or_above_mmhg", 40, 10, 80),
            Threshold("diastolic_rise_at_or_above_mmhg", 25, 10, 50),
        ),
    ),
    Rule(
        id="MON-BP-SEVERE",
        summary=(
            "Post-dose SBP >=180 or DBP >=110: critical; notify the prescriber now; IV: pause the "
            "infusion pending the prescriber (SAFE-BP-SEVERE). Graded [D], the weaker grade of "
            "its row: the categories are verified [V], the action is a design default [D]."
        ),
        section="3.5",
        source="USMED-2021",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("systolic_at_or_above_mmhg", 180, 150, 220),
            Threshold("diastolic_at_or_above_mmhg", 110, 90, 130),
        ),
    ),
    Rule(
        id="MON-HTN-SYMPTOMS",
        summary=(
            "Chest pain, breathlessness, sudden severe headache, visual change, seizure, reduced "
            "consciousness or focal deficit: critical, emergency care (SAFE-HTN-EMERGENCY)."
        ),
        section="3.5",
        source="ESK-PI-2019",
        evidence=Evidence.VERIFIED,
    ),
    Rule(
        id="MON-SPO2-LOW",
        summary=(
            "Post-dose SpO2 <93%: warning. A design default [D] anchored on the trial entry "
            "criterion [V]."
        ),
        section="3.5",
        source="JNJ-RESP; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("spo2_below_percent", 93, 88, 98),),
    ),
    Rule(
        id="MON-SPO2-CRITICAL",
        summary="Post-dose SpO2 <90%: critical (SAFE-RESP).",
        section="3.5",
        source="SIVA-TABLE; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("spo2_below_percent", 90, 80, 94),),
    ),
    Rule(
        id="MON-RR-LOW",
        summary="Respiratory rate <10/min: critical (SAFE-RESP). No guideline found [D][U].",
        section="3.5",
        source=DESIGN,
        evidence=Evidence.UNVERIFIED,
        thresholds=(Threshold("respiratory_rate_below_per_min", 10, 6, 14),),
    ),
    Rule(
        id="MON-HR",
        summary="Post-dose heart rate >120 or <50/min: warning. No guideline found [D][U].",
        section="3.5",
        source=DESIGN,
        evidence=Evidence.UNVERIFIED,
        thresholds=(
            Threshold("heart_rate_above_bpm", 120, 90, 160),
            Threshold("heart_rate_below_bpm", 50, 30, 70),
        ),
    ),
    Rule(
        id="MON-SEDATION",
        summary="MOAA/S <=3: warning. MOAA/S anchors [V]; the cut-off is [D].",
        section="3.5",
        source="MOAAS",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("moaas_at_or_below", 3, 1, 4),),
    ),
    Rule(
        id="MON-SEDATION-DEEP",
        summary=(
            "MOAA/S <=1 (0 = loss of consciousness per label): critical (SAFE-RESP). The label "
            "definition is [V]; the cut-off is [D]."
        ),
        section="3.5",
        source="ESK-PI-CUR; USMED-2021",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("moaas_at_or_below", 1, 0, 2),),
    ),
    Rule(
        id="MON-DISSOCIATION",
        summary="CADSS recorded: info only (the scale has no bands).",
        section="3.5",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
    ),
)

# The reference gives the reading schedule of 3.5 no rule id; these ids are KetaCare's.
_SCHEDULE: tuple[Rule, ...] = (
    Rule(
        id="MON-SCHEDULE-ESK",
        summary=(
            "Esketamine reading schedule: first reading at +40 min (label [V]), then every 30 min "
            "(every MON-BP-ELEVATED recheck interval while the last BP is elevated) [D]; one "
            "reading within the DISCH-BP window before the earliest discharge."
        ),
        section="3.5",
        source="ESK-SMPC; ESK-PI-2019; SPRAVATO-HCP-DOSING",
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("first_reading_after_dose_min", 40, 30, 45),
            Threshold("interval_min", 30, 10, 60),
        ),
    ),
    Rule(
        id="MON-SCHEDULE-IV",
        summary=(
            "IV ketamine reading schedule: every 10 min from infusion start until infusion end, "
            "then every 15 min until discharge."
        ),
        section="3.5",
        source="EMORY-2018",
        evidence=Evidence.VERIFIED,
        thresholds=(
            Threshold("during_infusion_interval_min", 10, 5, 15),
            Threshold("after_infusion_interval_min", 15, 5, 30),
        ),
    ),
    Rule(
        id="MON-SCHEDULE-ORAL",
        summary=(
            "Oral ketamine reading schedule: every 15 min for the first 60 min, then every 30 min "
            "until discharge."
        ),
        section="3.5",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("early_interval_min", 15, 5, 30),
            Threshold("early_period_min", 60, 30, 120),
            Threshold("late_interval_min", 30, 10, 60),
        ),
    ),
    Rule(
        id="MON-PLAUSIBILITY",
        summary=(
            "Input plausibility limits, refused and never stored: SBP 50-300, DBP 20-200 and "
            "below SBP, HR 20-250, SpO2 50-100, respiratory rate 0-60, MOAA/S 0-5, CADSS 0-92; "
            "reading time at or after the dose and not after now."
        ),
        section="3.7",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold.fixed("systolic_at_least_mmhg", 50),
            Threshold.fixed("systolic_at_most_mmhg", 300),
            Threshold.fixed("diastolic_at_least_mmhg", 20),
            Threshold.fixed("diastolic_at_most_mmhg", 200),
            Threshold.fixed("heart_rate_at_least_bpm", 20),
            Threshold.fixed("heart_rate_at_most_bpm", 250),
            Threshold.fixed("spo2_at_least_percent", 50),
            Threshold.fixed("spo2_at_most_percent", 100),
            Threshold.fixed("respiratory_rate_at_least_per_min", 0),
            Threshold.fixed("respiratory_rate_at_most_per_min", 60),
            Threshold.fixed("moaas_at_least", 0),
            Threshold.fixed("moaas_at_most", 5),
            Threshold.fixed("cadss_at_least", 0),
            Threshold.fixed("cadss_at_most", 92),
        ),
    ),
)

_DISCHARGE: tuple[Rule, ...] = (
    Rule(
        id="DISCH-ESK-MIN-TIME",
        summary=(
            "Esketamine: discharge no earlier than 120 min after the first device; never "
            "overridden (SAFE-ESK-2H). A clinic may lengthen it, not shorten it."
        ),
        section="3.6",
        source="ESK-PI-CUR; REMS-FDA",
        evidence=Evidence.VERIFIED,
        thresholds=(Threshold("minimum_after_dose_min", 120, 120, 480),),
        overridable=False,
    ),
    Rule(
        id="DISCH-IV-MIN-TIME",
        summary=(
            "IV ketamine: discharge no earlier than infusion end (infusion duration, default "
            "DOSE-IV-DURATION default_min, 40) + 60 min. No verified guideline; BP is back to "
            "baseline ~1.5 h after infusion."
        ),
        section="3.6",
        source="SZARMACH-2020; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("after_infusion_min", 60, 30, 240),),
    ),
    Rule(
        id="DISCH-ORAL-MIN-TIME",
        summary=(
            "Oral ketamine: discharge no earlier than 120 min after the dose (mirrors esketamine)."
        ),
        section="3.6",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(Threshold("minimum_after_dose_min", 120, 60, 480),),
    ),
    Rule(
        id="DISCH-BP",
        summary=(
            "A BP within the last 15 min, and either <=140/90 or lower than the post-dose peak in "
            "both SBP and DBP and <180/110, judged on the latest reading with any blood pressure "
            "value (one value alone does not hold). Above 140/90 it must also be no higher than "
            "the previous value, SBP and DBP each (decreasing, not rising again): KetaCare's "
            "conservative operationalisation of 'decreasing'. 'BP decreasing and clinically "
            "stable' is verified [V]; this operational form is a design default [D]."
        ),
        section="3.6",
        source="ESK-SMPC; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("reading_within_min", 15, 5, 30),
            Threshold("systolic_at_or_below_mmhg", 140, 120, 160),
            Threshold("diastolic_at_or_below_mmhg", 90, 70, 100),
            Threshold("systolic_below_mmhg", 180, 150, 200),
            Threshold("diastolic_below_mmhg", 110, 90, 120),
        ),
    ),
    Rule(
        id="DISCH-SEDATION",
        summary=(
            "Latest MOAA/S 5, or at least the pre-dose MOAA/S, charted within the last 15 min "
            "(an older one, e.g. before the 30-45 min sedation peak, does not hold; a fresh "
            "reading is needed). Sedation resolved is REMS [V]; the value and the recency "
            "window (as DISCH-BP's) are design defaults [D]."
        ),
        section="3.6",
        source="REMS-FDA; JNJ-SED; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("moaas_at_or_above", 5, 4, 5),
            Threshold("reading_within_min", 15, 5, 30),
        ),
    ),
    Rule(
        id="DISCH-RESP",
        summary=(
            "Latest SpO2 >=93%, charted within the last 15 min (an older one does not hold; a "
            "fresh reading is needed), and no open respiratory alert. Respiratory depression "
            "resolved is REMS [V]; the value and the recency window (as DISCH-BP's) are [D]."
        ),
        section="3.6",
        source="REMS-FDA; " + DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        thresholds=(
            Threshold("spo2_at_or_above_percent", 93, 88, 98),
            Threshold("reading_within_min", 15, 5, 30),
        ),
    ),
    Rule(
        id="DISCH-DISSOCIATION",
        summary="A clinician attests that dissociation has resolved.",
        section="3.6",
        source="REMS-FDA",
        evidence=Evidence.VERIFIED,
    ),
    Rule(
        id="DISCH-ALERTS",
        summary="Every critical alert of the session is acknowledged with a note.",
        section="3.6",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
    ),
    Rule(
        id="DISCH-ESCORT",
        summary=(
            "Escort or ride confirmed; patient told not to drive until the next day after a "
            "restful sleep (SAFE-NO-DRIVE)."
        ),
        section="3.6",
        source="ESK-PI-2019; SPRAVATO-HCP-DOSING",
        evidence=Evidence.VERIFIED,
    ),
    Rule(
        id="DISCH-OVERRIDE",
        summary=(
            "A prescriber may override any discharge criterion except DISCH-ESK-MIN-TIME, with a "
            "written reason (audited)."
        ),
        section="3.6",
        source=DESIGN,
        evidence=Evidence.DESIGN_DEFAULT,
        overridable=False,
    ),
)

RULES: tuple[Rule, ...] = (*_PRE_DOSE, *_POST_DOSE, *_SCHEDULE, *_DISCHARGE)
