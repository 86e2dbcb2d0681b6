"""The patient form of the admin, with the optimistic version check (style guide, "The write
path": edits by people use an optimistic `version`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.utils import pretty_name

from ketacare.patients.models import (
    Diagnosis,
    MedicationClass,
    Patient,
    SexAtBirth,
    TrialAdherence,
    TrialOutcome,
)
from ketacare.patients.models.chart import CONDITION_CHOICES
from ketacare.patients.models.patient import PreferredContact

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


# --- the chart's pages ---------------------------------------------------------------------------
# Each form only parses; the service decides (and refuses with a ValidationError naming the field,
# which `apply_errors` puts back on the form).


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *list(choices)]


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        name = field.split(".")[0]
        target = name if name in form.fields else None
        for message in messages:
            if target is None:
                form.add_error(None, f"{field}: {message}")
                continue
            # The clinical core names the field by its code name (right for the API's `loc`);
            # under the field on a page the person reads its label instead.
            if message.startswith(f"{name} "):
                label = form.fields[name].label or pretty_name(name)
                message = f"{label}{message[len(name) :]}"
            form.add_error(target, message)


class DemographicsForm(forms.Form):
    mrn = forms.CharField(
        label="MRN", max_length=32, required=False, help_text="Leave blank to number it."
    )
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DateInput)
    sex_at_birth = forms.ChoiceField(choices=_blank(SexAtBirth.choices))
    email = forms.EmailField(label="E-mail", required=False)
    phone = forms.CharField(max_length=30, required=False)
    address_line = forms.CharField(label="Address", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=2, required=False)
    zip_code = forms.CharField(label="ZIP code", max_length=5, required=False)
    preferred_contact = forms.ChoiceField(choices=_blank(PreferredContact.choices), required=False)
    emergency_contact_name = forms.CharField(max_length=200, required=False)
    emergency_contact_relationship = forms.CharField(
        label="Relationship", max_length=100, required=False
    )
    emergency_contact_phone = forms.CharField(max_length=30, required=False)
    # Clinical fields: removed for roles without chart_clinical (see `for_role`).
    diagnosis = forms.ChoiceField(
        label="Working diagnosis", choices=_blank(Diagnosis.choices), required=False
    )
    pregnant = forms.BooleanField(required=False)
    breastfeeding = forms.BooleanField(required=False)
    pregnancy_status_on = forms.DateField(
        label="Pregnancy status confirmed on", widget=DateInput, required=False
    )
    psychiatric_history = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    CLINICAL = (
        "diagnosis",
        "pregnant",
        "breastfeeding",
        "pregnancy_status_on",
        "psychiatric_history",
    )

    def __init__(
        self, *args: Any, clinical: bool, editing: bool, demographic: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not clinical:
            for name in self.CLINICAL:
                del self.fields[name]
        if not demographic:
            # A nurse charts diagnosis and pregnancy status but does not edit demographics.
            for name in [n for n in self.fields if n not in (*self.CLINICAL, "version")]:
                del self.fields[name]
        if editing:
            if demographic:
                self.fields["mrn"].required = True
                self.fields["mrn"].help_text = ""
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            # Registration asks who the patient is; the rest is charted on the chart page.
            for name in ("pregnancy_status_on", "psychiatric_history", "pregnant", "breastfeeding"):
                self.fields.pop(name, None)


class WeightForm(forms.Form):
    weight_kg = forms.DecimalField(label="Weight (kg)", max_digits=6, decimal_places=2)
    measured_on = forms.DateField(widget=DateInput, required=False, help_text="Default: today.")


class VitalsForm(forms.Form):
    systolic = forms.IntegerField(label="Systolic (mmHg)")
    diastolic = forms.IntegerField(label="Diastolic (mmHg)")
    heart_rate = forms.IntegerField(label="Heart rate (/min)", required=False)
    spo2 = forms.IntegerField(label="SpO2 (%)", required=False)
    at = forms.DateTimeField(
        label="Taken at", widget=DateTimeInput, required=False, help_text="Default: now."
    )


class AllergyForm(forms.Form):
    substance = forms.CharField(max_length=200)
    reaction = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(
        choices=[("", "—"), ("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")],
        required=False,
    )


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=200)
    medication_class = forms.ChoiceField(label="Class", choices=_blank(MedicationClass.choices))
    dose = forms.CharField(max_length=100, required=False)
    started_on = forms.DateField(widget=DateInput, required=False)


class ConditionForm(forms.Form):
    code = forms.ChoiceField(label="Condition", choices=_blank(CONDITION_CHOICES))
    onset_on = forms.DateField(label="Onset", widget=DateInput, required=False)
    note = forms.CharField(max_length=300, required=False)


class TrialForm(forms.Form):
    drug = forms.CharField(max_length=100)
    daily_dose_mg = forms.DecimalField(
        label="Daily dose (mg)", max_digits=7, decimal_places=1, required=False
    )
    weeks = forms.IntegerField(label="Weeks at that dose")
    adherence = forms.ChoiceField(choices=TrialAdherence.choices, initial="unknown")
    adequate = forms.BooleanField(label="Adequate dose and duration", required=False)
    outcome = forms.ChoiceField(choices=_blank(TrialOutcome.choices))
    current_episode = forms.BooleanField(label="In the current episode", required=False)


class ConsentForm(forms.Form):
    document = forms.ChoiceField(choices=())
    version = forms.CharField(label="Form version", max_length=30)
    signed_on = forms.DateField(widget=DateInput, required=False, help_text="Default: today.")
    signed_by = forms.CharField(
        label="Signed by",
        max_length=200,
        required=False,
        help_text="The patient, or the legal representative's name.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ketacare.patients.services import CONSENT_DOCUMENTS

        super().__init__(*args, **kwargs)
        self.fields["document"].choices = list(CONSENT_DOCUMENTS.items())


class NoteForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)


class AmendNoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    reason = forms.CharField(label="Reason for the amendment", max_length=300)


# The forms of the chart page, by section (the section names of `queries.SECTIONS`). Rating
# scales have their own per-item form (`scale_forms`), picked by instrument.
RECORD_FORMS: dict[str, type[forms.Form]] = {
    "weights": WeightForm,
    "vitals": VitalsForm,
    "allergies": AllergyForm,
    "medications": MedicationForm,
    "conditions": ConditionForm,
    "trials": TrialForm,
    "consents": ConsentForm,
    "notes": NoteForm,
}
