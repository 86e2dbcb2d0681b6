"""Rules of the eligibility domain: clinical-reference.md section 2 (2.1-2.8, condition codes).

The screen of 2.8 evaluates ELIG-AGE ... ELIG-BREASTFEEDING, then one rule per condition code in
the order of the "Condition codes for screening" table. That table (outcome per route: X exclude,
R review, P pass) is kept here as data, `CONDITIONS`, and the condition rules of the registry are
derived from it, so the table and the registry cannot disagree.

`Rule.absolute` marks the rules that can exclude (SAFE-ABS-EXCLUSION): every condition with an X in
some route, and the exclude branches of ELIG-AGE (under 18) and ELIG-PREGNANCY.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.clinical.rules import Evidence, Rule, Threshold

V = Evidence.VERIFIED
D = Evidence.DESIGN_DEFAULT


class Outcome(StrEnum):
    """The outcome of one screening rule (contracts.md `ketacare screen`)."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    REVIEW = "review"
    EXCLUDE = "exclude"


# The table's letters, so the rows below read like the reference.
X = Outcome.EXCLUDE
R = Outcome.REVIEW
P = Outcome.PASS

ROUTES: tuple[str, ...] = ("esketamine_nasal", "iv_ketamine", "oral_ketamine")
"""The routes, in the column order of the condition table."""


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """One row of the condition table: a code, its meaning, the outcome per route, its rule.

    `evidence` is the row's basis; where a row mixes grades (e.g. "[V]; classification [D]") the
    weaker grade is kept, because the outcome shown depends on the [D] classification. `urgent`
    marks a condition that needs a same-day safety assessment (ELIG-SI-INTENT). `thresholds` are
    numbers that are part of the code's definition (the look-back of "in the last 12 months"):
    the clinician answers the code as defined, so they are fixed, never a clinic's setting (a
    configurable one is refused), and `meaning` names them as `{name:g}` fields that `fill` fills
    in with their fixed values.
    """

    code: str
    meaning: str
    esketamine_nasal: Outcome
    iv_ketamine: Outcome
    oral_ketamine: Outcome
    rule_id: str
    evidence: Evidence
    basis: str
    source: str
    urgent: bool = False
    thresholds: tuple[Threshold, ...] = ()

    def __post_init__(self) -> None:
        # `fill` states the fixed value, identical for every clinic: a number a clinic could move
        # would be shown wrong, so such a threshold is refused here.
        for threshold in self.thresholds:
            if threshold.configurable:
                raise ValueError(
                    f"{self.rule_id}: a condition's threshold {threshold.name!r} must be fixed"
                )

    def fill(self, template: str) -> str:
        """`template` with the `{name:g}` fields of this condition's numbers filled in: the one
        place they are read, from `thresholds` (fixed, so their defaults are every clinic's)."""
        return template.format_map({t.name: t.default for t in self.thresholds})

    def outcome(self, route: str) -> Outcome:
        """The table's outcome of this condition for `route` (one of `ROUTES`)."""
        outcome: Outcome = getattr(self, route)
        return outcome

    @property
    def can_exclude(self) -> bool:
        return X in (self.esketamine_nasal, self.iv_ketamine, self.oral_ketamine)

    @property
    def description(self) -> str:
        """`meaning` with the numbers of its definition filled in (`fill`)."""
        return self.fill(self.meaning)


_LABEL_CI = "ESK-PI-CUR; ONA-ESK; WCMED-ESK"
_LABEL_WARN = "ESK-PI-2019; ESK-PI-CUR; USMED-2021"
# The look-back of ELIG-SUD and ELIG-CV-RECENT ("in last 12 months", "<= 12 months"): part of
# the condition's definition, so fixed.
_WITHIN_12_MONTHS = (Threshold.fixed("within_months", 12),)

# clinical-reference.md, "Condition codes for screening", in table order (the order of the screen).
CONDITIONS: tuple[ConditionRule, ...] = (
    ConditionRule("aneurysmal_vascular_disease",
                  "aneurysm of thoracic/abdominal aorta, intracranial or peripheral arteries",
                  X, X, X, "ELIG-CI-ANEURYSM", V, "Label contraindication", _LABEL_CI),
    ConditionRule("arteriovenous_malformation", "any AVM",
                  X, X, X, "ELIG-CI-AVM", V, "Label contraindication", _LABEL_CI),
    ConditionRule("intracerebral_hemorrhage_history", "prior intracerebral bleed",
                  X, X, X, "ELIG-CI-ICH", V, "Label contraindication", _LABEL_CI),
    ConditionRule("ketamine_hypersensitivity", "to esketamine, ketamine or excipients",
                  X, X, X, "ELIG-CI-HYPERSENS", V, "Label contraindication", _LABEL_CI),
    ConditionRule("raised_intracranial_pressure",
                  "condition with raised ICP (shunt, mass, acute brain injury)",
                  X, X, X, "ELIG-ICP", V,
                  "Label: contraindicated when ICP rise is a serious risk", "ESK-PI-2019"),
    ConditionRule("unstable_cardiovascular_disease",
                  "unstable angina, decompensated heart failure, uncontrolled arrhythmia now",
                  X, X, X, "ELIG-CV-UNSTABLE", D,
                  "Label: do not give if BP rise is a serious risk [V]; classification [D]",
                  "ESK-PI-2019; KETALAR-2ND"),
    ConditionRule("psychotic_disorder",
                  "lifetime primary psychotic disorder (schizophrenia, schizoaffective, "
                  "delusional, other)",
                  X, X, X, "ELIG-PSYCHOSIS", D,
                  "Label is relative [V]; trials excluded [V]; absolute by KetaCare policy [D]",
                  "ESK-PI-2019; TRANSFORM3-ELIG; TRANSFORM4-ELIG; design.md"),
    ConditionRule("psychotic_features_current", "current episode has psychotic features",
                  X, R, R, "ELIG-PSYCH-FEAT-NOW", V,
                  "ESK trials excluded; ELEKT-D excluded psychosis; KetECT included some "
                  "psychotic depression",
                  "TRANSFORM3-ELIG; TRANSFORM4-ELIG; ELEKTD-2023; KETECT-2022"),
    ConditionRule("psychotic_features_history", "psychotic features in a past episode only",
                  R, R, R, "ELIG-PSYCH-FEAT-PAST", D, "KetaCare design default",
                  "design default [D]"),
    ConditionRule("current_mania_or_hypomania", "current manic, hypomanic or mixed state",
                  X, X, X, "ELIG-MANIA", D,
                  "ELEKT-D required YMRS <= 5 [V]; classification [D]", "ELEKTD-CT"),
    ConditionRule("substance_use_disorder_active",
                  "moderate-severe SUD in last {within_months:g} months (not nicotine)",
                  R, R, R, "ELIG-SUD", V,
                  "Label \"careful consideration\"; trials excluded recent SUD",
                  "ESK-PI-2019; OLDER-KET-2019; ESK-OBS-2024",
                  thresholds=_WITHIN_12_MONTHS),
    ConditionRule("ketamine_misuse_history",
                  "any history of ketamine/PCP misuse or use disorder",
                  R, R, R, "ELIG-KET-MISUSE", D,
                  "Observational/older-adult studies excluded it [V]; classification [D]",
                  "ESK-OBS-2024; OLDER-KET-2019"),
    ConditionRule("uncontrolled_hypertension", "BP not controlled on treatment",
                  R, R, R, "ELIG-HTN-UNCONTROLLED", V, "Label >140/90 guide", "ESK-PI-2019"),
    ConditionRule("hypertension_controlled", "treated, controlled",
                  P, P, P, "ELIG-HTN-CONTROLLED", V,
                  "Trials kept usual antihypertensives, morning dose before nasal dosing",
                  "JNJ-HTN"),
    ConditionRule("hypertensive_encephalopathy_history", "prior hypertensive encephalopathy",
                  R, R, R, "ELIG-HTN-ENCEPH", V, "Label: more intensive monitoring",
                  _LABEL_WARN),
    ConditionRule("recent_cardiac_event",
                  "MI, unstable angina or revascularization <= {within_months:g} months",
                  R, R, R, "ELIG-CV-RECENT", V, "Trial exclusion", "JNJ-CV",
                  thresholds=_WITHIN_12_MONTHS),
    ConditionRule("cerebrovascular_disease", "stroke or TIA history",
                  R, R, R, "ELIG-CEREBROVASC", V, "Trial exclusion", "JNJ-CV"),
    ConditionRule("raised_intraocular_pressure",
                  "untreated glaucoma, penetrating eye injury, planned eye surgery",
                  R, R, R, "ELIG-IOP", V, "Trial exclusion", "JNJ-CV"),
    ConditionRule("severe_hepatic_impairment", "Child-Pugh C",
                  X, R, R, "ELIG-HEPATIC-SEVERE", D,
                  "Label \"not recommended\" [V]; racemic [D]", _LABEL_WARN),
    ConditionRule("moderate_hepatic_impairment", "Child-Pugh B",
                  R, R, R, "ELIG-HEPATIC-MOD", V, "Label: may need longer monitoring",
                  _LABEL_WARN),
    ConditionRule("interstitial_cystitis",
                  "ulcerative/interstitial cystitis or chronic lower urinary tract symptoms",
                  R, R, R, "ELIG-BLADDER", V,
                  "Label warning; ketamine cystitis literature", f"{_LABEL_WARN}; KIC-2022"),
    ConditionRule("significant_pulmonary_disease",
                  "pulmonary insufficiency or resting SpO2 <93%",
                  R, R, R, "ELIG-PULM", V, "Trial exclusion", "JNJ-RESP"),
    ConditionRule("obstructive_sleep_apnea", "untreated or severe OSA",
                  R, R, R, "ELIG-OSA", D,
                  "Excluded in an older-adult ketamine trial [V]; [D]", "OLDER-KET-2019"),
    ConditionRule("cognitive_impairment", "dementia or MoCA <18",
                  R, R, R, "ELIG-COGNITION", V, "ELEKT-D required MoCA >= 18", "ELEKTD-CT"),
    ConditionRule("cns_depressant_use",
                  "benzodiazepine, opioid, sedative-hypnotic, regular alcohol",
                  R, R, R, "ELIG-CNS-DEP", V, "Label interaction (sedation); REMS form asks",
                  f"{_LABEL_WARN}; REMS-PMF"),
    ConditionRule("psychostimulant_use",
                  "amphetamine, methylphenidate, modafinil, armodafinil",
                  R, R, R, "ELIG-STIMULANT", V, "Label interaction (BP)", "MEDNET-ESK"),
    ConditionRule("maoi_use", "monoamine oxidase inhibitor",
                  R, R, R, "ELIG-MAOI", V, "Label interaction (BP)", _LABEL_WARN),
    ConditionRule("active_suicidal_intent", "current intent or plan",
                  R, R, R, "ELIG-SI-INTENT", D,
                  "Needs same-day safety assessment; not an exclusion (MDSI indication)",
                  "design default [D]",
                  urgent=True),
)  # fmt: skip

_CONDITION_SECTION = "2 (Condition codes for screening)"

# 2.7: esketamine is not approved in pediatrics and the IV trials enrolled from 18, the age the
# label and trial bases of ELIG-AGE speak of; a clinic's minimum may only lie at or above it.
_ADULT_YEARS = 18

CORE_RULES: tuple[Rule, ...] = (
    Rule(
        id="ELIG-AGE",
        summary="Age under 18 excludes (all routes; esketamine not approved in pediatrics, IV "
        "trials enrolled adults); 65 and over needs review (esketamine: TRANSFORM-3 missed its "
        "endpoint, higher exposure in elderly; IV: trial upper ages, larger BP rise in older "
        "patients, 3.4). Messages give each route its own basis below the adult age (fixed at "
        "18); a clinic may raise the minimum, and an adult below it is told the clinic's "
        "minimum age. The plausible-age bound is an input check [D].",
        section="2.7",
        source=(
            "USMED-2021; TRANSFORM3-2020; FAVA-2020; ELEKTD-CT; KETECT-2022; EMORY-2018; "
            "YALE-2024; LIU-741"
        ),
        evidence=D,
        thresholds=(
            # A clinic may only raise the minimum (ELEKT-D enrolled from 21), never go below 18.
            Threshold("exclude_below_years", _ADULT_YEARS, _ADULT_YEARS, 25),
            # Where the label and trial bases apply (under it), whatever the clinic's minimum.
            Threshold.fixed("adult_at_or_above_years", _ADULT_YEARS),
            Threshold("review_at_or_above_years", 65, 50, 90),
            Threshold.fixed("maximum_plausible_years", 130),
        ),
        absolute=True,
    ),
    Rule(
        id="ELIG-DIAGNOSIS",
        summary="mdd passes; bipolar_depression needs review (esketamine not studied, IV data "
        "limited); other needs review (off-label). Graded [D]: the outcomes are KetaCare's; that "
        "trials enrolled unipolar MDD is verified [V 2.5].",
        section="2.8",
        source="TRANSFORM3-ELIG; TRANSFORM4-ELIG",
        evidence=D,
    ),
    Rule(
        id="ELIG-TRD",
        summary="Treatment-resistant depression: at least 2 failed adequate antidepressant trials "
        "in the current episode passes; 0-1 or unknown needs review (MDSI indication may apply "
        "for esketamine). Graded [D], the weaker grade of its row: the TRD definition is "
        "verified [V], the KetaCare counting rule (adequate, nonresponse, intolerance not "
        "counted) is a design default [D]; the plausible-count bound is an input check [D].",
        section="2.1",
        source="CNS-SPECTRUMS-2023; PMC-RPA-2024; SPRAVATO-ELIG; TRANSFORM3-ELIG; TRANSFORM4-ELIG",
        evidence=D,
        thresholds=(
            # TRANSFORM trials required 2 to 5 failed trials; below 2 is not TRD.
            Threshold("pass_at_or_above_trials", 2, 2, 5),
            Threshold.fixed("maximum_plausible_trials", 50),
        ),
    ),
    Rule(
        id="ELIG-SEVERITY",
        summary="At least moderate depression: PHQ-9 total of 10 or more, or MADRS of 20 or more, "
        "passes; lower needs review; neither given needs review. [D] anchored on KROENKE-2001 "
        "(PHQ-9 >= 10) and ELEKT-D (MADRS > 20). A pass message speaks only of the scores at or "
        "above their threshold in use, and calls a score at least moderate only from the start "
        "of its instrument's moderate band.",
        section="2.2",
        source="KROENKE-2001; ELEKTD-CT; SPRAVATO-HCP-MDSI; OLDER-KET-2019",
        evidence=D,
        thresholds=(
            Threshold("phq9_pass_at_or_above_points", 10, 5, 20),
            Threshold("madrs_pass_at_or_above_points", 20, 7, 35),
            # The MADRS total range 0-60 is fixed by the published scale (section 5.4).
            Threshold.fixed("madrs_maximum_points", 60),
        ),
    ),
    Rule(
        id="ELIG-SUICIDALITY",
        summary="PHQ-9 item 9 above 0 needs review, sets the urgent flag and shows crisis "
        "resources first (SAFE-ITEM9). [D]; item meaning [V USCORE-PHQ9].",
        section="2.8",
        source="USCORE-PHQ9; PHQ9-FSH",
        evidence=D,
        thresholds=(
            # Fixed: the contract's `suicidal_ideation` flag is defined as item 9 > 0.
            Threshold.fixed("phq9_item9_above_points", 0),
        ),
    ),
    Rule(
        id="ELIG-BP",
        summary="Blood pressure given and systolic above 140 or diastolic above 90 needs review "
        "(label guide); absent passes (re-checked before every dose by MON-BP-HOLD). A value "
        "is first held to the MON-PLAUSIBILITY limits (3.7), diastolic below systolic.",
        section="2.8",
        source="ESK-PI-2019",
        evidence=V,
        thresholds=(
            Threshold("systolic_above_mmhg", 140, 120, 180),
            Threshold("diastolic_above_mmhg", 90, 70, 110),
        ),
    ),
    Rule(
        id="ELIG-PREGNANCY",
        summary='Pregnant excludes (SAFE-PREGNANCY). [D]; label "not recommended" [V].',
        section="2.8",
        source="ESK-PI-2019; ESK-PI-CUR; USMED-2021",
        evidence=D,
        absolute=True,
    ),
    Rule(
        id="ELIG-BREASTFEEDING",
        summary='Breastfeeding needs review. [D]; label "not recommended" [V].',
        section="2.8",
        source="ESK-PI-2019; ESK-PI-CUR; USMED-2021",
        evidence=D,
    ),
)


def _condition_rule(row: ConditionRule) -> Rule:
    outcomes = ", ".join(f"{route} {row.outcome(route).value}" for route in ROUTES)
    return Rule(
        id=row.rule_id,
        summary=f"Condition `{row.code}` ({row.description}): {outcomes}. Basis: {row.basis}.",
        section=_CONDITION_SECTION,
        source=row.source,
        evidence=row.evidence,
        thresholds=row.thresholds,
        absolute=row.can_exclude,
    )


RULES: tuple[Rule, ...] = (*CORE_RULES, *(_condition_rule(row) for row in CONDITIONS))
