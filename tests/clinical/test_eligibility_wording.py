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

from ketacare.clinical.eligibility import parse_candidate, screen
from ketacare.clinical.eligibility.candidate import CONDITION_CODES
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

S = DEFAULT_SETTINGS
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


def message(route: str, rule_id: str, settings: ClinicalSettings = S, **changes: Any) -> str:
    result = screen(parse_candidate(candidate(route, **changes)), settings=settings)
    (rule,) = [r for r in result.rules if r.id == rule_id]
    return rule.message


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


def test_a_minor_is_told_esketamine_is_not_approved_only_for_esketamine():
    assert "esketamine is not approved for children" in message(
        "esketamine_nasal", "ELIG-AGE", age=MINOR
    )
    assert "enrolled adults only" in message("iv_ketamine", "ELIG-AGE", age=MINOR)
    assert "adults only" in message("oral_ketamine", "ELIG-AGE", age=MINOR)


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
