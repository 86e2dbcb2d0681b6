"""Rules of the dosing domain: clinical-reference.md 1.2 (IV), 1.3 (esketamine), 1.4 (oral).

Input limits (DOSE-IV-MGKG, -DURATION, -WEIGHT, -CONC, DOSE-ORAL-RANGE) are clinic-configurable,
but only inward: the sane range of each bound runs from the reference's value towards the
middle, so a clinic may narrow what it accepts and never widen it beyond the studied or
plausible range. Esketamine label facts (device strength, allowed doses, first doses, the
twice-weekly maximum) and the contract's rounding are fixed (`configurable=False`).

DOSE-ESK-MAX-FREQUENCY is not an id of the reference: the reference states the twice-weekly
maximum in the 1.3 device table ("Maximum" row) and in SAFE-ESK-DOSE (section 8, "<=2 sessions
per 7 days") without a DOSE-* id, so the rule is named here and its summary says so.
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold

V = Evidence.VERIFIED
D = Evidence.DESIGN_DEFAULT


RULES: tuple[Rule, ...] = (
    Rule(
        id="DOSE-IV-CALC",
        summary=(
            "IV dose arithmetic: dose_mg = weight_kg x dose_mg_per_kg; volume_ml = dose_mg / "
            "concentration_mg_per_ml; rate_ml_per_h = volume_ml / (duration_min / 60); outputs "
            "rounded to 0.1 (half up, on the exact value)."
        ),
        section="1.2",
        source="KetaCare design default [D], matches contracts.md",
        evidence=D,
        thresholds=(Threshold.fixed("decimal_places", 1),),
    ),
    Rule(
        id="DOSE-IV-MGKG",
        summary=(
            "IV dose per kg must be within the studied range 0.1-1.0 mg/kg (default 0.5); a "
            "warning (not an error) above 0.75 mg/kg, where effects and adverse effects rise."
        ),
        section="1.2",
        source="FAVA-2020; ANDRADE-2017",
        evidence=V,
        thresholds=(
            Threshold("minimum_mg_per_kg", 0.1, 0.1, 0.5),
            Threshold("maximum_mg_per_kg", 1.0, 0.5, 1.0),
            Threshold("warn_above_mg_per_kg", 0.75, 0.1, 1.0),
            Threshold("default_mg_per_kg", 0.5, 0.1, 1.0),
        ),
    ),
    Rule(
        id="DOSE-IV-DURATION",
        summary=(
            "IV infusion duration must be 40-100 min (default 40): sessions up to 100 min are "
            "reported [V ANDRADE-2017]; the lower bound 40 forbids fast infusions and is a "
            "KetaCare design default, so the rule is graded [D]."
        ),
        section="1.2",
        source="ANDRADE-2017; lower bound KetaCare design default [D]",
        evidence=D,
        thresholds=(
            Threshold("minimum_min", 40, 40, 100),
            Threshold("maximum_min", 100, 40, 100),
            Threshold("default_min", 40, 40, 100),
        ),
    ),
    Rule(
        id="DOSE-IV-WEIGHT",
        summary=(
            "Body weight for IV dosing must be 30-300 kg, a plausibility check only [D]. Which "
            "weight to dose by in obesity (actual or ideal) is unsettled (reference 1.2) and left "
            "to the prescriber: the rule does not decide it, so it does not lower the grade."
        ),
        section="1.2",
        source="KetaCare design default [D]",
        evidence=D,
        thresholds=(
            Threshold("minimum_kg", 30, 30, 100),
            Threshold("maximum_kg", 300, 100, 300),
        ),
    ),
    Rule(
        id="DOSE-IV-CONC",
        summary=(
            "IV ketamine concentration must be 0.1-10 mg/mL: the 100 mg/mL stock must be "
            "diluted before IV use."
        ),
        section="1.2",
        source="KetaCare design default [D]; KETALAR-2ND",
        evidence=D,
        thresholds=(
            Threshold("minimum_mg_per_ml", 0.1, 0.1, 10),
            Threshold("maximum_mg_per_ml", 10, 0.1, 10),
        ),
    ),
    Rule(
        id="DOSE-ESK-DEVICES",
        summary=(
            "One esketamine nasal device holds 28 mg (2 sprays); devices = dose_mg / 28: "
            "28 mg -> 1, 56 mg -> 2, 84 mg -> 3."
        ),
        section="1.3",
        source="ESK-SMPC; MAYO-ESK; SPRAVATO-PREP",
        evidence=V,
        thresholds=(Threshold.fixed("mg_per_device", 28),),
    ),
    Rule(
        id="DOSE-ESK-ALLOWED",
        summary=(
            "Valid esketamine session doses: 28, 56, 84 mg (28-mg steps, at most 84 mg per "
            'session); 28 mg raises an info alert "not a US-label TRD dose".'
        ),
        section="1.3",
        source="KetaCare design default [D] built on ESK-PI-CUR; ESK-SMPC",
        evidence=D,
        thresholds=(
            Threshold.fixed("minimum_mg", 28),
            Threshold.fixed("maximum_mg", 84),
            Threshold.fixed("step_mg", 28),
            Threshold.fixed("info_below_mg", 56),
        ),
    ),
    Rule(
        id="DOSE-ESK-FIRST-TRD",
        summary="US label: the first esketamine dose for treatment-resistant depression is 56 mg.",
        section="1.3",
        source="ESK-PI-CUR",
        evidence=V,
        thresholds=(Threshold.fixed("first_dose_mg", 56),),
    ),
    Rule(
        id="DOSE-ESK-FIRST-MDSI",
        summary=(
            "US label: MDD with acute suicidal ideation or behavior is dosed at 84 mg from the "
            "start; 56 mg is allowed for tolerability."
        ),
        section="1.3",
        source="ONA-ESK; SPRAVATO-HCP-MDSI",
        evidence=V,
        thresholds=(Threshold.fixed("dose_mg", 84), Threshold.fixed("reduced_dose_mg", 56)),
    ),
    Rule(
        id="DOSE-ESK-ELDERLY-EU",
        summary=(
            "EU/HK SmPC: patients aged 65 or over start at 28 mg, then 28/56/84 mg (not in the "
            "US label as located); information only. Graded [U], the weaker grade of its row: "
            "the SmPC start is verified [V], its absence from the US label is unverified [U]."
        ),
        section="1.3",
        source="ESK-SMPC",
        evidence=Evidence.UNVERIFIED,
        thresholds=(
            Threshold.fixed("age_at_least_years", 65),
            Threshold.fixed("starting_dose_mg", 28),
        ),
    ),
    Rule(
        id="DOSE-ESK-ESCAPE",
        summary=(
            "ESCAPE-TRD used a 28-mg start for ages 65-74 and adults of Japanese ancestry; "
            "information only."
        ),
        section="1.3",
        source="ESCAPE-CT",
        evidence=V,
        thresholds=(
            Threshold.fixed("age_from_years", 65),
            Threshold.fixed("age_to_years", 74),
            Threshold.fixed("starting_dose_mg", 28),
        ),
    ),
    Rule(
        id="DOSE-ESK-MAX-FREQUENCY",
        summary=(
            "Esketamine at most twice weekly: at most 2 sessions in any 7 consecutive calendar "
            "days, never two on one date. Id named by KetaCare: the reference states this in the "
            "1.3 device table and SAFE-ESK-DOSE without a DOSE-* id."
        ),
        section="1.3",
        source="ESK-PI-CUR",
        evidence=V,
        thresholds=(Threshold.fixed("maximum_sessions", 2), Threshold.fixed("window_days", 7)),
    ),
    Rule(
        id="DOSE-ORAL-RANGE",
        summary=(
            "Oral/sublingual ketamine: 10-300 mg per session (off-label, experimental), "
            "bracketing the very-low-dose sublingual and the fixed-dose series reported."
        ),
        section="1.4",
        source="KetaCare design default [D], bracketing LARA-2013 and ANDRADE-2019",
        evidence=D,
        thresholds=(
            Threshold("minimum_mg", 10, 10, 300),
            Threshold("maximum_mg", 300, 10, 300),
        ),
    ),
)
