"""Screen messages fit the route they are shown for (reference 2.7, 2.8, condition table).

The esketamine label is the basis of some rules on every route, by KetaCare's extension (items
1-3 of 2.3, raised intracranial pressure); elsewhere an IV or oral candidate must not be told an
esketamine fact (age approval, drug levels, severe liver disease) as if it were about their
treatment. Brand and programme names keep their capitals (SPRAVATO, REMS).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ketacare.clinical.eligibility import Outcome, core_rules, parse_candidate, screen
from ketacare.clinical.eligibility.candidate import CONDITION_CODES
from ketacare.clinical.eligibility.messages import ROUTE_NAMES
from ketacare.clinical.instruments import INSTRUMENTS, get_instrument
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings
from tests.clinical.settings_helpers import MovedSettings

S = DEFAULT_SETTINGS
ADULT = int(S.value("ELIG-AGE", "adult_at_or_above_years"))
MINOR = int(S.value("ELIG-AGE", "exclude_below_years")) - 1
OLDER = int(S.value("ELIG-AGE", "review_at_or_above_years")) + 5
RACEMIC = ("iv_ketamine", "oral_ketamine")
# Rules whose basis on every route is the esketamine label, applied by KetaCare's extension
# (reference 2.3 "KetaCare applies items 1-3 to all routes"; ELIG-ICP), or whose condition names
# esketamine itself (an allergy to it).
ESKETAMINE_LABEL_EXTENDED = {
    "ELIG-CI-ANEURYSM",
    "ELIG-CI-AVM",
    "ELIG-CI-ICH",
    "ELIG-ICP",
    "ELIG-CI-HYPERSENS",
}


def candidate(route: str, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "route": route,
        "age": 40,
        "diagnosis": "mdd",
        "failed_adequate_trials": 3,
        "phq9": [2, 2, 2, 2, 2, 2, 2, 2, 0],
        "conditions": [],
        "pregnant": False,
        "breastfeeding": False,
    }
    document.update(changes)
    return document


def result_of(route: str, rule_id: str, settings: ClinicalSettings = S, **changes: Any):
    result = screen(parse_candidate(candidate(route, **changes)), settings=settings)
    (rule,) = [r for r in result.rules if r.id == rule_id]
    return rule


def message(route: str, rule_id: str, settings: ClinicalSettings = S, **changes: Any) -> str:
    return result_of(route, rule_id, settings, **changes).message


@pytest.mark.parametrize("route", RACEMIC)
@pytest.mark.parametrize(
    ("rule_id", "changes"),
    [
        ("ELIG-AGE", {"age": MINOR}),
        ("ELIG-AGE", {"age": OLDER}),
        ("ELIG-DIAGNOSIS", {"diagnosis": "bipolar_depression"}),
        ("ELIG-DIAGNOSIS", {"diagnosis": "other"}),
        ("ELIG-HEPATIC-SEVERE", {"conditions": ["severe_hepatic_impairment"]}),
    ],
    ids=["minor", "older", "bipolar", "other-diagnosis", "severe-hepatic"],
)
def test_iv_and_oral_messages_with_a_generic_basis_do_not_speak_of_esketamine(
    route, rule_id, changes
):
    text = message(route, rule_id, **changes)

    assert "esketamine" not in text.lower()
    assert "drug levels" not in text


# Each route's basis under the adult age (2.7): the esketamine label; the IV trials 2.7 cites; for
# oral ketamine (no row in 2.7) KetaCare's policy [D] and its thin evidence (1.4).
MINOR_WHY = {
    "esketamine_nasal": f"esketamine is not approved for anyone under {ADULT}",
    "iv_ketamine": (
        f"IV ketamine for depression is offered to adults only (age {ADULT} and over), as its "
        "main studies enrolled adults"
    ),
    "oral_ketamine": (
        "oral ketamine for depression is off-label with thin evidence and is offered to adults "
        f"only (age {ADULT} and over)"
    ),
}


@pytest.mark.parametrize(("route", "why"), list(MINOR_WHY.items()))
def test_a_minor_is_told_the_basis_of_their_own_route(route, why):
    text = message(route, "ELIG-AGE", age=MINOR)

    assert text == (
        f"Not a candidate at age {MINOR}: {why}. "
        "Please talk to a clinician about other treatment options."
    )


@pytest.mark.parametrize("route", list(ROUTE_NAMES))
def test_a_minor_is_told_no_general_fact_about_ketamine_and_age(route):
    # The audit's case: "ketamine is for adults only" is false (it is an anaesthetic in
    # children); what holds is a route's label, its trials, or KetaCare's own policy.
    text = message(route, "ELIG-AGE", age=MINOR)

    assert not re.search(r"\bketamine is (?:only )?for adults", text), text
    assert not re.search(r"(?<!main )studies of \w+ ketamine for depression enrolled", text), text


# The label and trial bases of ELIG-AGE (2.7) speak of under-18s: words that must never reach
# an adult whom only a raised clinic minimum keeps out.
MINOR_BASIS = ("not approved", "children", "adults only", "studies", "enrolled")
_MINIMUM = REGISTRY["ELIG-AGE"].threshold("exclude_below_years")
AGE_CASES = [
    (route, minimum, age)
    for route in ROUTE_NAMES
    for minimum in range(int(_MINIMUM.minimum), int(_MINIMUM.maximum) + 1)
    for age in sorted({ADULT - 1, ADULT, minimum - 1})
    if age < minimum
]


@pytest.mark.parametrize(("route", "minimum", "age"), AGE_CASES)
def test_an_excluded_age_is_explained_truly_for_every_allowed_minimum(route, minimum, age):
    settings = ClinicalSettings.with_overrides({"ELIG-AGE": {"exclude_below_years": minimum}})

    rule = result_of(route, "ELIG-AGE", settings, age=age)

    assert rule.outcome is Outcome.EXCLUDE
    clinic = f"clinic offers {ROUTE_NAMES[route]} from age {minimum}."
    if age >= ADULT:
        # An adult below the clinic's own minimum: the clinic's age, no under-18 basis.
        assert f"Not a candidate at age {age}: this {clinic}" in rule.message
        assert not [word for word in MINOR_BASIS if word in rule.message]
    else:
        # Under 18 the route's basis applies, with the clinic's age only where it is higher.
        assert f"under {ADULT}" in rule.message or f"age {ADULT} and over" in rule.message
        assert (clinic in rule.message) == (minimum > ADULT)


def test_a_clinic_minimum_of_21_tells_a_19_year_old_the_clinics_age_only():
    # The audit's case: "offered from age 21 (esketamine is not approved for children and
    # teenagers)" was false for a 19-year-old.
    settings = ClinicalSettings.with_overrides({"ELIG-AGE": {"exclude_below_years": 21}})

    text = message("esketamine_nasal", "ELIG-AGE", settings=settings, age=19)

    assert text == (
        "Not a candidate at age 19: this clinic offers esketamine nasal spray from age 21. "
        "Please talk to a clinician about other treatment options."
    )


def test_the_adult_age_is_fixed_at_the_lowest_minimum_a_clinic_may_set():
    adult = REGISTRY["ELIG-AGE"].threshold("adult_at_or_above_years")

    assert not adult.configurable
    assert adult.default == _MINIMUM.minimum


@pytest.mark.parametrize("route", list(ROUTE_NAMES))
def test_the_adult_age_in_an_age_message_is_read_from_settings(route):
    settings = MovedSettings({("ELIG-AGE", "adult_at_or_above_years"): ADULT - 2})

    minor = message(route, "ELIG-AGE", settings=settings, age=ADULT - 3)
    adult = message(route, "ELIG-AGE", settings=settings, age=ADULT - 1)

    assert f"under {ADULT - 2}" in minor or f"age {ADULT - 2} and over" in minor
    assert str(ADULT) in minor  # the clinic's minimum, now above the adult age
    assert not [word for word in MINOR_BASIS if word in adult]


# --- ELIG-SEVERITY names the threshold in use, and "moderate" only from the moderate band ---


def moderate_from(instrument_id: str) -> int:
    bands = get_instrument(instrument_id).bands
    return next(band.minimum for band in bands if band.label == "moderate")


def phq9_total(total: int) -> list[int]:
    answers = [min(3, max(0, total - 3 * i)) for i in range(8)]
    assert sum(answers) == total
    return [*answers, 0]


PHQ9_MODERATE = moderate_from("phq9")
MADRS_MODERATE = moderate_from("madrs")
PHQ9_LOWEST = int(REGISTRY["ELIG-SEVERITY"].threshold("phq9_pass_at_or_above_points").minimum)
MADRS_LOWEST = int(REGISTRY["ELIG-SEVERITY"].threshold("madrs_pass_at_or_above_points").minimum)
SEVERITY_CASES = [
    # (threshold name, clinic threshold, candidate changes, score shown, moderate named)
    ("phq9_pass_at_or_above_points", PHQ9_LOWEST, {"phq9": phq9_total(PHQ9_LOWEST + 1)},
     f"PHQ-9 {PHQ9_LOWEST + 1}", False),
    ("phq9_pass_at_or_above_points", PHQ9_LOWEST, {"phq9": phq9_total(PHQ9_MODERATE - 1)},
     f"PHQ-9 {PHQ9_MODERATE - 1}", False),
    ("phq9_pass_at_or_above_points", PHQ9_LOWEST, {"phq9": phq9_total(PHQ9_MODERATE)},
     f"PHQ-9 {PHQ9_MODERATE}", True),
    ("phq9_pass_at_or_above_points", PHQ9_MODERATE, {"phq9": phq9_total(PHQ9_MODERATE)},
     f"PHQ-9 {PHQ9_MODERATE}", True),
    ("madrs_pass_at_or_above_points", MADRS_LOWEST,
     {"phq9": None, "madrs_total": MADRS_MODERATE - 1}, f"MADRS {MADRS_MODERATE - 1}", False),
    ("madrs_pass_at_or_above_points", MADRS_LOWEST,
     {"phq9": None, "madrs_total": MADRS_MODERATE}, f"MADRS {MADRS_MODERATE}", True),
]  # fmt: skip


@pytest.mark.parametrize(("name", "threshold", "changes", "shown", "moderate"), SEVERITY_CASES)
def test_a_passing_severity_names_the_threshold_in_use_and_moderate_only_from_its_band(
    name, threshold, changes, shown, moderate
):
    settings = ClinicalSettings.with_overrides({"ELIG-SEVERITY": {name: threshold}})

    rule = result_of("esketamine_nasal", "ELIG-SEVERITY", settings, **changes)

    assert rule.outcome is Outcome.PASS
    shows = " shows at least moderate depression and" if moderate else ""
    assert rule.message == (
        f"{shown}{shows} is at or above the threshold for this treatment ({threshold})."
    )


def test_the_moderate_bands_are_keyed_by_instrument_id_not_by_display_name():
    moderate = core_rules._MODERATE_FROM

    assert set(moderate) <= set(INSTRUMENTS)
    assert moderate == {instrument_id: moderate_from(instrument_id) for instrument_id in moderate}


def test_a_phq9_of_6_over_a_threshold_of_5_is_not_called_moderate():
    # The audit's case: "(PHQ-9 6) shows at least moderate depression" with the cut-off at 5.
    settings = ClinicalSettings.with_overrides(
        {"ELIG-SEVERITY": {"phq9_pass_at_or_above_points": 5}}
    )

    text = message("iv_ketamine", "ELIG-SEVERITY", settings=settings, phq9=phq9_total(6))

    assert text == "PHQ-9 6 is at or above the threshold for this treatment (5)."


PHQ9_PASS = int(S.value("ELIG-SEVERITY", "phq9_pass_at_or_above_points"))
MADRS_PASS = int(S.value("ELIG-SEVERITY", "madrs_pass_at_or_above_points"))
LOWEST = {
    "phq9_pass_at_or_above_points": PHQ9_LOWEST,
    "madrs_pass_at_or_above_points": MADRS_LOWEST,
}
ENOUGH = "one score at or above its threshold is enough."
MET_ONLY_CASES = [
    # (threshold overrides, PHQ-9 total, MADRS total, the whole message)
    # The audit's case: "The depression score (PHQ-9 10 and MADRS 15) shows at least moderate
    # depression" spoke of MADRS 15 too, below its threshold of 20.
    ({}, PHQ9_PASS, MADRS_PASS - 5,
     f"PHQ-9 {PHQ9_PASS} shows at least moderate depression and is at or above the threshold for "
     f"this treatment ({PHQ9_PASS}). MADRS {MADRS_PASS - 5} is below its threshold "
     f"({MADRS_PASS}); {ENOUGH}"),
    ({}, PHQ9_PASS - 2, MADRS_PASS + 5,
     f"MADRS {MADRS_PASS + 5} shows at least moderate depression and is at or above the "
     f"threshold for this treatment ({MADRS_PASS}). PHQ-9 {PHQ9_PASS - 2} is below its "
     f"threshold ({PHQ9_PASS}); {ENOUGH}"),
    ({}, PHQ9_PASS, MADRS_PASS + 5,
     f"PHQ-9 {PHQ9_PASS} and MADRS {MADRS_PASS + 5} show at least moderate depression and are at "
     f"or above the thresholds for this treatment (PHQ-9 {PHQ9_PASS} and MADRS {MADRS_PASS})."),
    # Thresholds lowered below the moderate bands: "moderate" only for the score in its band.
    (LOWEST, PHQ9_MODERATE, MADRS_MODERATE - 1,
     f"PHQ-9 {PHQ9_MODERATE} and MADRS {MADRS_MODERATE - 1} are at or above the thresholds for "
     f"this treatment (PHQ-9 {PHQ9_LOWEST} and MADRS {MADRS_LOWEST}), and PHQ-9 {PHQ9_MODERATE} "
     f"shows at least moderate depression."),
    (LOWEST, PHQ9_MODERATE - 1, MADRS_MODERATE - 1,
     f"PHQ-9 {PHQ9_MODERATE - 1} and MADRS {MADRS_MODERATE - 1} are at or above the thresholds "
     f"for this treatment (PHQ-9 {PHQ9_LOWEST} and MADRS {MADRS_LOWEST})."),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "phq9", "madrs", "expected"), MET_ONLY_CASES)
def test_a_passing_severity_speaks_only_of_the_scores_that_met_their_threshold(
    overrides, phq9, madrs, expected
):
    # The defaults are anchored on the moderate bands (2.2), which the cases above rely on.
    assert (PHQ9_PASS, MADRS_PASS) == (PHQ9_MODERATE, MADRS_MODERATE)
    settings = ClinicalSettings.with_overrides({"ELIG-SEVERITY": overrides})

    rule = result_of(
        "esketamine_nasal", "ELIG-SEVERITY", settings, phq9=phq9_total(phq9), madrs_total=madrs
    )

    assert rule.outcome is Outcome.PASS
    assert rule.message == expected


SEVERITY_GRID = [
    (overrides, phq9, madrs)
    for overrides in ({}, LOWEST)
    for phq9 in (None, PHQ9_LOWEST - 1, PHQ9_PASS - 1, PHQ9_PASS)
    for madrs in (None, MADRS_LOWEST - 1, MADRS_PASS - 1, MADRS_PASS)
]


@pytest.mark.parametrize(("overrides", "phq9", "madrs"), SEVERITY_GRID)
def test_a_severity_message_speaks_of_no_clinic(overrides, phq9, madrs):
    # The CLI screens with no clinic: "this clinic's threshold" would be false there.
    settings = ClinicalSettings.with_overrides({"ELIG-SEVERITY": overrides})
    changes = {"phq9": None if phq9 is None else phq9_total(phq9), "madrs_total": madrs}

    text = message("oral_ketamine", "ELIG-SEVERITY", settings, **changes)

    assert "clinic" not in text.replace("A clinician", "")


def test_a_severity_below_a_raised_threshold_names_the_thresholds_in_use():
    settings = ClinicalSettings.with_overrides(
        {"ELIG-SEVERITY": {"phq9_pass_at_or_above_points": PHQ9_MODERATE + 2}}
    )

    rule = result_of("oral_ketamine", "ELIG-SEVERITY", settings, phq9=phq9_total(PHQ9_MODERATE + 1))

    assert rule.outcome is Outcome.REVIEW
    assert rule.message == (
        f"The depression score (PHQ-9 {PHQ9_MODERATE + 1}) is below the threshold for this "
        f"treatment (PHQ-9 {PHQ9_MODERATE + 2} or MADRS {MADRS_PASS}). A clinician must look at "
        "how you are doing."
    )


def test_an_older_candidate_is_given_the_basis_of_their_own_route():
    esketamine = message("esketamine_nasal", "ELIG-AGE", age=OLDER)
    iv = message("iv_ketamine", "ELIG-AGE", age=OLDER)
    oral = message("oral_ketamine", "ELIG-AGE", age=OLDER)

    assert "esketamine levels in the blood are higher" in esketamine
    assert "rise in blood pressure during an infusion is larger in older people" in iv
    assert "upper age limit" in iv
    assert "thin evidence" in oral and "blood pressure" in oral


def test_a_configured_review_age_is_not_passed_off_as_the_age_studied():
    settings = ClinicalSettings.with_overrides({"ELIG-AGE": {"review_at_or_above_years": 60}})

    text = message("esketamine_nasal", "ELIG-AGE", settings=settings, age=62)

    assert "60 and over" not in text
    assert "At age 62 a clinician must weigh benefits and risks" in text


def test_severe_liver_disease_keeps_the_label_fact_for_esketamine_only():
    conditions = ["severe_hepatic_impairment"]

    esketamine = message("esketamine_nasal", "ELIG-HEPATIC-SEVERE", conditions=conditions)
    iv = message("iv_ketamine", "ELIG-HEPATIC-SEVERE", conditions=conditions)

    assert "esketamine has not been studied in severe liver disease" in esketamine
    assert "safety of ketamine in severe liver disease is not established" in iv


def test_other_diagnoses_on_iv_or_oral_are_not_implied_to_be_on_label_for_depression():
    iv = message("iv_ketamine", "ELIG-DIAGNOSIS", diagnosis="other")
    oral = message("oral_ketamine", "ELIG-DIAGNOSIS", diagnosis="other")

    assert "off-label for any depression" in iv
    assert "off-label" in oral and "major depression" in oral


@pytest.mark.parametrize("route", RACEMIC)
def test_iv_and_oral_messages_name_esketamine_only_where_its_label_is_the_basis(route):
    document = candidate(
        route, age=OLDER, diagnosis="bipolar_depression", conditions=list(CONDITION_CODES)
    )

    result = screen(parse_candidate(document))

    naming = {r.id for r in result.rules if "esketamine" in r.message.lower()}
    assert naming <= ESKETAMINE_LABEL_EXTENDED
    for rule in result.rules:
        if rule.id in ESKETAMINE_LABEL_EXTENDED - {"ELIG-CI-HYPERSENS"}:
            assert "every form of ketamine" in rule.message, rule


@pytest.mark.parametrize("route", ["esketamine_nasal", *RACEMIC])
def test_brand_and_programme_names_keep_their_capitals(route):
    document = candidate(route, conditions=list(CONDITION_CODES), pregnant=True)

    for rule in screen(parse_candidate(document)).rules:
        for word in re.findall(r"(?i)\b(?:spravato|rems)\b", rule.message):
            assert word.isupper(), rule
