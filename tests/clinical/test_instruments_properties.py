"""Properties of scoring over whole answer spaces (hypothesis), clinical-reference.md section 5."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import INSTRUMENTS, AnswerKind, InstrumentDefinition, score
from tests.clinical.test_instruments import reference_total

POINTS = sorted(key for key, d in INSTRUMENTS.items() if d.answer_kind is AnswerKind.INTEGER)
CASES = settings(max_examples=150, deadline=None)

NOT_AN_ITEM_ANSWER = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def valid_answers(definition: InstrumentDefinition) -> st.SearchStrategy[list[int]]:
    assert definition.item_minimum is not None and definition.item_maximum is not None
    item = st.integers(definition.item_minimum, definition.item_maximum)
    return st.lists(item, min_size=definition.item_count, max_size=definition.item_count)


def band_rank(definition: InstrumentDefinition, label: str | None) -> int:
    labels = [band.label for band in definition.bands]
    return labels.index(label) if label is not None else -1


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[InstrumentDefinition, list[int]]:
    definition = INSTRUMENTS[draw(st.sampled_from(POINTS))]
    return definition, draw(valid_answers(definition))


@CASES
@given(instrument_and_answers())
def test_any_valid_answers_score_within_range(case: tuple[InstrumentDefinition, list[int]]) -> None:
    definition, answers = case
    result = score(definition.id, answers)
    assert result.total == reference_total(definition, answers)
    assert definition.total_minimum is not None and definition.total_maximum is not None
    assert definition.total_minimum <= result.total <= definition.total_maximum
    assert result.max == definition.total_maximum
    assert result.severity == definition.band_for(result.total)
    assert list(result.flags) == sorted(result.flags)
    # The same answers as a tuple, or as another int type, score the same (slow path).
    assert score(definition.id, tuple(answers)) == result
    assert score(definition.id, [_Points(a) for a in answers]) == result


class _Points(int):
    """An int subclass, as some callers' enums are: valid, and scored by the slow path."""


@CASES
@given(instrument_and_answers(), st.data())
def test_severity_and_total_never_fall_when_an_item_rises(
    case: tuple[InstrumentDefinition, list[int]], data: st.DataObject
) -> None:
    definition, answers = case
    index = data.draw(st.integers(0, definition.item_count - 1))
    assert definition.item_maximum is not None
    if answers[index] == definition.item_maximum:
        return
    before = score(definition.id, answers)
    answers[index] += 1
    after = score(definition.id, answers)
    assert before.total is not None and after.total is not None
    assert after.total >= before.total
    assert band_rank(definition, after.severity) >= band_rank(definition, before.severity)
    assert set(after.flags) >= set(before.flags)


@CASES
@given(instrument_and_answers(), st.data())
def test_a_bad_answer_is_named_by_its_index(
    case: tuple[InstrumentDefinition, list[Any]], data: st.DataObject
) -> None:
    definition, answers = case
    assert definition.item_minimum is not None and definition.item_maximum is not None
    index = data.draw(st.integers(0, definition.item_count - 1))
    out_of_range = st.one_of(
        st.integers(max_value=definition.item_minimum - 1),
        st.integers(min_value=definition.item_maximum + 1),
    )
    answers[index] = data.draw(st.one_of(out_of_range, NOT_AN_ITEM_ANSWER))
    with pytest.raises(ClinicalInputError) as caught:
        score(definition.id, answers, path="phq")
    assert caught.value.field == f"phq.{index}"
    assert caught.value.message.startswith(f"phq.{index} ")


@CASES
@given(instrument_and_answers(), st.integers(0, 30))
def test_a_list_of_the_wrong_length_is_named_by_its_path(
    case: tuple[InstrumentDefinition, list[int]], length: int
) -> None:
    definition, answers = case
    if length == definition.item_count:
        return
    wrong = (answers * 30)[:length]
    with pytest.raises(ClinicalInputError) as caught:
        score(definition.id, wrong)
    assert caught.value.field == "answers"


@CASES
@given(st.sampled_from(sorted(INSTRUMENTS)), st.one_of(NOT_AN_ITEM_ANSWER, st.integers()))
def test_answers_that_are_not_a_list_are_named_by_their_path(instrument: str, value: Any) -> None:
    if isinstance(value, list):
        value = iter(value)
    with pytest.raises(ClinicalInputError) as caught:
        score(instrument, value, path="visit.answers")
    assert caught.value.field == "visit.answers"


@st.composite
def screener_answers(draw: st.DrawFn) -> list[bool | None]:
    yes_no = st.booleans()
    q1, q2 = draw(yes_no), draw(yes_no)
    middle = [draw(yes_no) for _ in range(3)] if q2 else [None, None, None]
    q6 = draw(yes_no)
    answers: list[bool | None] = [q1, q2, *middle, q6]
    if draw(st.booleans()):
        answers.append(draw(yes_no) if q6 else None)
    return answers


@CASES
@given(screener_answers())
def test_any_screener_response_within_the_skip_logic_is_triaged(answers: list[bool | None]) -> None:
    result = score("cssrs_screener", answers)
    assert result.total is None and result.severity is None
    assert len(result.flags) == (1 if any(answers[:6]) else 0)
