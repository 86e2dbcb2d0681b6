"""The clinic finder's search form (a GET form: the address is the search, and can be shared).

The form only collects; `ketacare.public.finder.find_clinics` checks the ZIP, the radius and the
route, and its errors land on the fields they name.
"""

from __future__ import annotations

from django import forms

from ketacare.clinics.models import Route
from ketacare.public.finder import RADIUS_DEFAULT_MILES, RADIUS_MAX_MILES, RADIUS_MIN_MILES

ANY_ROUTE = [("", "Any treatment"), *Route.choices]


class FinderForm(forms.Form):
    zip = forms.CharField(
        label="Your ZIP code",
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 6}
        ),
        error_messages={"required": "Please enter a 5-digit US ZIP code."},
    )
    radius_miles = forms.CharField(
        label="Within how many miles",
        required=False,
        max_length=5,
        help_text=f"From {RADIUS_MIN_MILES} to {RADIUS_MAX_MILES} miles.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    route = forms.ChoiceField(label="Treatment", choices=ANY_ROUTE, required=False)
    accepting = forms.BooleanField(label="Only clinics accepting new patients", required=False)
    rems = forms.BooleanField(
        label="Only clinics certified to give esketamine nasal spray (REMS)", required=False
    )
    # The signed self-check travels on to the clinic page when the person came from their result.
    self_check = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["radius_miles"].widget.attrs["placeholder"] = str(RADIUS_DEFAULT_MILES)
