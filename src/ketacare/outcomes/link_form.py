"""The patient's form on a link page: the instrument's own items and answers, as the clinical
core defines them, read back from a POST into the answer list `ketacare score` takes.

No Django form: the page needs only radio groups whose values are the core's answer values,
and every check (missing items, skip logic, ranges) is the service's, so page and API refuse
the same answers with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ketacare.clinical.instruments import AnswerKind, InstrumentDefinition, ItemDefinition

_YES, _NO = "yes", "no"
_ANSWER_FIELD = re.compile(r"^answers\.(\d+)$")
SIDE_EFFECTS_FIELD = "side_effects_text"


def field_name(number: int) -> str:
    return f"item_{number}"


def _encode(value: int | bool) -> str:
    if isinstance(value, bool):
        return _YES if value else _NO
    return str(value)


@dataclass(frozen=True)
class OptionRow:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class ItemRow:
    number: int
    text: str
    options: tuple[OptionRow, ...]
    # "Answer only if ..." for an item the skip logic may leave out (the C-SSRS).
    condition: str
    error: str

    @property
    def name(self) -> str:
        return field_name(self.number)


def _option_label(definition: InstrumentDefinition, value: int | bool, label: str) -> str:
    if isinstance(value, bool) or label != str(value):
        return label
    # Points only (QIDS-SR16: the anchor wording is not reproduced): say which end is which.
    if value == definition.item_minimum:
        return f"{value} (not at all, or least)"
    if value == definition.item_maximum:
        return f"{value} (most)"
    return label


def _condition(definition: InstrumentDefinition, item: ItemDefinition) -> str:
    when = item.enabled_when
    if when is None:
        return ""
    answer = "Yes" if when.answer is True else "No" if when.answer is False else str(when.answer)
    return f"Answer only if you answered {answer} to question {when.item}."


def read_answers(definition: InstrumentDefinition, data: Mapping[str, str]) -> list[object]:
    """The posted answers in published order; a missing or unknown answer is None (the
    service then names the item if it had to be answered)."""
    answers: list[object] = []
    for item in definition.items:
        raw = data.get(field_name(item.number), "")
        answers.append(next((o.value for o in item.options if _encode(o.value) == raw), None))
    # Trailing unanswered optional items are left off, as the API would send them.
    while answers and answers[-1] is None and not definition.items[len(answers) - 1].required:
        answers.pop()
    return answers


def item_errors(messages: Mapping[str, list[str]]) -> tuple[dict[int, str], list[str]]:
    """The service's ValidationError messages by item number (1-based), and the others."""
    by_item: dict[int, str] = {}
    other: list[str] = []
    for key, texts in messages.items():
        match = _ANSWER_FIELD.match(key)
        if match:
            number = int(match.group(1)) + 1
            by_item[number] = " ".join(t.replace(key, f"Item {number}", 1) for t in texts)
        else:
            other.extend(texts)
    return by_item, other


def item_rows(
    definition: InstrumentDefinition,
    data: Mapping[str, str] | None = None,
    errors: Mapping[int, str] | None = None,
) -> list[ItemRow]:
    """One row per item, with what was posted checked again after an error."""
    data = data or {}
    errors = errors or {}
    rows = []
    for item in definition.items:
        posted = data.get(field_name(item.number), "")
        rows.append(
            ItemRow(
                number=item.number,
                text=item.text,
                options=tuple(
                    OptionRow(
                        _encode(o.value),
                        _option_label(definition, o.value, o.label),
                        _encode(o.value) == posted,
                    )
                    for o in item.options
                ),
                condition=_condition(definition, item),
                error=errors.get(item.number, ""),
            )
        )
    return rows


def is_yes_no(definition: InstrumentDefinition) -> bool:
    return definition.answer_kind is AnswerKind.BOOLEAN
