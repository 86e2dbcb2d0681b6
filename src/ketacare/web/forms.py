"""The home page's search box, parsed like every other input: bad text is a 400, never a 500."""

from __future__ import annotations

from django import forms

from ketacare.patients.models import SEARCH_MAX_CHARS
from ketacare.web.patient_stages import Stage


class PatientSearchForm(forms.Form):
    # CharField refuses NUL characters (PostgreSQL cannot hold them in a query parameter).
    q = forms.CharField(label="Search by name or MRN", required=False, strip=True)
    stage = forms.ChoiceField(
        label="Stage", choices=[("", "Every stage"), *Stage.choices], required=False
    )
    #: the search box's maxlength; longer text (typed past the browser) is cut by the search
    #: itself (PatientQuerySet.search), not refused.
    max_chars = SEARCH_MAX_CHARS
