"""The clinic outcomes page's filters (checked again, as the API checks them, by `read_filters`)."""

from __future__ import annotations

from django import forms

from ketacare.clinics.models import Route
from ketacare.outcomes.clinic_outcomes import SCALES

SCALE_LABELS = {"phq9": "PHQ-9", "madrs": "MADRS", "qids_sr16": "QIDS-SR16", "gad7": "GAD-7"}


class ClinicOutcomesForm(forms.Form):
    # `read_filters` names `from` and `to`; the form's fields are these.
    FIELD_OF = {"from": "date_from", "to": "date_to", "route": "route", "scale": "scale"}

    date_from = forms.DateField(
        label="Sessions from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    route = forms.ChoiceField(
        label="Route", required=False, choices=[("", "Every route"), *Route.choices]
    )
    scale = forms.ChoiceField(
        label="Scale", required=False, choices=[(s, SCALE_LABELS[s]) for s in SCALES]
    )
