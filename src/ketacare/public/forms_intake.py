"""The intake form of a clinic's public page. It parses; ketacare.public.intake decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketacare.patients.models import PreferredContact
from ketacare.public.intake import PUBLIC_MESSAGE_MAX_CHARS
from ketacare.public.self_check_token import SelfCheckTokenError, read_self_check_token

# Longer than any signed self-check; a value past it is not one.
SELF_CHECK_TOKEN_MAX_CHARS = 4000


class PublicIntakeForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label="E-mail",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="An e-mail address or a phone number, or both.",
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should the clinic contact you?",
        choices=PreferredContact.choices,
        initial=PreferredContact.PHONE,
        widget=forms.RadioSelect,
    )
    best_time = forms.CharField(
        label="Best time to reach you",
        required=False,
        max_length=100,
        help_text="For example: weekday mornings, after 5 pm.",
    )
    message = forms.CharField(
        label="Message to the clinic",
        required=False,
        max_length=PUBLIC_MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Optional, up to {PUBLIC_MESSAGE_MAX_CHARS} characters. Please do not "
        "write anything urgent here: the clinic reads it within business days.",
    )
    # The signed self-check handed over by the self-check's result page (hidden), and the
    # person's own choice to send it.
    self_check = forms.CharField(
        required=False, max_length=SELF_CHECK_TOKEN_MAX_CHARS, widget=forms.HiddenInput
    )
    attach_self_check = forms.BooleanField(
        label="Attach my self-check to this request", required=False
    )
    # The honeypot: hidden from people (and screen readers), filled by robots.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def attached_self_check(self) -> dict[str, Any] | None:
        """The self-check this form carries (to show what would be sent), or None."""
        token = self["self_check"].value()
        if not token or not isinstance(token, str):
            return None
        try:
            return read_self_check_token(token)
        except SelfCheckTokenError:
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("attach_self_check") and not cleaned.get("self_check"):
            raise ValidationError(
                {
                    "attach_self_check": "There is no self-check to attach: take the self-check "
                    "first, or untick this box."
                }
            )
        return cleaned

    def submission(self) -> dict[str, object]:
        """The data for submit_public_request: the self-check only when the box is ticked."""
        data = dict(self.cleaned_data)
        if not data.pop("attach_self_check", False):
            data["self_check"] = None
        return data
