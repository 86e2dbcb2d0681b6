"""The prescriber's signing form on the eligibility page."""

from __future__ import annotations

from django import forms

from ketacare.clinics.models import Route
from ketacare.screening.models import ReviewDecision
from ketacare.screening.services import FINDINGS_MAX_CHARS, NOTE_MAX_CHARS


class ReviewForm(forms.Form):
    """Findings, a decision and a note, signed over the screen the page showed (its digest)."""

    route = forms.ChoiceField(choices=Route.choices, widget=forms.HiddenInput)
    screen_digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
    findings = forms.CharField(
        label="Findings",
        required=False,
        max_length=FINDINGS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(label="Decision", choices=ReviewDecision.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
