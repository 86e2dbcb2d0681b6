"""C-SSRS screener: questions, skip logic and triage (clinical-reference.md 5.7).

Answers are booleans in question order, optionally followed by the follow-up to question 6
("within the past 3 months?"); questions the skip logic did not ask are null (SCALE-CSSRS).
The conservative reading is enforced: an answer to a question that was not asked is an input
error, so a form bug cannot hide a yes. Triage follows SCALE-CSSRS-TRIAGE; question 6 = yes
without the follow-up, or with a null follow-up, is triaged `risk_high` (contracts.md, `ketacare
score`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import describe
from ketacare.clinical.instruments.base import (
    AnswerKind,
    AnswerOption,
    EnableWhen,
    FlagDefinition,
    InstrumentDefinition,
    ItemDefinition,
    points,
)

RISK_LOW = "risk_low"
RISK_MODERATE = "risk_moderate"
RISK_HIGH = "risk_high"
_RISK_ORDER = (RISK_LOW, RISK_MODERATE, RISK_HIGH)

_QUESTION_COUNT = points("SCALE-CSSRS", "question_count")
_MODERATE_FROM = points("SCALE-CSSRS-TRIAGE", "risk_moderate_minimum_question")
_HIGH_FROM = points("SCALE-CSSRS-TRIAGE", "risk_high_minimum_question")
_RECENT_MONTHS = points("SCALE-CSSRS-TRIAGE", "recent_behaviour_within_months")

_YES_NO = (AnswerOption(True, "Yes"), AnswerOption(False, "No"))
# Question 2 opens questions 3-5; question 6 (the last) opens its timing follow-up.
_THOUGHTS_ITEM = points("SCALE-CSSRS", "skip_logic_opening_question")
_ASKED_IF_THOUGHTS = EnableWhen(_THOUGHTS_ITEM, answer=True)
_ASKED_IF_BEHAVIOUR = EnableWhen(_QUESTION_COUNT, answer=True)


def _questions(first: int, last: int) -> str:
    """`question 3`, `question 1 or 2`, `question 1, 2 or 3`: the flag texts' question ranges."""
    numbers = [str(n) for n in range(first, last + 1)]
    if len(numbers) == 1:
        return f"question {numbers[0]}"
    return f"question {', '.join(numbers[:-1])} or {numbers[-1]}"


_LOW_QUESTIONS = _questions(1, _MODERATE_FROM - 1)
_MODERATE_QUESTIONS = _questions(_MODERATE_FROM, _HIGH_FROM - 1)
_HIGH_QUESTIONS = _questions(_HIGH_FROM, _QUESTION_COUNT - 1)

_QUESTIONS = (
    ("Wished to be dead or to go to sleep and not wake up (past month)", "93246-7", None),
    ("Actual thoughts of killing oneself (past month)", "93247-5", None),
    ("Thinking about how one might do it (past month)", "93248-3", _ASKED_IF_THOUGHTS),
    (
        "Such thoughts with some intention of acting on them (past month)",
        "93249-1",
        _ASKED_IF_THOUGHTS,
    ),
    (
        "Started or finished working out the details of a plan, and intends to carry it out "
        "(past month)",
        "93250-9",
        _ASKED_IF_THOUGHTS,
    ),
    ("Ever done, started, or prepared anything to end one's life", "93267-3", None),
)
FOLLOW_UP = ItemDefinition(
    _QUESTION_COUNT + 1,
    f"If yes to question {_QUESTION_COUNT}: was this within the past {_RECENT_MONTHS} months?",
    _YES_NO,
    loinc="93269-9",
    enabled_when=_ASKED_IF_BEHAVIOUR,
    required=False,
)

CSSRS_SCREENER = InstrumentDefinition(
    id="cssrs_screener",
    title="Columbia-Suicide Severity Rating Scale, screener (C-SSRS)",
    rule_id="SCALE-CSSRS",
    measures="suicidal ideation and behaviour triage",
    rater="clinician or self",
    answer_kind=AnswerKind.BOOLEAN,
    items=(
        *(
            ItemDefinition(number, text, _YES_NO, loinc=code, enabled_when=when)
            for number, (text, code, when) in enumerate(_QUESTIONS, start=1)
        ),
        FOLLOW_UP,
    ),
    flags=(
        FlagDefinition(
            RISK_LOW,
            "SCALE-CSSRS-TRIAGE",
            f"Highest yes is {_LOW_QUESTIONS}: review at next contact (SAFE-CSSRS-HIGH).",
            loinc_answer="LA9194-7",
        ),
        FlagDefinition(
            RISK_MODERATE,
            "SCALE-CSSRS-TRIAGE",
            f"Highest yes is {_MODERATE_QUESTIONS}, or question {_QUESTION_COUNT} with behaviour "
            f"more than {_RECENT_MONTHS} months ago: same-day clinician review (SAFE-CSSRS-HIGH).",
        ),
        FlagDefinition(
            RISK_HIGH,
            "SCALE-CSSRS-TRIAGE",
            f"Yes to {_HIGH_QUESTIONS}, or question {_QUESTION_COUNT} within {_RECENT_MONTHS} "
            "months or without the follow-up: immediate escalation, no dosing until assessed "
            "(SAFE-CSSRS-HIGH).",
        ),
    ),
    loinc_panel="93373-9",
    loinc_result="93374-7",
    license=(
        "Free to administer, training recommended; form copyright Research Foundation for "
        "Mental Hygiene; electronic redistribution terms unverified."
    ),
)


def read_cssrs_answers(answers: object, path: str) -> tuple[bool | None, ...]:
    """The screener's answers checked against its skip logic (SCALE-CSSRS).

    Asked questions need true or false; questions the skip logic did not ask must be null; the
    follow-up may be left off or null (unknown timing). Each error names the answer's field
    `path.index`.
    """
    items = CSSRS_SCREENER.items
    if not isinstance(answers, list | tuple):
        raise ClinicalInputError(
            path, f"{path} must be a list of {_QUESTION_COUNT} answers; got {describe(answers)}."
        )
    if not CSSRS_SCREENER.required_item_count <= len(answers) <= len(items):
        raise ClinicalInputError(
            path,
            f"{path} must have {CSSRS_SCREENER.required_item_count} or {len(items)} answers "
            f"for the C-SSRS screener; got {len(answers)}.",
        )
    for index, (item, answer) in enumerate(zip(items, answers, strict=False)):
        field = f"{path}.{index}"
        name = f"question {item.number}" if item.required else "the follow-up"
        when = item.enabled_when
        if when is not None and answers[when.item - 1] is not when.answer:
            if answer is not None:
                raise ClinicalInputError(
                    field,
                    f"{field} must be null: {name} is not asked unless question {when.item} is "
                    f"yes; got {describe(answer)}.",
                )
        elif answer is None and not item.required:
            # The follow-up asked but left unanswered reads as "not known", the same as leaving
            # it off: triaged as if recent (risk_high), the conservative reading (contracts.md).
            continue
        elif not isinstance(answer, bool):
            raise ClinicalInputError(
                field, f"{field} ({name}) must be true or false; got {describe(answer)}."
            )
    return tuple(answers)


def triage(answers: Sequence[bool | None]) -> str | None:
    """The risk level of checked screener answers, or None when every answer is no.

    SCALE-CSSRS-TRIAGE: the highest yes among questions 1-5 gives low, moderate or high; a
    yes to question 6 gives high when the behaviour was within the follow-up window or the
    follow-up is absent (conservative, contracts.md), moderate when it was longer ago.
    """
    levels: list[str] = []
    ideation_answers = answers[: _QUESTION_COUNT - 1]
    ideation = [number for number, answer in enumerate(ideation_answers, start=1) if answer is True]
    if ideation:
        highest = max(ideation)
        if highest >= _HIGH_FROM:
            levels.append(RISK_HIGH)
        elif highest >= _MODERATE_FROM:
            levels.append(RISK_MODERATE)
        else:
            levels.append(RISK_LOW)
    if answers[_QUESTION_COUNT - 1] is True:
        recent = answers[_QUESTION_COUNT] if len(answers) > _QUESTION_COUNT else None
        levels.append(RISK_MODERATE if recent is False else RISK_HIGH)
    return max(levels, key=_RISK_ORDER.index) if levels else None
