"""The eight rules of 2.8 that come before the condition table, one small function each.

Each takes the candidate and the clinic's settings and returns one `RuleResult`; every number is
read from the registry through `settings` (catalog/eligibility.py).
"""

from __future__ import annotations

from collections.abc import Callable

from ketacare.clinical.catalog.eligibility import Outcome
from ketacare.clinical.eligibility.candidate import Candidate
from ketacare.clinical.eligibility.messages import (
    AGE_OLDER_WHY,
    BIPOLAR_WHY,
    CRISIS,
    OTHER_DIAGNOSIS_WHY,
    OTHER_OPTIONS,
    ROUTE_NAMES,
    age_minor_why,
)
from ketacare.clinical.eligibility.results import RuleResult, source_of
from ketacare.clinical.instruments import get_instrument, score
from ketacare.clinical.instruments.phq import PHQ9_SUICIDALITY_ITEM
from ketacare.clinical.rules import ClinicalSettings, Number

PASS, REVIEW, EXCLUDE = Outcome.PASS, Outcome.REVIEW, Outcome.EXCLUDE

_AGE = source_of("ELIG-AGE")
_DIAGNOSIS = source_of("ELIG-DIAGNOSIS")
_TRD = source_of("ELIG-TRD")
_SEVERITY = source_of("ELIG-SEVERITY")
_SUICIDALITY = source_of("ELIG-SUICIDALITY")
_BP = source_of("ELIG-BP")
_PREGNANCY = source_of("ELIG-PREGNANCY")
_BREASTFEEDING = source_of("ELIG-BREASTFEEDING")

# PHQ-9 item 9 (thoughts of self-harm) is the ninth answer (reference 5.1).
_PHQ9_ITEM9_INDEX = PHQ9_SUICIDALITY_ITEM - 1


def _moderate_from(instrument_id: str) -> int:
    # The first total of the instrument's "moderate" band (SCALE-PHQ9 5.1, SCALE-MADRS 5.4).
    bands = get_instrument(instrument_id).bands
    return next(band.minimum for band in bands if band.label == "moderate")


# The scores ELIG-SEVERITY reads, by instrument id: the name shown and the pass threshold.
_SEVERITY_SCORES: dict[str, tuple[str, str]] = {
    "phq9": ("PHQ-9", "phq9_pass_at_or_above_points"),
    "madrs": ("MADRS", "madrs_pass_at_or_above_points"),
}
# ELIG-SEVERITY names a score "at least moderate" only from these totals, by instrument id: a
# clinic may set its pass threshold below the moderate band (2.2 anchors the defaults on it).
_MODERATE_FROM: dict[str, int] = {
    instrument_id: _moderate_from(instrument_id) for instrument_id in _SEVERITY_SCORES
}


def check_age(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-AGE (2.7): under the minimum excludes on every route; from the review age, review.

    Under the adult age each route's message gives the basis of its own row of 2.7; an adult
    under a minimum the clinic raised is told the clinic's minimum, not a label or trial fact."""
    age = candidate.age_years
    minimum = settings.value("ELIG-AGE", "exclude_below_years")
    adult = settings.value("ELIG-AGE", "adult_at_or_above_years")
    review_from = settings.value("ELIG-AGE", "review_at_or_above_years")
    if age < minimum:
        clinic = f"clinic offers {ROUTE_NAMES[candidate.route]} from age {minimum:g}."
        if age >= adult:
            why = f"this {clinic}"
        else:
            why = f"{age_minor_why(candidate.route, adult)}."
            if minimum > adult:
                why = f"{why} This {clinic}"
        return RuleResult(
            "ELIG-AGE", EXCLUDE, f"Not a candidate at age {age}: {why} {OTHER_OPTIONS}", _AGE
        )
    if age >= review_from:
        return RuleResult(
            "ELIG-AGE",
            REVIEW,
            # The configured review age is not the age studied, so it is not named as such.
            f"At age {age} a clinician must weigh benefits and risks: "
            f"{AGE_OLDER_WHY[candidate.route]}.",
            _AGE,
        )
    return RuleResult("ELIG-AGE", PASS, f"Age {age} is in the usual adult range.", _AGE)


def check_diagnosis(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-DIAGNOSIS (2.8): `mdd` passes; `bipolar_depression` and `other` need review, with
    the basis of the candidate's route."""
    if candidate.diagnosis == "mdd":
        return RuleResult(
            "ELIG-DIAGNOSIS",
            PASS,
            "Major depressive disorder is the condition this treatment was studied for.",
            _DIAGNOSIS,
        )
    if candidate.diagnosis == "bipolar_depression":
        why = BIPOLAR_WHY[candidate.route]
    else:
        why = OTHER_DIAGNOSIS_WHY[candidate.route]
    return RuleResult(
        "ELIG-DIAGNOSIS", REVIEW, f"A clinician must look at the diagnosis: {why}.", _DIAGNOSIS
    )


def check_trd(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-TRD (2.1): enough failed adequate trials pass; fewer or unknown: review."""
    trials = candidate.failed_adequate_trials
    needed = settings.value("ELIG-TRD", "pass_at_or_above_trials")
    if trials is None:
        return RuleResult(
            "ELIG-TRD",
            REVIEW,
            "How many antidepressants were tried without enough benefit is not known. "
            "A clinician must go through the treatment history.",
            _TRD,
        )
    if trials >= needed:
        return RuleResult(
            "ELIG-TRD",
            PASS,
            f"Antidepressants tried at an adequate dose and duration without enough benefit in "
            f"this episode: {trials} (treatment-resistant depression means at least {needed:g}).",
            _TRD,
        )
    also = (
        " Another approved use of esketamine may apply."
        if candidate.route == "esketamine_nasal"
        else ""
    )
    return RuleResult(
        "ELIG-TRD",
        REVIEW,
        f"Antidepressants tried at an adequate dose and duration without enough benefit in this "
        f"episode: {trials}; treatment-resistant depression usually means at least {needed:g}. "
        f"A clinician must go through the treatment history.{also}",
        _TRD,
    )


# One score given for ELIG-SEVERITY: (instrument id, total, the pass threshold in use).
_Score = tuple[str, int, Number]


def _names(scores: list[_Score]) -> str:
    # "PHQ-9 12" or "PHQ-9 12 and MADRS 25".
    return " and ".join(f"{_SEVERITY_SCORES[i][0]} {total}" for i, total, _ in scores)


def _thresholds(scores: list[_Score]) -> str:
    # One score: its threshold alone, "20"; more: each named, "PHQ-9 10 and MADRS 20".
    if len(scores) == 1:
        return f"{scores[0][2]:g}"
    return " and ".join(f"{_SEVERITY_SCORES[i][0]} {needed:g}" for i, _, needed in scores)


def check_severity(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-SEVERITY (2.2): PHQ-9 or MADRS at the threshold passes; lower or neither, review.

    A pass speaks only of the scores that met their threshold, and calls one "at least moderate"
    only from its instrument's moderate band; a score given below its threshold is named apart.
    The thresholds are the settings in use, so the text is true in the CLI as in a clinic."""
    phq9_total = None
    if candidate.phq9 is not None:
        phq9_total = score("phq9", list(candidate.phq9), path="phq9").total
    scores: list[_Score] = []
    for instrument_id, total in (("phq9", phq9_total), ("madrs", candidate.madrs_total)):
        if total is not None:
            needed = settings.value("ELIG-SEVERITY", _SEVERITY_SCORES[instrument_id][1])
            scores.append((instrument_id, total, needed))
    if not scores:
        return RuleResult(
            "ELIG-SEVERITY",
            REVIEW,
            "No PHQ-9 or MADRS score was given, so the severity of the depression is not known. "
            "A clinician must assess it.",
            _SEVERITY,
        )
    met = [s for s in scores if s[1] >= s[2]]
    if met:
        one = len(met) == 1
        moderate = [s for s in met if s[1] >= _MODERATE_FROM[s[0]]]
        meets = (
            f"{'is' if one else 'are'} at or above the threshold{'' if one else 's'} for this "
            f"treatment ({_thresholds(met)})"
        )
        if len(moderate) == len(met):
            text = (
                f"{_names(met)} show{'s' if one else ''} at least moderate depression and {meets}."
            )
        elif moderate:
            text = (
                f"{_names(met)} {meets}, and {_names(moderate)} shows at least moderate depression."
            )
        else:
            text = f"{_names(met)} {meets}."
        if len(met) < len(scores):
            # The other score, below its threshold: named so it is not taken for a pass.
            below = [s for s in scores if s[1] < s[2]]
            text += (
                f" {_names(below)} is below its threshold ({_thresholds(below)}); one "
                "score at or above its threshold is enough."
            )
        return RuleResult("ELIG-SEVERITY", PASS, text, _SEVERITY)
    phq9_needed = settings.value("ELIG-SEVERITY", "phq9_pass_at_or_above_points")
    madrs_needed = settings.value("ELIG-SEVERITY", "madrs_pass_at_or_above_points")
    one = len(scores) == 1
    return RuleResult(
        "ELIG-SEVERITY",
        REVIEW,
        f"The depression score{'' if one else 's'} ({_names(scores)}) {'is' if one else 'are'} "
        f"below the threshold for this treatment (PHQ-9 {phq9_needed:g} or MADRS "
        f"{madrs_needed:g}). A clinician must look at how you are doing.",
        _SEVERITY,
    )


def check_suicidality(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-SUICIDALITY (2.8, SAFE-ITEM9): PHQ-9 item 9 above 0 is an urgent review.

    Item 9 is read here with the rule's own threshold (fixed at the contract's definition of the
    `suicidal_ideation` flag). Without PHQ-9 answers the rule cannot trigger and passes, saying
    that the question was not asked (2.8 names no outcome for absent answers; ELIG-SEVERITY
    already asks for review when no score at all is given).
    """
    if candidate.phq9 is None:
        return RuleResult(
            "ELIG-SUICIDALITY",
            PASS,
            "No PHQ-9 answers were given, so thoughts of self-harm were not asked about here; "
            "a clinician will ask at the assessment.",
            _SUICIDALITY,
        )
    above = settings.value("ELIG-SUICIDALITY", "phq9_item9_above_points")
    if candidate.phq9[_PHQ9_ITEM9_INDEX] > above:
        return RuleResult(
            "ELIG-SUICIDALITY",
            REVIEW,
            f"{CRISIS} You said you have had thoughts of being better off dead or of hurting "
            "yourself, so a clinician must speak with you today.",
            _SUICIDALITY,
            urgent=True,
        )
    return RuleResult(
        "ELIG-SUICIDALITY",
        PASS,
        "PHQ-9 question 9 (thoughts of being better off dead or of hurting yourself) was "
        'answered "not at all".',
        _SUICIDALITY,
    )


def check_blood_pressure(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-BP (2.8): a reading above the label guide needs review; none given passes."""
    bp = candidate.blood_pressure
    if bp is None:
        return RuleResult(
            "ELIG-BP",
            PASS,
            "No blood pressure was given; it is measured before every dose.",
            _BP,
        )
    systolic_above = settings.value("ELIG-BP", "systolic_above_mmhg")
    diastolic_above = settings.value("ELIG-BP", "diastolic_above_mmhg")
    reading = f"{bp.systolic_mmhg}/{bp.diastolic_mmhg} mmHg"
    guide = f"{systolic_above:g}/{diastolic_above:g}"
    if bp.systolic_mmhg > systolic_above or bp.diastolic_mmhg > diastolic_above:
        return RuleResult(
            "ELIG-BP",
            REVIEW,
            f"Blood pressure {reading} is above {guide}. Ketamine raises blood pressure for a "
            "while, so a clinician must look at this; it is checked again before every dose.",
            _BP,
        )
    return RuleResult(
        "ELIG-BP",
        PASS,
        f"Blood pressure {reading} is not above {guide}; it is checked again before every dose.",
        _BP,
    )


def check_pregnancy(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-PREGNANCY (2.8, SAFE-PREGNANCY): pregnancy excludes."""
    if candidate.pregnant:
        return RuleResult(
            "ELIG-PREGNANCY",
            EXCLUDE,
            f"Not a candidate for {ROUTE_NAMES[candidate.route]} during pregnancy: ketamine may "
            f"harm an unborn baby and is not recommended. {OTHER_OPTIONS}",
            _PREGNANCY,
        )
    return RuleResult(
        "ELIG-PREGNANCY",
        PASS,
        "Not pregnant, as reported; pregnancy status is checked again before treatment.",
        _PREGNANCY,
    )


def check_breastfeeding(candidate: Candidate, settings: ClinicalSettings) -> RuleResult:
    """ELIG-BREASTFEEDING (2.8): breastfeeding needs review."""
    if candidate.breastfeeding:
        return RuleResult(
            "ELIG-BREASTFEEDING",
            REVIEW,
            "A clinician must look at this: breastfeeding is not recommended during ketamine "
            "treatment.",
            _BREASTFEEDING,
        )
    return RuleResult("ELIG-BREASTFEEDING", PASS, "Not breastfeeding, as reported.", _BREASTFEEDING)


# The order of 2.8, rules 1-8.
CORE_CHECKS: tuple[Callable[[Candidate, ClinicalSettings], RuleResult], ...] = (
    check_age,
    check_diagnosis,
    check_trd,
    check_severity,
    check_suicidality,
    check_blood_pressure,
    check_pregnancy,
    check_breastfeeding,
)
