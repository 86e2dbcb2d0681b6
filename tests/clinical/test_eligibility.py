"""Eligibility screen: the eight rules of 2.8 before the condition table, the decision rule,
input parsing and clinic settings (clinical-reference.md 2.1-2.8; `ketacare screen`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ketacare.clinical.eligibility import (
    CONDITIONS,
    BloodPressure,
    Candidate,
    Decision,
    Outcome,
    RuleResult,
    absolute_exclusions,
    decide,
    is_absolute_exclusion,
    parse_candidate,
    screen,
)
from ketacare.clinical.eligibility import candidate as candidate_module
from ketacare.clinical.eligibility.candidate import PARSE_LIMITS
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import score
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings
from tests.clinical.boundary_helpers import whole
from tests.contract_examples import SCREEN_INPUT as CONTRACT_EXAMPLE
from tests.contract_examples import changed

CORE_ORDER = [
    "ELIG-AGE",
    "ELIG-DIAGNOSIS",
    "ELIG-TRD",
    "ELIG-SEVERITY",
    "ELIG-SUICIDALITY",
    "ELIG-BP",
    "ELIG-PREGNANCY",
    "ELIG-BREASTFEEDING",
]


def candidate(**changes: Any) -> dict[str, Any]:
    return changed(CONTRACT_EXAMPLE, **changes)


def phq9_with_total(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers summing to `total`, with item 9 answered `item9`."""
    answers = []
    left = total - item9
    for _ in range(8):
        answers.append(min(3, left))
        left -= answers[-1]
    assert left == 0
    return [*answers, item9]


def outcome_of(
    document: dict[str, Any], rule_id: str, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> Outcome:
    result = screen(parse_candidate(document, settings=settings), settings=settings)
    return next(r.outcome for r in result.rules if r.id == rule_id)


# --- the contract's own example ------------------------------------------------------------


def test_contract_example_is_eligible_with_every_rule_in_the_order_of_the_reference() -> None:
    result = screen(parse_candidate(CONTRACT_EXAMPLE))

    assert result.route == "esketamine_nasal"
    assert result.decision is Decision.ELIGIBLE
    assert [r.id for r in result.rules] == CORE_ORDER + [row.rule_id for row in CONDITIONS]
    assert all(r.outcome is Outcome.PASS for r in result.rules)
    assert not result.urgent


def test_contract_example_document_has_exactly_the_contract_keys() -> None:
    document = screen(parse_candidate(CONTRACT_EXAMPLE)).as_document()

    assert set(document) == {"route", "decision", "rules"}
    assert document["decision"] == "eligible"
    for rule in document["rules"]:
        assert set(rule) == {"id", "outcome", "message", "source"}
        assert rule["message"] and rule["source"].startswith("clinical-reference.md ")


def test_every_rule_of_the_screen_is_in_the_registry_with_its_source() -> None:
    result = screen(parse_candidate(CONTRACT_EXAMPLE))

    for r in result.rules:
        rule = REGISTRY[r.id]
        assert rule.source in r.source and rule.section in r.source


# --- thresholds, at the value and either side (numbers from the registry) ------------------

AGE_MIN = whole("ELIG-AGE", "exclude_below_years")
AGE_REVIEW = whole("ELIG-AGE", "review_at_or_above_years")
TRIALS = whole("ELIG-TRD", "pass_at_or_above_trials")
PHQ9 = whole("ELIG-SEVERITY", "phq9_pass_at_or_above_points")
MADRS = whole("ELIG-SEVERITY", "madrs_pass_at_or_above_points")
ITEM9 = whole("ELIG-SUICIDALITY", "phq9_item9_above_points")
SBP = whole("ELIG-BP", "systolic_above_mmhg")
DBP = whole("ELIG-BP", "diastolic_above_mmhg")

P, R, X = Outcome.PASS, Outcome.REVIEW, Outcome.EXCLUDE

BOUNDARIES: list[tuple[str, dict[str, Any], Outcome]] = [
    ("ELIG-AGE", {"age": AGE_MIN - 1}, X),
    ("ELIG-AGE", {"age": AGE_MIN}, P),
    ("ELIG-AGE", {"age": AGE_MIN + 1}, P),
    ("ELIG-AGE", {"age": AGE_REVIEW - 1}, P),
    ("ELIG-AGE", {"age": AGE_REVIEW}, R),
    ("ELIG-AGE", {"age": AGE_REVIEW + 1}, R),
    ("ELIG-TRD", {"failed_adequate_trials": TRIALS - 1}, R),
    ("ELIG-TRD", {"failed_adequate_trials": TRIALS}, P),
    ("ELIG-TRD", {"failed_adequate_trials": TRIALS + 1}, P),
    ("ELIG-SEVERITY", {"phq9": phq9_with_total(PHQ9 - 1)}, R),
    ("ELIG-SEVERITY", {"phq9": phq9_with_total(PHQ9)}, P),
    ("ELIG-SEVERITY", {"phq9": phq9_with_total(PHQ9 + 1)}, P),
    ("ELIG-SEVERITY", {"phq9": None, "madrs_total": MADRS - 1}, R),
    ("ELIG-SEVERITY", {"phq9": None, "madrs_total": MADRS}, P),
    ("ELIG-SEVERITY", {"phq9": None, "madrs_total": MADRS + 1}, P),
    ("ELIG-SUICIDALITY", {"phq9": phq9_with_total(12, item9=ITEM9)}, P),
    ("ELIG-SUICIDALITY", {"phq9": phq9_with_total(12, item9=ITEM9 + 1)}, R),
    ("ELIG-BP", {"blood_pressure": {"systolic": SBP - 1, "diastolic": 80}}, P),
    ("ELIG-BP", {"blood_pressure": {"systolic": SBP, "diastolic": 80}}, P),
    ("ELIG-BP", {"blood_pressure": {"systolic": SBP + 1, "diastolic": 80}}, R),
    ("ELIG-BP", {"blood_pressure": {"systolic": 120, "diastolic": DBP - 1}}, P),
    ("ELIG-BP", {"blood_pressure": {"systolic": 120, "diastolic": DBP}}, P),
    ("ELIG-BP", {"blood_pressure": {"systolic": 120, "diastolic": DBP + 1}}, R),
]


@pytest.mark.parametrize(("rule_id", "changes", "expected"), BOUNDARIES)
def test_threshold_boundaries_give_the_reference_outcome(
    rule_id: str, changes: dict[str, Any], expected: Outcome
) -> None:
    assert outcome_of(candidate(**changes), rule_id) is expected


def test_the_reference_numbers_are_the_registry_defaults() -> None:
    # 2.7, 2.1, 2.2, 2.8: written out once so a changed default is noticed.
    assert (AGE_MIN, AGE_REVIEW, TRIALS, PHQ9, MADRS, ITEM9, SBP, DBP) == (
        18, 65, 2, 10, 20, 0, 140, 90,
    )  # fmt: skip


# --- each rule's branches ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diagnosis", "expected"), [("mdd", P), ("bipolar_depression", R), ("other", R)]
)
def test_diagnosis_rule_follows_the_reference(diagnosis: str, expected: Outcome) -> None:
    assert outcome_of(candidate(diagnosis=diagnosis), "ELIG-DIAGNOSIS") is expected


def test_unknown_number_of_failed_trials_needs_review() -> None:
    assert outcome_of(candidate(failed_adequate_trials=None), "ELIG-TRD") is R


def test_no_failed_trials_needs_review_and_mentions_the_other_esketamine_use() -> None:
    result = screen(parse_candidate(candidate(failed_adequate_trials=0)))
    trd = result.rules[2]
    assert trd.outcome is R and "Another approved use of esketamine" in trd.message


def test_severity_without_any_score_needs_review() -> None:
    assert outcome_of(candidate(phq9=None, madrs_total=None), "ELIG-SEVERITY") is R


def test_severity_passes_when_either_score_reaches_its_threshold() -> None:
    document = candidate(phq9=phq9_with_total(PHQ9 - 1), madrs_total=MADRS)
    assert outcome_of(document, "ELIG-SEVERITY") is P


def test_severity_uses_the_phq9_total_of_the_instrument_scorer() -> None:
    answers = [3, 0, 1, 0, 2, 0, 1, 0, 0]
    assert score("phq9", answers, path="phq9").total == 7
    assert outcome_of(candidate(phq9=answers), "ELIG-SEVERITY") is R


def test_item9_above_zero_is_an_urgent_review_with_crisis_resources_first() -> None:
    result = screen(parse_candidate(candidate(phq9=[2, 2, 2, 2, 1, 1, 2, 1, 1])))

    rule = next(r for r in result.rules if r.id == "ELIG-SUICIDALITY")
    assert rule.outcome is R and rule.urgent
    assert rule.message.startswith("If you are thinking about hurting yourself")
    assert "988" in rule.message
    assert result.urgent and result.decision is Decision.NEEDS_REVIEW


@pytest.mark.parametrize("item9", [0, 1, 2, 3])
def test_suicidality_rule_agrees_with_the_instruments_suicidal_ideation_flag(item9: int) -> None:
    answers = phq9_with_total(10, item9=item9)
    flagged = "suicidal_ideation" in score("phq9", answers, path="phq9").flags
    assert (outcome_of(candidate(phq9=answers), "ELIG-SUICIDALITY") is R) == flagged


def test_missing_phq9_answers_do_not_trigger_the_suicidality_rule_but_say_so() -> None:
    result = screen(parse_candidate(candidate(phq9=None, madrs_total=30)))
    rule = next(r for r in result.rules if r.id == "ELIG-SUICIDALITY")
    assert rule.outcome is P and not rule.urgent and "not asked" in rule.message


def test_absent_blood_pressure_passes() -> None:
    document = candidate()
    del document["blood_pressure"]
    assert outcome_of(document, "ELIG-BP") is P


def test_pregnant_candidate_is_excluded_on_every_route_as_an_absolute_exclusion() -> None:
    for route in ("esketamine_nasal", "iv_ketamine", "oral_ketamine"):
        result = screen(parse_candidate(candidate(route=route, pregnant=True)))
        assert result.decision is Decision.NOT_ELIGIBLE
        assert [r.id for r in absolute_exclusions(result)] == ["ELIG-PREGNANCY"]


def test_breastfeeding_candidate_needs_review() -> None:
    assert outcome_of(candidate(breastfeeding=True), "ELIG-BREASTFEEDING") is R


def test_under_age_candidate_is_an_absolute_exclusion() -> None:
    result = screen(parse_candidate(candidate(age=AGE_MIN - 1, route="iv_ketamine")))
    assert result.decision is Decision.NOT_ELIGIBLE
    assert [r.id for r in absolute_exclusions(result)] == ["ELIG-AGE"]


# --- the decision rule and absolute flags --------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], Decision.ELIGIBLE),
        ([P, P], Decision.ELIGIBLE),
        ([P, R], Decision.NEEDS_REVIEW),
        ([R, X, P], Decision.NOT_ELIGIBLE),
        ([X], Decision.NOT_ELIGIBLE),
    ],
)
def test_decision_is_not_eligible_on_any_exclude_else_needs_review_on_any_review(
    outcomes: list[Outcome], expected: Decision
) -> None:
    assert decide(outcomes) is expected


def test_review_and_pass_results_are_never_absolute_exclusions() -> None:
    assert not is_absolute_exclusion(RuleResult("ELIG-AGE", R, "m", "s"))
    assert not is_absolute_exclusion(RuleResult("ELIG-PREGNANCY", P, "m", "s"))
    assert is_absolute_exclusion(RuleResult("ELIG-PREGNANCY", X, "m", "s"))


def test_only_rules_that_can_exclude_are_marked_absolute() -> None:
    absolute = {
        rule_id
        for rule_id, rule in REGISTRY.items()
        if rule.absolute and rule_id.startswith("ELIG-")
    }
    expected = {"ELIG-AGE", "ELIG-PREGNANCY"} | {
        row.rule_id for row in CONDITIONS if row.can_exclude
    }
    assert absolute == expected


# --- a clinic's settings -------------------------------------------------------------------


def test_a_clinic_override_of_the_blood_pressure_threshold_is_honoured() -> None:
    settings = ClinicalSettings.with_overrides({"ELIG-BP": {"systolic_above_mmhg": 150}})
    document = candidate(blood_pressure={"systolic": 145, "diastolic": 80})
    assert outcome_of(document, "ELIG-BP") is R
    assert outcome_of(document, "ELIG-BP", settings) is P


def test_a_clinic_may_raise_the_minimum_age() -> None:
    settings = ClinicalSettings.with_overrides({"ELIG-AGE": {"exclude_below_years": 21}})
    assert outcome_of(candidate(age=20), "ELIG-AGE", settings) is X


@pytest.mark.parametrize(
    ("rule_id", "name", "value"),
    [
        ("ELIG-AGE", "exclude_below_years", 16),
        ("ELIG-TRD", "pass_at_or_above_trials", 1),
        ("ELIG-SEVERITY", "phq9_pass_at_or_above_points", 28),
        ("ELIG-SUICIDALITY", "phq9_item9_above_points", 1),
        ("ELIG-BP", "systolic_maximum_plausible_mmhg", 400),
    ],
)
def test_an_override_outside_the_sane_range_is_refused_naming_the_rule(
    rule_id: str, name: str, value: int
) -> None:
    with pytest.raises(ClinicalInputError) as error:
        ClinicalSettings.with_overrides({rule_id: {name: value}})
    assert error.value.field == f"settings.{rule_id}.{name}"
    assert rule_id in error.value.message


# --- input parsing -------------------------------------------------------------------------


def test_parsed_candidate_keeps_every_value() -> None:
    parsed = parse_candidate(candidate(madrs_total=25))
    assert parsed == Candidate(
        route="esketamine_nasal",
        age_years=42,
        diagnosis="mdd",
        failed_adequate_trials=2,
        conditions=("hypertension_controlled",),
        pregnant=False,
        breastfeeding=False,
        phq9=(2, 2, 2, 2, 1, 1, 2, 1, 0),
        madrs_total=25,
        blood_pressure=parsed.blood_pressure,
    )
    assert parsed.blood_pressure is not None
    assert (parsed.blood_pressure.systolic_mmhg, parsed.blood_pressure.diastolic_mmhg) == (132, 84)


def test_optional_keys_may_be_absent() -> None:
    document = candidate()
    for key in ("phq9", "madrs_total", "blood_pressure"):
        del document[key]
    parsed = parse_candidate(document)
    assert (parsed.phq9, parsed.madrs_total, parsed.blood_pressure) == (None, None, None)


BAD_INPUTS: list[tuple[object, str]] = [
    ([], "input"),
    (candidate(route="intramuscular"), "route"),
    (candidate(age=131), "age"),
    (candidate(age=-1), "age"),
    (candidate(age="42"), "age"),
    (candidate(age=True), "age"),
    (candidate(diagnosis="ptsd"), "diagnosis"),
    (candidate(failed_adequate_trials=-1), "failed_adequate_trials"),
    (candidate(failed_adequate_trials=51), "failed_adequate_trials"),
    (candidate(phq9=[1, 1, 1]), "phq9"),
    (candidate(phq9=[1, 1, 1, 1, 4, 1, 1, 1, 1]), "phq9.4"),
    (candidate(phq9="2,2"), "phq9"),
    (candidate(madrs_total=61), "madrs_total"),
    (candidate(blood_pressure={"systolic": 301, "diastolic": 80}), "blood_pressure.systolic"),
    (candidate(blood_pressure={"systolic": 49, "diastolic": 30}), "blood_pressure.systolic"),
    (candidate(blood_pressure={"systolic": 120, "diastolic": 19}), "blood_pressure.diastolic"),
    (candidate(blood_pressure={"systolic": 120, "diastolic": 120}), "blood_pressure.diastolic"),
    (candidate(blood_pressure={"systolic": 120}), "blood_pressure.diastolic"),
    (candidate(blood_pressure={"systolic": 120, "diastolic": 80, "pulse": 70}),
     "blood_pressure.pulse"),
    (candidate(blood_pressure=[120, 80]), "blood_pressure"),
    (candidate(conditions=["hypertension_controlled", "gout"]), "conditions.1"),
    (candidate(conditions=["maoi_use", "maoi_use"]), "conditions.1"),
    (candidate(conditions=[3]), "conditions.0"),
    (candidate(conditions="maoi_use"), "conditions"),
    (candidate(conditions=None), "conditions"),
    (candidate(pregnant=None), "pregnant"),
    (candidate(breastfeeding="no"), "breastfeeding"),
    (candidate(pregant=False), "pregant"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "field"), BAD_INPUTS)
def test_bad_input_raises_an_error_naming_the_field(document: object, field: str) -> None:
    with pytest.raises(ClinicalInputError) as error:
        parse_candidate(document)
    assert error.value.field == field
    assert field in error.value.message


@pytest.mark.parametrize(
    "key", ["route", "age", "diagnosis", "failed_adequate_trials", "conditions", "pregnant",
            "breastfeeding"],
)  # fmt: skip
def test_a_missing_required_key_is_an_error_naming_it(key: str) -> None:
    document = candidate()
    del document[key]
    with pytest.raises(ClinicalInputError) as error:
        parse_candidate(document)
    assert error.value.field == key


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"route": "intramuscular"}, "route"),
        ({"diagnosis": "ptsd"}, "diagnosis"),
        ({"conditions": ("gout",)}, "conditions.0"),
    ],
)
def test_a_candidate_built_in_code_with_an_unknown_identifier_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    built = dataclasses.replace(parse_candidate(CONTRACT_EXAMPLE), **changes)
    with pytest.raises(ClinicalInputError) as error:
        screen(built)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pregnant": "no"}, "pregnant"),
        ({"breastfeeding": 0}, "breastfeeding"),
        ({"age_years": "40"}, "age"),
        ({"age_years": 40.0}, "age"),
        ({"age_years": True}, "age"),
        ({"age_years": 17.5}, "age"),
        ({"failed_adequate_trials": "2"}, "failed_adequate_trials"),
        ({"madrs_total": 25.0}, "madrs_total"),
        ({"phq9": (2, 2, 2, 2, 1, 1, 2, 1, True)}, "phq9.8"),
        ({"phq9": "222211210"}, "phq9"),
        ({"blood_pressure": BloodPressure(systolic_mmhg="132", diastolic_mmhg=84)},
         "blood_pressure.systolic"),
        ({"blood_pressure": {"systolic": 132, "diastolic": 84}}, "blood_pressure"),
        ({"conditions": "maoi_use"}, "conditions"),
        ({"conditions": ("maoi_use", "maoi_use")}, "conditions.1"),
    ],
)  # fmt: skip
def test_a_candidate_built_in_code_with_a_wrong_type_is_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    built = dataclasses.replace(parse_candidate(CONTRACT_EXAMPLE), **changes)
    with pytest.raises(ClinicalInputError) as error:
        screen(built)
    assert error.value.field == field


def test_a_truthy_string_for_pregnant_is_never_screened_as_pregnant_or_not() -> None:
    built = dataclasses.replace(parse_candidate(CONTRACT_EXAMPLE), pregnant="no")
    with pytest.raises(ClinicalInputError, match="pregnant must be true or false"):
        screen(built)


def test_a_candidate_built_in_code_with_lists_screens_like_the_parsed_one() -> None:
    parsed = parse_candidate(CONTRACT_EXAMPLE)
    built = dataclasses.replace(parsed, conditions=list(parsed.conditions))
    assert screen(built) == screen(parsed)


def test_screen_refuses_what_is_not_a_candidate() -> None:
    with pytest.raises(ClinicalInputError) as error:
        screen(CONTRACT_EXAMPLE)  # type: ignore[arg-type]
    assert error.value.field == "input"


def test_only_parse_candidate_marks_a_candidate_as_read_strictly() -> None:
    """screen() skips the re-check only for what parse_candidate built; a copy changed with
    dataclasses.replace (or built by hand) is read again."""
    parsed = parse_candidate(CONTRACT_EXAMPLE)
    assert parsed.parsed
    copy = dataclasses.replace(parsed)
    assert not copy.parsed and copy == parsed  # the mark takes no part in equality
    assert screen(copy) == screen(parsed)


def test_screen_does_not_parse_a_parsed_candidate_again_but_does_a_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # check_candidate looks parse_candidate up in its own module when it runs, so the wrapper is
    # put there (screening.py imports check_candidate, not parse_candidate).
    parsed = parse_candidate(CONTRACT_EXAMPLE)
    copy = dataclasses.replace(parsed)
    calls: list[object] = []

    def counting(document: object, **kwargs: Any) -> Candidate:
        calls.append(document)
        return parse_candidate(document, **kwargs)

    monkeypatch.setattr(candidate_module, "parse_candidate", counting)

    screen(parsed)
    assert len(calls) == 0
    screen(copy)
    assert len(calls) == 1


def test_a_subclass_claiming_to_be_a_candidate_is_still_read_strictly() -> None:
    # A __class__ property can answer `Candidate`; type() cannot be told otherwise.
    class Spoof(Candidate):
        @property
        def __class__(self) -> type:
            return Candidate

    fields = {
        f.name: getattr(parse_candidate(CONTRACT_EXAMPLE), f.name)
        for f in dataclasses.fields(Candidate)
        if f.init
    }
    spoof = Spoof(**{**fields, "pregnant": "no"})
    object.__setattr__(spoof, "parsed", True)
    assert spoof.__class__ is Candidate

    with pytest.raises(ClinicalInputError, match="pregnant must be true or false"):
        screen(spoof)


class _RecordingSettings(ClinicalSettings):
    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "read", set())

    def value(self, rule_id: str, name: str) -> Any:
        self.read.add((rule_id, name))
        return super().value(rule_id, name)


def test_parse_candidate_reads_only_fixed_limits_so_a_parsed_candidate_fits_any_clinic() -> None:
    settings = _RecordingSettings()
    parse_candidate(CONTRACT_EXAMPLE, settings=settings)
    assert settings.read and settings.read <= set(PARSE_LIMITS)
    assert not any(REGISTRY[rule].threshold(name).configurable for rule, name in PARSE_LIMITS)
