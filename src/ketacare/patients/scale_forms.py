"""The chart's rating-scale forms: pick an instrument, then one field per item.

Everything a person reads here comes from the clinical core's `InstrumentDefinition`: the item
wording, the answer options with their published labels, the C-SSRS skip logic. The form only
parses; `ketacare.patients.services.record_assessment` scores and saves (the same call as the
API), and any error it raises on `answers.<index>` lands back on that item.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketacare.clinical.instruments import (
    INSTRUMENTS,
    AnswerKind,
    AnswerOption,
    InstrumentDefinition,
    ItemDefinition,
)
from ketacare.patients.forms import DateTimeInput
from ketacare.patients.models.assessments import INSTRUMENT_CHOICES

# The scales charted from the page, in the order the picker lists them. The session scales
# (CADSS, MOAA/S) are rated at the chair during a session, not here; the API still takes them.
CHART_SCALES = ("phq9", "gad7", "madrs", "qids_sr16", "cssrs_screener", "phq2")

# The picker lists the names clinicians use; the form then shows the core's full title.
SHORT_NAMES = dict(INSTRUMENT_CHOICES)

# The "no answer" choice of an item the skip logic may leave unasked: saved as null.
NOT_ASKED = "Not asked"
NOT_ASKED_OR_UNKNOWN = "Not asked, or not known"

_YES, _NO = "yes", "no"
_ANSWER_FIELD = re.compile(r"^answers\.(\d+)$")


def item_field(number: int) -> str:
    """The form field of item `number` (1-based, the published numbering)."""
    return f"item_{number}"


def _encode(value: int | bool) -> str:
    if isinstance(value, bool):
        return _YES if value else _NO
    return str(value)


def _decode_boolean(value: str) -> bool:
    return value == _YES


def option_label(option: AnswerOption) -> str:
    """`0 — Not at all`; just `4` where the core labels an answer by its points only (MADRS,
    QIDS-SR16: the anchor wording is not reproduced); `Yes`/`No` for the C-SSRS."""
    if isinstance(option.value, bool) or option.label == _encode(option.value):
        return option.label
    return f"{option.value} — {option.label}"


def _answer_label(definition: InstrumentDefinition, number: int, value: int | bool) -> str:
    for option in definition.items[number - 1].options:
        if option.value == value and isinstance(option.value, bool) == isinstance(value, bool):
            return option_label(option)
    return _encode(value)


def skip_help(definition: InstrumentDefinition, item: ItemDefinition) -> str:
    """The skip logic of one item, in words, from its `enabled_when` (SCALE-CSSRS)."""
    when = item.enabled_when
    if when is None:
        return ""
    answer = _answer_label(definition, when.item, when.answer)
    text = (
        f"Asked only when item {when.item} is {answer}; otherwise leave it at "
        f"“{NOT_ASKED if item.required else NOT_ASKED_OR_UNKNOWN}” (saved as blank)."
    )
    if not item.required:
        # cssrs.read_cssrs_answers / triage: a null follow-up after a yes reads as not known,
        # triaged as if recent (contracts.md, `ketacare score`).
        text += f" Not known after a {answer} to item {when.item} is scored as if recent."
    return text


def _item_field(definition: InstrumentDefinition, item: ItemDefinition) -> forms.Field:
    number = item.number
    choices = [(_encode(option.value), option_label(option)) for option in item.options]
    skippable = item.enabled_when is not None or not item.required
    if skippable:
        choices.insert(0, ("", NOT_ASKED if item.required else NOT_ASKED_OR_UNKNOWN))
    boolean = definition.answer_kind is AnswerKind.BOOLEAN
    return forms.TypedChoiceField(
        label=item.text or f"Item {number}",
        choices=choices,
        coerce=_decode_boolean if boolean else int,
        empty_value=None,
        # An item the skip logic may leave out is checked in `clean`, against its opener.
        required=not skippable,
        initial="" if skippable else None,
        widget=forms.RadioSelect,
        help_text=skip_help(definition, item),
        error_messages={
            "required": f"Item {number} is required.",
            "invalid_choice": f"Item {number}: choose one of its answers.",
        },
    )


class ScalePickerForm(forms.Form):
    """Which instrument to record (a GET form: `?instrument=phq9`)."""

    instrument = forms.ChoiceField(
        label="Scale",
        choices=[("", "— choose a scale —")] + [(name, SHORT_NAMES[name]) for name in CHART_SCALES],
        error_messages={
            "required": "Choose a scale.",
            "invalid_choice": "Choose one of the listed scales.",
        },
    )

    def definition(self) -> InstrumentDefinition | None:
        """The chosen instrument's definition, once the form is valid."""
        if not self.is_valid():
            return None
        return INSTRUMENTS[self.cleaned_data["instrument"]]


class ScaleForm(forms.Form):
    """One radio group per item of `definition`, then when it was completed (default now)."""

    completed_at = forms.DateTimeField(
        label="Completed at",
        widget=DateTimeInput,
        required=False,
        help_text="Default: now.",
        error_messages={"invalid": "Completed at: enter a date and time."},
    )

    def __init__(self, *args: Any, definition: InstrumentDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        completed_at = self.fields.pop("completed_at")
        for item in definition.items:
            self.fields[item_field(item.number)] = _item_field(definition, item)
        self.fields["completed_at"] = completed_at
        if not self.is_bound:
            completed_at.initial = timezone.localtime().replace(second=0, microsecond=0)

    @property
    def item_rows(self) -> list[dict[str, Any]]:
        """Each item's number and bound field, in published order (the template's loop)."""
        return [
            {"number": item.number, "field": self[item_field(item.number)]}
            for item in self.definition.items
        ]

    @property
    def has_skip_logic(self) -> bool:
        """True when some item is asked only after an answer to another (the C-SSRS)."""
        return any(item.enabled_when is not None for item in self.definition.items)

    @property
    def points_only(self) -> bool:
        """True when the core labels every answer by its points alone (MADRS, QIDS-SR16)."""
        return self.definition.answer_kind is AnswerKind.INTEGER and all(
            option.label == _encode(option.value)
            for item in self.definition.items
            for option in item.options
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.definition.items:
            when = item.enabled_when
            name = item_field(item.number)
            opener = item_field(when.item) if when is not None else ""
            if when is None or name not in data or opener not in data:
                continue  # no skip logic, or the item or its opener already has an error
            asked = data[opener] is not None and data[opener] == when.answer
            answer = _answer_label(self.definition, when.item, when.answer)
            if not asked and data[name] is not None:
                # The conservative reading (SCALE-CSSRS): an answer to a question that was not
                # asked is refused, never dropped, so a slip cannot hide a yes.
                self.add_error(
                    name,
                    f"Item {item.number} is asked only when item {when.item} is {answer}: "
                    f"set it to “{NOT_ASKED}” or correct item {when.item}.",
                )
            elif asked and data[name] is None and item.required:
                self.add_error(
                    name, f"Item {item.number} is required (item {when.item} is {answer})."
                )
        return data

    def answers(self) -> list[int | bool | None]:
        """The answers in published order, as `ketacare score` reads them (null: not asked)."""
        return [self.cleaned_data[item_field(item.number)] for item in self.definition.items]


def apply_scale_errors(form: ScaleForm, error: ValidationError) -> None:
    """Put the service's ValidationError on the form: `answers.<index>` on that item (named by
    its number, not the API's 0-based index), `completed_at` on its field, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        match = _ANSWER_FIELD.match(field)
        for message in messages:
            if match:
                number = int(match.group(1)) + 1
                target = item_field(number)
                if target in form.fields:
                    form.add_error(target, message.replace(field, f"Item {number}", 1))
                    continue
            if field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, message)
