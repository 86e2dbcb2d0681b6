"""Forms of the intake pages. They parse; the services decide (and name the bad field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketacare.intake.models import IntakeRequest, IntakeStatus
from ketacare.intake.services import MESSAGE_MAX_CHARS
from ketacare.patients.models import PreferredContact, SexAtBirth

VERSION_MAX = 2**31 - 1

# The queue's tabs: `open` (the default) is every status but closed.
OPEN_TAB = "open"
ALL_TAB = "all"
TABS = [
    (OPEN_TAB, "Open"),
    *[(s.value, s.label) for s in IntakeStatus],
    (ALL_TAB, "All"),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=TABS, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=VERSION_MAX)

    def tab(self) -> str:
        return self.cleaned_data.get("status") or OPEN_TAB


class IntakeRequestForm(forms.Form):
    """A request entered by staff (a call, a walk-in, a referral)."""

    name = forms.CharField(label="Name", max_length=200)
    email = forms.CharField(
        label="E-mail",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="E-mail or phone, or both.",
    )
    preferred_contact = forms.ChoiceField(
        label="Preferred contact", choices=PreferredContact.choices, initial=PreferredContact.PHONE
    )
    best_time = forms.CharField(
        label="Best time to reach them",
        required=False,
        max_length=100,
        help_text="For example: weekday mornings.",
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What they asked, who referred them.",
    )


class StatusForm(forms.Form):
    """One move in the queue; the reason only when closing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)
    status = forms.ChoiceField(choices=IntakeStatus.choices, widget=forms.HiddenInput)
    closed_reason = forms.CharField(
        label="Reason for closing",
        required=False,
        max_length=IntakeRequest._meta.get_field("closed_reason").max_length,
        help_text="For example: chose another clinic, not reachable, not a candidate.",
    )


class RegisterPatientForm(forms.Form):
    """Register the person of a request; name and contact pre-filled from the request."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex_at_birth = forms.ChoiceField(
        label="Sex at birth", choices=[("", "Choose…"), *SexAtBirth.choices]
    )
    email = forms.CharField(label="E-mail", required=False, max_length=254, widget=forms.EmailInput)
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    mrn = forms.CharField(
        label="MRN",
        required=False,
        max_length=32,
        help_text="Leave empty and KetaCare assigns the next one.",
    )

    @staticmethod
    def initial_for(intake_request: IntakeRequest) -> dict[str, Any]:
        """The request's contact details, and its name split as a suggestion: the last word is
        taken for the family name, the rest for the given name (staff correct it)."""
        words = intake_request.name.split()
        given, family = (
            (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (intake_request.name, "")
        )
        return {
            "version": intake_request.version,
            "given_name": given,
            "family_name": family,
            "email": intake_request.email,
            "phone": intake_request.phone,
        }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields (others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
