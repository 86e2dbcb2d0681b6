"""ELIG-TRD's count from the trial ledger and the conditions implied by medication classes."""

import pytest

from ketacare.clinical.eligibility.candidate import CONDITION_CODES
from ketacare.clinical.eligibility.chart import (
    MEDICATION_CLASS_CONDITIONS,
    TrialRecord,
    conditions_from_medications,
    failed_adequate_trials,
)


def trial(adequate=True, outcome="nonresponse", current_episode=True):
    return TrialRecord(adequate=adequate, outcome=outcome, current_episode=current_episode)


def test_an_empty_ledger_is_unknown_not_zero():
    assert failed_adequate_trials([]) is None


def test_only_adequate_current_episode_nonresponses_count():
    ledger = [
        trial(),
        trial(),
        trial(adequate=False),
        trial(current_episode=False),
        trial(outcome="partial_response"),
        trial(outcome="response"),
    ]
    assert failed_adequate_trials(ledger) == 2


def test_a_trial_stopped_for_intolerance_never_counts_even_if_marked_adequate():
    assert failed_adequate_trials([trial(outcome="intolerance")]) == 0


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="outcome"):
        failed_adequate_trials([trial(outcome="meh")])


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ((), ()),
        (("antidepressant", "other"), ()),
        (("benzodiazepine",), ("cns_depressant_use",)),
        (("opioid", "other_sedative", "benzodiazepine"), ("cns_depressant_use",)),
        (("stimulant", "maoi"), ("maoi_use", "psychostimulant_use")),
    ],
)
def test_medication_classes_imply_their_condition_codes(classes, expected):
    assert conditions_from_medications(classes) == expected


def test_every_implied_code_is_a_screening_condition_code():
    assert set(MEDICATION_CLASS_CONDITIONS.values()) <= set(CONDITION_CODES)
