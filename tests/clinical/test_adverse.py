"""Side effects at the chair: terms, CTCAE grades, the prescriber notification (SAFE-AE-GRADE),
the REMS form deadline (SAFE-REMS-FORM) and the sedation banner (SAFE-CNS-DEP)."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.adverse import (
    GRADES,
    OTHER,
    TERMS,
    check_grade,
    check_term,
    notification_message,
    notifies_prescriber,
    rems_form_due,
    sedation_banner,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.rules import ClinicalSettings


def test_the_terms_hold_the_label_list_of_reference_4_1() -> None:
    label = [
        "dissociation",
        "dizziness",
        "nausea",
        "sedation",
        "vertigo",
        "hypoesthesia",
        "anxiety",
        "lethargy",
        "blood_pressure_increased",
        "vomiting",
        "feeling_drunk",
    ]
    assert list(TERMS)[: len(label)] == label
    assert list(TERMS)[-1] == OTHER


def test_a_known_term_is_kept() -> None:
    assert check_term("nausea") == "nausea"


@pytest.mark.parametrize("term", ["", "Nausea", "fever", None, 3])
def test_an_unknown_term_names_the_field(term: object) -> None:
    with pytest.raises(ClinicalInputError) as raised:
        check_term(term)
    assert raised.value.field == "term"


@pytest.mark.parametrize("words", ["", "   ", None])
def test_other_needs_words(words: object) -> None:
    with pytest.raises(ClinicalInputError) as raised:
        check_term(OTHER, words)
    assert raised.value.field == "other_term"
    assert check_term(OTHER, "hiccups") == OTHER


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_every_ctcae_grade_is_accepted(grade: int) -> None:
    assert check_grade(grade) == grade
    assert grade in GRADES


@pytest.mark.parametrize("grade", [0, 6, -1, True, 2.0, "3", None])
def test_a_grade_outside_one_to_five_is_refused(grade: object) -> None:
    with pytest.raises(ClinicalInputError) as raised:
        check_grade(grade)
    assert raised.value.field == "grade"


@pytest.mark.parametrize(
    ("grade", "serious", "notified"),
    [(1, False, False), (2, False, False), (3, False, True), (5, False, True), (1, True, True)],
)
def test_the_prescriber_is_notified_from_grade_3_or_when_serious(
    grade: int, serious: bool, notified: bool
) -> None:
    assert notifies_prescriber(grade, serious) is notified


def test_a_clinic_may_notify_from_grade_2() -> None:
    earlier = ClinicalSettings.with_overrides(
        {"SAFE-AE-GRADE": {"notify_prescriber_grade_at_least": 2}}
    )
    assert notifies_prescriber(2, False, earlier)
    assert not notifies_prescriber(1, False, earlier)


def test_a_clinic_may_not_notify_later_than_severe() -> None:
    with pytest.raises(ClinicalInputError):
        ClinicalSettings.with_overrides({"SAFE-AE-GRADE": {"notify_prescriber_grade_at_least": 4}})


def test_the_notification_names_the_rems_for_esketamine_only() -> None:
    esk = notification_message("Nausea", 3, False, "esketamine_nasal")
    iv = notification_message("Nausea", 3, True, "iv_ketamine")
    assert "grade 3" in esk and "REMS" in esk
    assert "serious" in iv and "REMS" not in iv


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 8)),
        (dt.date(2026, 12, 28), dt.date(2027, 1, 4)),
    ],
)
def test_the_rems_form_is_due_seven_days_after_the_session(day: dt.date, due: dt.date) -> None:
    assert rems_form_due(day) == due


@pytest.mark.parametrize(
    ("classes", "banner"),
    [
        ([], ()),
        (["antidepressant", "other"], ()),
        (["benzodiazepine"], ("benzodiazepine",)),
        (["opioid", "maoi", "opioid"], ("MAO inhibitor", "opioid")),
        (["stimulant", "other_sedative"], ("psychostimulant", "sedative")),
    ],
)
def test_the_sedation_banner_lists_each_interacting_class_once(
    classes: list[str], banner: tuple[str, ...]
) -> None:
    assert sedation_banner(classes) == banner
