"""Plain-language messages of the screening rules, safe to show to the person screened.

The self-check must never give a verdict on its own (design.md, step 2): a message says what was
found, why it matters, and, for `review` and `exclude`, that a clinician decides or can discuss
other options. Urgent messages put crisis resources first (SAFE-ITEM9). Texts state no medical
number as a literal: their `{name:g}` fields are filled from the settings in use, or for a
condition from its fixed thresholds (`ConditionRule.fill`).
"""

from __future__ import annotations

from ketacare.clinical.catalog.eligibility import ConditionRule, Outcome
from ketacare.clinical.rules import Number

ESKETAMINE = "esketamine_nasal"

ROUTE_NAMES: dict[str, str] = {
    "esketamine_nasal": "esketamine nasal spray",
    "iv_ketamine": "IV ketamine infusions",
    "oral_ketamine": "oral ketamine",
}

# SAFE-ITEM9: 988 Suicide & Crisis Lifeline in the US, or the local emergency number.
CRISIS = (
    "If you are thinking about hurting yourself or ending your life, please call or text 988 "
    "(Suicide & Crisis Lifeline, US) or your local emergency number now."
)
OTHER_OPTIONS = "Please talk to a clinician about other treatment options."

# Why a route's candidate is told what ELIG-AGE and ELIG-DIAGNOSIS say: each route gets the basis
# of its own rows of reference 2.7 / 2.8, never an esketamine fact for IV or oral ketamine.
# AGE_MINOR_WHY is shown only under ELIG-AGE's fixed `adult` age, whatever minimum the clinic set.
AGE_MINOR_WHY: dict[str, str] = {
    # 2.7: esketamine is not approved in pediatrics [V USMED-2021].
    ESKETAMINE: "esketamine is not approved for anyone under {adult:g}",
    # 2.7: the IV trials it cites (Fava, ELEKT-D, KetECT) enrolled from 18 (ELEKT-D from 21)
    # [V]; excluding under 18 is KetaCare's [D] on that row. No general claim such as "ketamine
    # is for adults only" (ketamine is used in children as an anaesthetic): the message speaks
    # of depression treatment and of the trials 2.7 cites only.
    "iv_ketamine": (
        "IV ketamine for depression is offered to adults only (age {adult:g} and over), as its "
        "main studies enrolled adults"
    ),
    # 2.7 has no oral row: under 18 excludes oral ketamine by KetaCare policy [D], and oral
    # ketamine is experimental (1.4). No general claim about ketamine's age limits.
    "oral_ketamine": (
        "oral ketamine for depression is off-label with thin evidence and is offered to adults "
        "only (age {adult:g} and over)"
    ),
}
AGE_OLDER_WHY: dict[str, str] = {
    # 2.7: TRANSFORM-3 (65 and over) missed its primary endpoint; higher Cmax/AUC in elderly.
    ESKETAMINE: (
        "the benefit was less clear in studies of older adults, and esketamine levels in the "
        "blood are higher in older people"
    ),
    # 2.7: trial upper ages 70-85; 3.4: the BP rise is larger in older patients [V].
    "iv_ketamine": (
        "studies of IV ketamine enrolled older adults only up to an upper age limit, and the "
        "rise in blood pressure during an infusion is larger in older people"
    ),
    # 1.4: thin evidence; the BP finding of 3.4 comes from IV ketamine.
    "oral_ketamine": (
        "oral ketamine is off-label with thin evidence, and in studies of IV ketamine the rise "
        "in blood pressure was larger in older people"
    ),
}
BIPOLAR_WHY: dict[str, str] = {
    # 2.8: esketamine not studied (trials enrolled unipolar MDD, 2.5); IV data limited.
    ESKETAMINE: "esketamine has not been studied in bipolar depression",
    "iv_ketamine": "data on IV ketamine in bipolar depression are limited",
    "oral_ketamine": (
        "data on ketamine in bipolar depression are limited, and oral ketamine is off-label "
        "with thin evidence"
    ),
}
OTHER_DIAGNOSIS_WHY: dict[str, str] = {
    # 1.1: esketamine is approved for depression (TRD, MDSI) only; IV and oral ketamine are
    # off-label for any depression, so "off-label" must not suggest they are on-label for MDD.
    ESKETAMINE: "esketamine is approved for major depression only; other uses are off-label",
    "iv_ketamine": (
        "IV ketamine is off-label for any depression, and its studies enrolled people with "
        "major depression"
    ),
    "oral_ketamine": "oral ketamine is off-label, with thin evidence even in major depression",
}

_BP_RISE = "ketamine raises blood pressure for a while, which could be dangerous with it"
_LEFT_OUT = "people with it were left out of the main studies"

# Condition code -> (plain name, why it matters). Rows follow the reference's condition table.
# The reason is the esketamine one; RACEMIC_WHY replaces it for IV and oral ketamine where their
# basis differs (the table's "KetaCare applies it to racemic ketamine by extension").
CONDITION_TEXT: dict[str, tuple[str, str]] = {
    "aneurysmal_vascular_disease": (
        "an aneurysm (a weakened, bulging artery)",
        f"{_BP_RISE} (the esketamine label rules it out)",
    ),
    "arteriovenous_malformation": (
        "an arteriovenous malformation (AVM)",
        f"{_BP_RISE} (the esketamine label rules it out)",
    ),
    "intracerebral_hemorrhage_history": (
        "a past bleed inside the brain",
        f"{_BP_RISE} (the esketamine label rules it out)",
    ),
    "ketamine_hypersensitivity": (
        "an allergy to ketamine, esketamine or an ingredient of the medicine",
        "the medicine could cause a serious allergic reaction (the label rules it out)",
    ),
    "raised_intracranial_pressure": (
        "raised pressure inside the head (for example a shunt, a mass or a recent brain injury)",
        "ketamine can raise that pressure further (the label rules it out)",
    ),
    "unstable_cardiovascular_disease": (
        "a heart condition that is not stable right now",
        "the rise in blood pressure that ketamine causes could be dangerous",
    ),
    "psychotic_disorder": (
        "a psychotic illness (such as schizophrenia)",
        "ketamine can make psychotic symptoms worse (clinic policy)",
    ),
    "psychotic_features_current": (
        "psychotic symptoms in the current episode of depression",
        "ketamine can make psychotic symptoms worse, and the main studies left them out",
    ),
    "psychotic_features_history": (
        "psychotic symptoms in a past episode of depression",
        "ketamine can bring on psychotic symptoms",
    ),
    "current_mania_or_hypomania": (
        "a current manic, hypomanic or mixed state",
        "ketamine was not studied in this state",
    ),
    "substance_use_disorder_active": (
        "a drug or alcohol use problem in the last {within_months:g} months",
        "ketamine can be misused, so this needs careful consideration",
    ),
    "ketamine_misuse_history": (
        "past misuse of ketamine or PCP",
        "ketamine can be misused, so this needs careful consideration",
    ),
    "uncontrolled_hypertension": (
        "high blood pressure that is not under control",
        "ketamine raises blood pressure for a while",
    ),
    "hypertension_controlled": (
        "high blood pressure that is treated and under control",
        "keep taking your usual blood pressure medicine; it is checked at every session",
    ),
    "hypertensive_encephalopathy_history": (
        "a past hypertensive encephalopathy (brain effects of very high blood pressure)",
        "blood pressure and symptoms need closer monitoring",
    ),
    "recent_cardiac_event": (
        "a heart attack, unstable angina or a heart procedure in the last {within_months:g} months",
        f"ketamine raises blood pressure for a while, and {_LEFT_OUT}",
    ),
    "cerebrovascular_disease": (
        "a past stroke or mini-stroke (TIA)",
        f"ketamine raises blood pressure for a while, and {_LEFT_OUT}",
    ),
    "raised_intraocular_pressure": (
        "raised pressure in the eye (untreated glaucoma, an eye injury or planned eye surgery)",
        _LEFT_OUT,
    ),
    "severe_hepatic_impairment": (
        "severe liver disease (Child-Pugh C)",
        "esketamine has not been studied in severe liver disease and is not recommended for it",
    ),
    "moderate_hepatic_impairment": (
        "moderate liver disease (Child-Pugh B)",
        "monitoring after each dose may need to be longer",
    ),
    "interstitial_cystitis": (
        "bladder inflammation (interstitial or ulcerative cystitis) or long-lasting urinary "
        "symptoms",
        "ketamine can cause bladder inflammation",
    ),
    "significant_pulmonary_disease": (
        "serious lung disease or low oxygen levels at rest",
        f"breathing must be watched closely after ketamine, and {_LEFT_OUT}",
    ),
    "obstructive_sleep_apnea": (
        "untreated or severe sleep apnea",
        "breathing must be watched closely after ketamine",
    ),
    "cognitive_impairment": (
        "dementia or problems with memory and thinking",
        _LEFT_OUT,
    ),
    "cns_depressant_use": (
        "use of sleeping pills, tranquillisers, opioids or regular alcohol",
        "together with ketamine they can cause deeper sedation",
    ),
    "psychostimulant_use": (
        "use of stimulant medicines (such as amphetamine, methylphenidate or modafinil)",
        "together with ketamine they can raise blood pressure further",
    ),
    "maoi_use": (
        "use of an MAOI antidepressant",
        "together with ketamine it can raise blood pressure further",
    ),
    "active_suicidal_intent": (
        "current thoughts of suicide with intent or a plan",
        "your safety must be checked today; this alone does not rule treatment out",
    ),
}


_EXTENDED = (
    "the esketamine nasal spray label rules it out, and the clinic applies that to every form of "
    "ketamine"
)

# IV and oral ketamine (racemic): the reason where their basis is not the esketamine one.
RACEMIC_WHY: dict[str, str] = {
    # 2.3 items 1-3: "KetaCare applies items 1-3 to all routes [D]".
    "aneurysmal_vascular_disease": f"{_BP_RISE} ({_EXTENDED})",
    "arteriovenous_malformation": f"{_BP_RISE} ({_EXTENDED})",
    "intracerebral_hemorrhage_history": f"{_BP_RISE} ({_EXTENDED})",
    # ELIG-ICP: the ICP contraindication is the esketamine label's [V ESK-PI-2019].
    "raised_intracranial_pressure": f"ketamine can raise that pressure further ({_EXTENDED})",
    # ELIG-HEPATIC-SEVERE: "Label 'not recommended' [V]; racemic [D]": no source for racemic.
    "severe_hepatic_impairment": (
        "the safety of ketamine in severe liver disease is not established, so the clinic asks "
        "for a review"
    ),
}


def age_minor_why(route: str, adult_years: Number) -> str:
    """Why a candidate under ELIG-AGE's adult age cannot have `route` (reference 2.7)."""
    return AGE_MINOR_WHY[route].format(adult=adult_years)


def condition_why(code: str, route: str) -> str:
    """Why condition `code` matters for `route`: the esketamine reason, or for IV and oral
    ketamine their own where the condition table's basis differs (RACEMIC_WHY)."""
    if route != ESKETAMINE and code in RACEMIC_WHY:
        return RACEMIC_WHY[code]
    return CONDITION_TEXT[code][1]


def condition_message(row: ConditionRule, route: str, *, present: bool) -> str:
    """The message of condition rule `row` for `route`; `present` says whether it was reported.

    The numbers of the condition's definition (ELIG-SUD's and ELIG-CV-RECENT's look-back) are
    filled in by `row.fill`, from the row's fixed thresholds, as in its registry summary."""
    name = row.fill(CONDITION_TEXT[row.code][0])
    why = row.fill(condition_why(row.code, route))
    if not present:
        return f"Not reported: {name}."
    route_name = ROUTE_NAMES[route]
    outcome = row.outcome(route)
    if outcome is Outcome.EXCLUDE:
        text = f"Not a candidate for {route_name} because of {name}: {why}. {OTHER_OPTIONS}"
    elif outcome is Outcome.REVIEW:
        text = f"A clinician must look at {name} before {route_name}: {why}."
    else:
        text = f"Reported: {name}. On its own it does not stand in the way: {why}."
    return f"{CRISIS} {text}" if row.urgent else text
