"""`screen_chart`: the screen of a chart whose working diagnosis may not be recorded yet."""

from __future__ import annotations

import pytest

from ketacare.clinical.eligibility import (
    DIAGNOSES,
    DIAGNOSIS_NOT_RECORDED,
    Decision,
    Outcome,
    parse_candidate,
    screen,
    screen_chart,
)
from ketacare.clinical.errors import ClinicalInputError
from tests.contract_examples import SCREEN_INPUT, changed


def test_a_chart_with_a_diagnosis_is_screened_exactly_as_the_contract_screen():
    assert screen_chart(SCREEN_INPUT) == screen(parse_candidate(SCREEN_INPUT))


def test_no_recorded_diagnosis_is_a_review_of_elig_diagnosis_never_a_guess():
    result = screen_chart(changed(SCREEN_INPUT, diagnosis=None))

    diagnosis = next(r for r in result.rules if r.id == "ELIG-DIAGNOSIS")
    assert diagnosis.outcome is Outcome.REVIEW
    assert diagnosis.message == DIAGNOSIS_NOT_RECORDED
    assert diagnosis.source.startswith("clinical-reference.md 2.8")
    assert result.decision is Decision.NEEDS_REVIEW


@pytest.mark.parametrize("diagnosis", DIAGNOSES)
def test_every_other_rule_is_the_same_whatever_the_diagnosis(diagnosis):
    document = changed(SCREEN_INPUT, conditions=["maoi_use", "interstitial_cystitis"])
    unrecorded = screen_chart(changed(document, diagnosis=None))
    recorded = screen(parse_candidate(changed(document, diagnosis=diagnosis)))

    assert [r.id for r in unrecorded.rules] == [r.id for r in recorded.rules]
    for mine, theirs in zip(unrecorded.rules, recorded.rules, strict=True):
        if mine.id != "ELIG-DIAGNOSIS":
            assert mine == theirs


def test_an_exclusion_still_decides_not_eligible_without_a_diagnosis():
    result = screen_chart(changed(SCREEN_INPUT, diagnosis=None, pregnant=True))
    assert result.decision is Decision.NOT_ELIGIBLE


def test_a_missing_diagnosis_key_is_still_an_input_error():
    document = {k: v for k, v in SCREEN_INPUT.items() if k != "diagnosis"}
    with pytest.raises(ClinicalInputError) as error:
        screen_chart(document)
    assert error.value.field == "diagnosis"


def test_bad_input_elsewhere_names_its_field_without_a_diagnosis():
    with pytest.raises(ClinicalInputError) as error:
        screen_chart(changed(SCREEN_INPUT, diagnosis=None, conditions=["nope"]))
    assert error.value.field == "conditions.0"
