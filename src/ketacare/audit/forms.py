"""The audit report's filters. Every bound is checked here, so no input reaches the database
in a form it would choke on (an id beyond a 64-bit integer, a date beyond what a time zone
conversion can hold)."""

from __future__ import annotations

import datetime as dt

from django import forms

from ketacare.audit.queries import AuditFilter

_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(2999, 12, 31)


class AuditReportForm(forms.Form):
    patient = forms.IntegerField(
        label="Patient id", required=False, min_value=1, max_value=2**63 - 1
    )
    mrn = forms.CharField(label="MRN", required=False, max_length=32, strip=True)
    user = forms.CharField(label="User name", required=False, max_length=150, strip=True)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def _clean_day(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not _EARLIEST <= value <= _LATEST:
            raise forms.ValidationError(
                f"Enter a date between {_EARLIEST.isoformat()} and {_LATEST.isoformat()}."
            )
        return value

    def clean_date_from(self) -> dt.date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._clean_day("date_to")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must not be before the start date.")
        return cleaned

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            patient_id=data.get("patient"),
            mrn=data.get("mrn") or "",
            username=data.get("user") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
