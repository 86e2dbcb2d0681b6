"""The self-check page's form: the PHQ-9 in its own words, and the few history questions a lay
person can answer. The form only collects; `ketacare.public.self_check` checks and screens.

Every wording of the PHQ-9 comes from the clinical core (`PHQ9`), and every condition's plain
name from the core's messages (`CONDITION_TEXT`), so the page says what the screen reads.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketacare.clinical.eligibility import CONDITIONS, ROUTES
from ketacare.clinical.eligibility.messages import CONDITION_TEXT, ROUTE_NAMES
from ketacare.clinical.instruments.phq import PHQ9, PHQ9_ITEMS
from ketacare.public.self_check import NOT_SURE, SelfCheckAnswers, parse_self_check

# Conditions a person can answer without tests or a clinician's grading. Left out (a clinician
# asks): raised pressure in the head, an unstable heart condition, psychotic features of an
# episode, a current manic state, hypertensive encephalopathy, liver disease graded Child-Pugh.
LAY_CONDITIONS: tuple[str, ...] = (
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_hemorrhage_history",
    "ketamine_hypersensitivity",
    "psychotic_disorder",
    "substance_use_disorder_active",
    "ketamine_misuse_history",
    "uncontrolled_hypertension",
    "hypertension_controlled",
    "recent_cardiac_event",
    "cerebrovascular_disease",
    "raised_intraocular_pressure",
    "interstitial_cystitis",
    "significant_pulmonary_disease",
    "obstructive_sleep_apnea",
    "cognitive_impairment",
    "cns_depressant_use",
    "psychostimulant_use",
    "maoi_use",
    "active_suicidal_intent",
)
_ROWS = {row.code: row for row in CONDITIONS}


def condition_label(code: str) -> str:
    """The core's plain name of a condition, as a sentence start ("A past stroke ...")."""
    name = _ROWS[code].fill(CONDITION_TEXT[code][0])
    return name[:1].upper() + name[1:]


def route_label(route: str) -> str:
    name = ROUTE_NAMES[route]
    return name[:1].upper() + name[1:]


ROUTE_FIELD_CHOICES = [
    *((route, route_label(route)) for route in ROUTES),
    (NOT_SURE, "I am not sure yet: check all three"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]
REQUIRED = {"required": "Please answer this question."}


def item_field(number: int) -> str:
    return f"phq9_{number}"


class SelfCheckForm(forms.Form):
    """One field per question; every one must be answered (the conditions may all be unticked)."""

    route = forms.ChoiceField(
        label="Which treatment are you asking about?",
        choices=ROUTE_FIELD_CHOICES,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    age = forms.IntegerField(
        label="Your age in years",
        min_value=0,
        error_messages=REQUIRED,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    antidepressants_tried = forms.IntegerField(
        label=(
            "In this episode of depression, how many antidepressant medicines have you taken at "
            "the dose and for the time your doctor advised, without enough benefit?"
        ),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    antidepressants_not_sure = forms.BooleanField(label="I am not sure how many", required=False)
    bipolar = forms.ChoiceField(
        label="Has a doctor ever told you that you have bipolar disorder?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    pregnant = forms.ChoiceField(
        label="Are you pregnant, or could you be?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    breastfeeding = forms.ChoiceField(
        label="Are you breastfeeding?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    conditions = forms.MultipleChoiceField(
        label="Do any of these apply to you now or in the past? Tick all that apply.",
        choices=[(code, condition_label(code)) for code in LAY_CONDITIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(str(o.value), o.label) for o in PHQ9_ITEMS[0].options]
        for item in PHQ9_ITEMS:
            self.fields[item_field(item.number)] = forms.ChoiceField(
                label=f"{item.number}. {item.text}",
                choices=options,
                widget=forms.RadioSelect,
                error_messages=REQUIRED,
            )
        self.answers: SelfCheckAnswers | None = None

    instructions = PHQ9.instructions

    @property
    def phq9_fields(self) -> list[forms.BoundField]:
        return [self[item_field(item.number)] for item in PHQ9_ITEMS]

    @property
    def history_fields(self) -> list[forms.BoundField]:
        names = ("age", "bipolar", "pregnant", "breastfeeding")
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        tried = cleaned.get("antidepressants_tried")
        not_sure = cleaned.get("antidepressants_not_sure")
        if tried is None and not not_sure and "antidepressants_tried" not in self.errors:
            self.add_error(
                "antidepressants_tried", "Please give a number, or tick “I am not sure how many”."
            )
        if self.errors:
            return cleaned
        data = {
            "route": cleaned["route"],
            "age": cleaned["age"],
            "phq9": [int(cleaned[item_field(item.number)]) for item in PHQ9_ITEMS],
            "antidepressants_tried": None if not_sure else tried,
            "conditions": list(cleaned["conditions"]),
            "pregnant": cleaned["pregnant"] == "yes",
            "breastfeeding": cleaned["breastfeeding"] == "yes",
            "bipolar": cleaned["bipolar"] == "yes",
        }
        try:
            self.answers = parse_self_check(data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = _form_field(field)
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def missing_labels(self) -> list[tuple[str, str]]:
        """(field id, short question) of every unanswered or wrong answer, for the summary."""
        # In the order of the page (the PHQ-9 comes second there), not the order errors arose.
        page_order = ["route", *(item_field(item.number) for item in PHQ9_ITEMS)]
        page_order += [name for name in self.fields if name not in page_order]
        named = []
        for name in page_order:
            if name not in self.errors:
                continue
            bound = self[name]
            named.append((bound.auto_id, _short(name, bound.label)))
        return named


def _form_field(path: str) -> str:
    head, _, rest = path.partition(".")
    if head == "phq9" and rest.isdigit():
        return item_field(int(rest))
    return head


_SHORT = {
    "route": "which treatment",
    "age": "your age",
    "antidepressants_tried": "how many antidepressants you have tried",
    "bipolar": "bipolar disorder",
    "pregnant": "pregnancy",
    "breastfeeding": "breastfeeding",
    "conditions": "the list of conditions",
}


def _short(name: str, label: object) -> str:
    if name.startswith("phq9_"):
        return f"question {name.removeprefix('phq9_')} of the PHQ-9"
    return _SHORT.get(name, str(label))
