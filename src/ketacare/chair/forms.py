"""Forms of the session page: check-in and pre-dose, the prescriber's decision to proceed, the
dose and the controlled-substance count, readings, acknowledging an alert, side effects,
discharge and amendments.

Forms only parse: every limit (plausible vitals, times, dose limits, grades) is the clinical
core's, checked by the services, whose ValidationError names the field; `add_service_errors`
shows it under that field. Every form carries the session's `version` as read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketacare.clinical.adverse import GRADES, TERMS
from ketacare.clinical.monitoring import SYMPTOMS
from ketacare.clinical.rules import DEFAULT_SETTINGS

TIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NOTE = forms.Textarea(attrs={"rows": 2})
# MOAA/S is a 0-5 scale (reference 5.9): the choices are the scale's, as the clinical core
# bounds it (MON-PLAUSIBILITY), from fully awake down.
_MOAAS_LOW = int(DEFAULT_SETTINGS.value("MON-PLAUSIBILITY", "moaas_at_least"))
_MOAAS_HIGH = int(DEFAULT_SETTINGS.value("MON-PLAUSIBILITY", "moaas_at_most"))
MOAAS_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(_MOAAS_HIGH, _MOAAS_LOW - 1, -1))]

# A service names some fields differently from the page (ids rather than people).
SERVICE_FIELDS = {"nurse_id": "nurse", "witness_id": "witness", "alert": "note"}


def _time(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=False, widget=TIME_INPUT, help_text=help_text)


def _number(label: str, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


def _amount(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=7,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class ChairForm(forms.Form):
    """A form of the session page: the session version, and a service's errors on its fields."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            name = field.split(".")[-1]
            name = SERVICE_FIELDS.get(name, name)
            self.add_error(name if name in self.fields else None, messages)


class PreDoseForm(ChairForm):
    """Check-in to a chair with the responsible nurse, the pre-dose checklist and vitals."""

    chair = forms.CharField(label="Chair or room", max_length=40, required=False)
    nurse = forms.TypedChoiceField(label="Responsible nurse", coerce=int)
    at = _time("Vitals taken at", "Leave empty for now.")
    systolic = _number("Systolic (mmHg)", required=True)
    diastolic = _number("Diastolic (mmHg)", required=True)
    heart_rate = _number("Heart rate (/min)", required=True)
    spo2 = _number("SpO2 (%)", required=True)
    respiratory_rate = _number("Respiratory rate (/min)")
    identity_confirmed = forms.BooleanField(
        label="Identity confirmed (two identifiers)", required=False
    )
    consent_current = forms.BooleanField(label="Consent is current", required=False)
    rems_patient_enrolled = forms.BooleanField(
        label="Patient enrolled in the SPRAVATO REMS", required=False
    )
    pregnancy_status_documented = forms.BooleanField(
        label="Pregnancy status documented today", required=False
    )
    escort_confirmed = forms.BooleanField(label="Escort home confirmed", required=False)
    escort_phone = forms.CharField(label="Escort's phone", max_length=30, required=False)
    last_food_at = _time("Last food")
    last_liquid_at = _time("Last liquid")
    nasal_medication_at = _time("Last nasal steroid or decongestant", "Leave empty if none today.")

    def __init__(
        self,
        *args: Any,
        nurses: Sequence[tuple[int, str]],
        esketamine: bool,
        pregnancy_relevant: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nurse"].choices = list(nurses)  # type: ignore[attr-defined]
        if not esketamine:
            for name in ("rems_patient_enrolled", "nasal_medication_at"):
                del self.fields[name]
        if not pregnancy_relevant:
            del self.fields["pregnancy_status_documented"]

    def values(self) -> dict[str, Any]:
        """The PreDoseInput fields (chair-services interface), unset optional ones left out."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["nurse_id"] = data.pop("nurse")
        return {k: v for k, v in data.items() if v is not None}


class ProceedForm(ChairForm):
    reason = forms.CharField(
        label="Benefit/risk decision to dose over the hold",
        max_length=500,
        widget=NOTE,
        help_text="Your reason is kept with the session and audited.",
    )


class DoseForm(ChairForm):
    at = _time("Given at", "First device (esketamine) or infusion start; leave empty for now.")
    lot_number = forms.CharField(label="Lot number", max_length=40)
    weight_kg = forms.DecimalField(
        label="Weight today (kg)",
        required=False,
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        help_text="Leave empty to use the latest weight of the chart.",
    )
    concentration_mg_per_ml = forms.DecimalField(
        label="Bag concentration (mg/mL)",
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="The order names none: the volume and pump rate are worked out from it.",
    )
    drawn_mg = _amount("Drawn (mg)")
    wasted_mg = _amount("Wasted (mg)")
    witness = forms.TypedChoiceField(label="Witness", coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        iv: bool,
        witnesses: Sequence[tuple[int, str]],
        ask_concentration: bool = False,
        **kwargs: Any,
    ) -> None:
        """`ask_concentration`: IV whose signed order names no bag concentration; the page asks
        for it so that the pump rate is shown with its arithmetic (SAFE-IV-RATE)."""
        super().__init__(*args, **kwargs)
        if iv:
            self.fields["witness"].choices = [("", "—"), *witnesses]  # type: ignore[attr-defined]
        else:
            for name in ("weight_kg", "drawn_mg", "wasted_mg", "witness"):
                del self.fields[name]
        if not (iv and ask_concentration):
            del self.fields["concentration_mg_per_ml"]


class CountForm(ChairForm):
    """The IV controlled-substance count after the dose: drawn = given + wasted, witnessed."""

    drawn_mg = _amount("Drawn (mg)")
    wasted_mg = _amount("Wasted (mg)")
    witness = forms.TypedChoiceField(label="Witness", coerce=int)

    def __init__(self, *args: Any, witnesses: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["witness"].choices = [("", "—"), *witnesses]  # type: ignore[attr-defined]
        self.fields["drawn_mg"].required = True
        self.fields["wasted_mg"].required = True


class ReadingForm(ChairForm):
    at = _time("Taken at", "Leave empty for now.")
    systolic = _number("Systolic (mmHg)")
    diastolic = _number("Diastolic (mmHg)")
    heart_rate = _number("Heart rate (/min)")
    spo2 = _number("SpO2 (%)")
    respiratory_rate = _number("Respiratory rate (/min)")
    moaas = forms.TypedChoiceField(
        label="MOAA/S",
        choices=MOAAS_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        help_text=f"{_MOAAS_HIGH} = responds readily to name in a normal tone.",
    )
    cadss = _number("CADSS total")
    symptoms = forms.MultipleChoiceField(
        label="Symptoms",
        choices=list(SYMPTOMS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Any of these calls for emergency care (MON-HTN-SYMPTOMS).",
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        symptoms = data.pop("symptoms", []) or []
        values = {k: v for k, v in data.items() if v is not None}
        values["symptoms"] = list(symptoms)
        return values


class AcknowledgeForm(ChairForm):
    note = forms.CharField(label="Note", max_length=500, widget=NOTE, required=False)


class SideEffectForm(ChairForm):
    term = forms.ChoiceField(label="Side effect", choices=[("", "—"), *TERMS.items()])
    other_term = forms.CharField(
        label="Other (describe)", max_length=120, required=False, help_text="When not listed."
    )
    grade = forms.TypedChoiceField(
        label="CTCAE grade",
        coerce=int,
        choices=list(GRADES.items()),
        widget=forms.RadioSelect,
    )
    serious = forms.BooleanField(label="Serious adverse event", required=False)
    onset_at = _time("Onset", "Leave empty for now.")
    resolved_at = _time("Resolved at", "Leave empty while it lasts.")
    action = forms.CharField(label="Action taken", max_length=500, required=False, widget=NOTE)


class ResolveForm(ChairForm):
    resolved_at = _time("Resolved at", "Leave empty for now.")
    action = forms.CharField(label="Action taken", max_length=500, required=False, widget=NOTE)


class DischargeForm(ChairForm):
    at = _time("Discharged at", "Leave empty for now.")
    dissociation_resolved = forms.BooleanField(
        label="Dissociation has resolved (clinician's attestation)", required=False
    )
    no_driving_instructed = forms.BooleanField(
        label="Patient told: no driving until the next day after a restful sleep",
        required=False,
    )
    ready_without_minimum_min = forms.IntegerField(
        label="Ready to leave without the minimum observation (minutes after first device)",
        required=False,
        help_text="The REMS form's evaluation question: would the patient have been ready to "
        "leave without the minimum observation time, and at how many minutes after the first "
        "device? Leave empty if unsure.",
    )
    override_reason = forms.CharField(
        label="Override the unmet criteria (prescriber's written reason)",
        max_length=1000,
        required=False,
        widget=NOTE,
        help_text="Leave empty unless you override. The minimum observation time of esketamine "
        "can never be overridden.",
    )

    def __init__(self, *args: Any, esketamine: bool, may_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not esketamine:
            del self.fields["ready_without_minimum_min"]
        if not may_override:
            del self.fields["override_reason"]


class AmendForm(ChairForm):
    text = forms.CharField(
        label="Amendment", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
