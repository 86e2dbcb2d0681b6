"""The patient form of the admin, with the optimistic version check (style guide, "The write
path": edits by people use an optimistic `version`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection

from ketacare.patients.models import Patient

STALE_VERSION = "Someone else saved this patient first; reload to see their change."
STALE_VERSION_CODE = "stale_version"


class PatientAdminForm(forms.ModelForm):
    #: the version of the record the editor loaded, sent back with their change.
    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )

    class Meta:
        model = Patient
        # The editable fields, in the order PatientAdmin.fields shows them.
        fields = [
            "clinic",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex_at_birth",
            "email",
            "phone",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None:
            return data
        # The row stays locked until the admin's transaction (which also saves) ends, so no other
        # save can land between this check and ours: a second editor waits here, then sees the
        # new version and is refused. (SQLite has no row locks; its write transactions start
        # with BEGIN IMMEDIATE and so already run one at a time.)
        rows = Patient.objects.filter(pk=self.instance.pk)
        if connection.in_atomic_block:
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        loaded = data.get("loaded_version")
        if loaded is None or current != loaded:
            raise forms.ValidationError(STALE_VERSION, code=STALE_VERSION_CODE)
        return data

    def validate_unique(self) -> None:
        super().validate_unique()
        if "clinic" in self.fields:
            return  # the clinic is in the form: Django has checked the (clinic, MRN) constraint
        # A clinic admin edits with the clinic read-only (PatientAdmin.get_readonly_fields), and
        # Django skips every constraint on a field outside the form: check those on the clinic
        # against the patient's own clinic, so a taken MRN is a form error, not a database error.
        exclude = self._get_validation_exclusions() - {"clinic"}
        for constraint in Patient._meta.constraints:
            if "clinic" in getattr(constraint, "fields", ()):
                try:
                    constraint.validate(Patient, self.instance, exclude=exclude)
                except ValidationError as error:
                    self._update_errors(error)
