"""The condition table of clinical-reference.md section 2 ("Condition codes for screening").

The table below is copied from the reference's text (code, esketamine_nasal, iv_ketamine,
oral_ketamine, rule id), so the data in the catalog is checked against the reference itself, not
against a copy of the same data.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from ketacare.clinical.eligibility import (
    CONDITION_CODES,
    CONDITIONS,
    ROUTES,
    Decision,
    Outcome,
    absolute_exclusions,
    parse_candidate,
    screen,
)
from ketacare.clinical.eligibility.messages import CONDITION_TEXT, CRISIS, condition_message
from ketacare.clinical.rules import REGISTRY, Evidence, Threshold

REFERENCE_TABLE = """
aneurysmal_vascular_disease         | X | X | X | ELIG-CI-ANEURYSM
arteriovenous_malformation          | X | X | X | ELIG-CI-AVM
intracerebral_hemorrhage_history    | X | X | X | ELIG-CI-ICH
ketamine_hypersensitivity           | X | X | X | ELIG-CI-HYPERSENS
raised_intracranial_pressure        | X | X | X | ELIG-ICP
unstable_cardiovascular_disease     | X | X | X | ELIG-CV-UNSTABLE
psychotic_disorder                  | X | X | X | ELIG-PSYCHOSIS
psychotic_features_current          | X | R | R | ELIG-PSYCH-FEAT-NOW
psychotic_features_history          | R | R | R | ELIG-PSYCH-FEAT-PAST
current_mania_or_hypomania          | X | X | X | ELIG-MANIA
substance_use_disorder_active       | R | R | R | ELIG-SUD
ketamine_misuse_history             | R | R | R | ELIG-KET-MISUSE
uncontrolled_hypertension           | R | R | R | ELIG-HTN-UNCONTROLLED
hypertension_controlled             | P | P | P | ELIG-HTN-CONTROLLED
hypertensive_encephalopathy_history | R | R | R | ELIG-HTN-ENCEPH
recent_cardiac_event                | R | R | R | ELIG-CV-RECENT
cerebrovascular_disease             | R | R | R | ELIG-CEREBROVASC
raised_intraocular_pressure         | R | R | R | ELIG-IOP
severe_hepatic_impairment           | X | R | R | ELIG-HEPATIC-SEVERE
moderate_hepatic_impairment         | R | R | R | ELIG-HEPATIC-MOD
interstitial_cystitis               | R | R | R | ELIG-BLADDER
significant_pulmonary_disease       | R | R | R | ELIG-PULM
obstructive_sleep_apnea             | R | R | R | ELIG-OSA
cognitive_impairment                | R | R | R | ELIG-COGNITION
cns_depressant_use                  | R | R | R | ELIG-CNS-DEP
psychostimulant_use                 | R | R | R | ELIG-STIMULANT
maoi_use                            | R | R | R | ELIG-MAOI
active_suicidal_intent              | R | R | R | ELIG-SI-INTENT
"""


LETTERS = {"X": Outcome.EXCLUDE, "R": Outcome.REVIEW, "P": Outcome.PASS}
TABLE_ROUTES = ("esketamine_nasal", "iv_ketamine", "oral_ketamine")


def reference_rows() -> list[tuple[str, dict[str, Outcome], str]]:
    rows = []
    for line in REFERENCE_TABLE.strip().splitlines():
        code, *letters, rule_id = (cell.strip() for cell in line.split("|"))
        rows.append(
            (code, {r: LETTERS[x] for r, x in zip(TABLE_ROUTES, letters, strict=True)}, rule_id)
        )
    return rows


CASES = [
    (code, route, outcomes[route], rule_id)
    for code, outcomes, rule_id in reference_rows()
    for route in TABLE_ROUTES
]


def healthy(route: str, conditions: list[str]) -> dict[str, Any]:
    """A candidate who passes every rule of 2.8 before the condition table."""
    return {
        "route": route,
        "age": 40,
        "diagnosis": "mdd",
        "failed_adequate_trials": 3,
        "phq9": [2, 2, 2, 2, 2, 2, 2, 2, 0],
        "blood_pressure": {"systolic": 120, "diastolic": 80},
        "conditions": conditions,
        "pregnant": False,
        "breastfeeding": False,
    }


def test_the_catalog_table_is_the_reference_table_in_the_same_order() -> None:
    catalog = [
        (row.code, {r: row.outcome(r) for r in TABLE_ROUTES}, row.rule_id) for row in CONDITIONS
    ]
    assert catalog == reference_rows()
    assert ROUTES == TABLE_ROUTES
    assert list(CONDITION_CODES) == [code for code, _, _ in reference_rows()]


@pytest.mark.parametrize(("code", "route", "expected", "rule_id"), CASES)
def test_each_condition_on_each_route_gives_the_table_outcome(
    code: str, route: str, expected: Outcome, rule_id: str
) -> None:
    result = screen(parse_candidate(healthy(route, [code])))

    by_id = {r.id: r for r in result.rules}
    assert by_id[rule_id].outcome is expected
    others = [r for r in result.rules if r.id != rule_id]
    assert all(r.outcome is Outcome.PASS for r in others)
    assert (
        result.decision
        is {
            Outcome.EXCLUDE: Decision.NOT_ELIGIBLE,
            Outcome.REVIEW: Decision.NEEDS_REVIEW,
            Outcome.PASS: Decision.ELIGIBLE,
        }[expected]
    )
    assert (by_id[rule_id] in absolute_exclusions(result)) == (expected is Outcome.EXCLUDE)


def test_psychotic_disorder_is_an_absolute_exclusion_on_every_route() -> None:
    # design.md: "Absolute exclusions (e.g. history of psychosis) cannot be signed as eligible."
    for route in ROUTES:
        result = screen(parse_candidate(healthy(route, ["psychotic_disorder"])))
        assert result.decision is Decision.NOT_ELIGIBLE
        assert [r.id for r in absolute_exclusions(result)] == ["ELIG-PSYCHOSIS"]


def test_current_psychotic_features_exclude_esketamine_but_need_review_for_iv_ketamine() -> None:
    esk = screen(parse_candidate(healthy("esketamine_nasal", ["psychotic_features_current"])))
    iv = screen(parse_candidate(healthy("iv_ketamine", ["psychotic_features_current"])))
    assert esk.decision is Decision.NOT_ELIGIBLE
    assert iv.decision is Decision.NEEDS_REVIEW


def test_severe_hepatic_impairment_excludes_only_esketamine() -> None:
    decisions = {
        route: screen(parse_candidate(healthy(route, ["severe_hepatic_impairment"]))).decision
        for route in ROUTES
    }
    assert decisions == {
        "esketamine_nasal": Decision.NOT_ELIGIBLE,
        "iv_ketamine": Decision.NEEDS_REVIEW,
        "oral_ketamine": Decision.NEEDS_REVIEW,
    }


def test_controlled_hypertension_passes_with_an_informational_message() -> None:
    result = screen(parse_candidate(healthy("oral_ketamine", ["hypertension_controlled"])))
    rule = next(r for r in result.rules if r.id == "ELIG-HTN-CONTROLLED")
    assert result.decision is Decision.ELIGIBLE
    assert rule.message.startswith("Reported:")


def test_absent_conditions_are_listed_as_passing_not_reported() -> None:
    result = screen(parse_candidate(healthy("iv_ketamine", [])))
    conditions = result.rules[8:]
    assert [r.id for r in conditions] == [row.rule_id for row in CONDITIONS]
    assert all(
        r.outcome is Outcome.PASS and r.message.startswith("Not reported:") for r in conditions
    )


def test_suicidal_intent_needs_an_urgent_review_but_does_not_exclude() -> None:
    result = screen(parse_candidate(healthy("esketamine_nasal", ["active_suicidal_intent"])))
    rule = next(r for r in result.rules if r.id == "ELIG-SI-INTENT")
    assert rule.urgent and rule.message.startswith("If you are thinking") and "988" in rule.message
    assert result.decision is Decision.NEEDS_REVIEW


def test_several_conditions_give_the_strongest_decision_and_keep_table_order() -> None:
    result = screen(
        parse_candidate(healthy("iv_ketamine", ["maoi_use", "arteriovenous_malformation"]))
    )
    assert result.decision is Decision.NOT_ELIGIBLE
    flagged = [r.id for r in result.rules if r.outcome is not Outcome.PASS]
    assert flagged == ["ELIG-CI-AVM", "ELIG-MAOI"]


def test_review_and_exclude_messages_point_to_a_clinician() -> None:
    for route in ROUTES:
        result = screen(parse_candidate(healthy(route, list(CONDITION_CODES))))
        for r in result.rules:
            if r.outcome is not Outcome.PASS:
                assert "clinician" in r.message, r


def test_condition_rules_in_the_registry_match_the_table() -> None:
    for row in CONDITIONS:
        rule = REGISTRY[row.rule_id]
        assert rule.absolute == row.can_exclude
        assert rule.section.startswith("2")
        assert isinstance(rule.evidence, Evidence)
    assert {row.code for row in CONDITIONS} == set(CONDITION_TEXT)
    eligibility_rules = [rule_id for rule_id in REGISTRY if rule_id.startswith("ELIG-")]
    assert len(eligibility_rules) == 8 + len(CONDITIONS)


@pytest.mark.parametrize(
    ("rule_id", "evidence"),
    [
        ("ELIG-CI-ANEURYSM", Evidence.VERIFIED),
        ("ELIG-PSYCHOSIS", Evidence.DESIGN_DEFAULT),
        ("ELIG-PSYCH-FEAT-PAST", Evidence.DESIGN_DEFAULT),
        ("ELIG-CV-RECENT", Evidence.VERIFIED),
        ("ELIG-BP", Evidence.VERIFIED),
        ("ELIG-AGE", Evidence.DESIGN_DEFAULT),
    ],
)
def test_evidence_grades_follow_the_reference_tags(rule_id: str, evidence: Evidence) -> None:
    assert REGISTRY[rule_id].evidence is evidence


# --- numbers in condition messages: fixed thresholds of the code's definition -------------

LOOK_BACKS = [
    ("substance_use_disorder_active", "ELIG-SUD"),
    ("recent_cardiac_event", "ELIG-CV-RECENT"),
]


@pytest.mark.parametrize(("code", "rule_id"), LOOK_BACKS)
def test_a_conditions_look_back_is_a_fixed_threshold_its_messages_and_summary_name(
    code: str, rule_id: str
) -> None:
    window = REGISTRY[rule_id].threshold("within_months")
    months = f"{window.default:g} months"

    assert not window.configurable
    assert months in REGISTRY[rule_id].summary
    for route in ROUTES:
        result = screen(parse_candidate(healthy(route, [code])))
        by_id = {r.id: r for r in result.rules}
        assert f"in the last {months}" in by_id[rule_id].message


@pytest.mark.parametrize(("code", "rule_id"), LOOK_BACKS)
def test_a_conditions_messages_state_its_fixed_look_back_and_no_other_number(
    code: str, rule_id: str
) -> None:
    (row,) = [row for row in CONDITIONS if row.code == code]
    months = f"{REGISTRY[rule_id].threshold('within_months').default:g}"

    for route in ROUTES:
        for present in (True, False):
            text = condition_message(row, route, present=present)
            assert re.findall(r"\d+(?:\.\d+)?", text.replace(CRISIS, "")) == [months], text
            assert row.fill(CONDITION_TEXT[code][0]) in text


@pytest.mark.parametrize(("code", "rule_id"), LOOK_BACKS)
def test_a_conditions_numbers_come_from_its_row_alone_in_messages_and_summary(
    code: str, rule_id: str
) -> None:
    # One source: the row's fixed thresholds, filled by ConditionRule.fill for the registry
    # summary and every message alike. Another fixed look-back shows in both, the old in neither.
    (row,) = [row for row in CONDITIONS if row.code == code]
    default = REGISTRY[rule_id].threshold("within_months").default
    other = default // 2
    moved = dataclasses.replace(
        row, thresholds=(Threshold("within_months", other, other, other, configurable=False),)
    )

    texts = [moved.description]
    texts += [condition_message(moved, r, present=p) for r in ROUTES for p in (True, False)]
    for text in texts:
        assert f"{other:g} months" in text, text
        assert f"{default:g}" not in text, text


def test_a_condition_refuses_a_threshold_a_clinic_could_move() -> None:
    # Its numbers are filled in once, for every clinic, from the fixed value.
    (row,) = [row for row in CONDITIONS if row.code == LOOK_BACKS[0][0]]
    window = REGISTRY[row.rule_id].threshold("within_months")
    movable = Threshold("within_months", window.default, window.default - 1, window.default + 1)

    with pytest.raises(ValueError, match="must be fixed"):
        dataclasses.replace(row, thresholds=(movable,))
    assert all(not t.configurable for row in CONDITIONS for t in row.thresholds)


def test_no_condition_message_states_a_number_that_is_not_a_threshold_of_its_rule() -> None:
    for route in ROUTES:
        result = screen(parse_candidate(healthy(route, list(CONDITION_CODES))))
        absent = screen(parse_candidate(healthy(route, [])))
        for r in (*result.rules[8:], *absent.rules[8:]):
            numbers = re.findall(r"\d+(?:\.\d+)?", r.message.replace(CRISIS, ""))
            thresholds = {f"{v:g}" for v in REGISTRY[r.id].defaults.values()}
            assert set(numbers) <= thresholds, r
