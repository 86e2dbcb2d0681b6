"""Forms of the staff pages. They parse; the services decide (and name the field on refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError

from ketacare.clinics.models import Role
from ketacare.staff.errors import StaffConflict
from ketacare.staff.services import NAME_MAX_CHARS, REASON_MAX_CHARS


class StaffForm(forms.Form):
    """A form that can show a service's refusal on the field it names."""

    def add_service_error(self, error: ValidationError | StaffConflict) -> None:
        if isinstance(error, StaffConflict):
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
            return
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class InviteForm(StaffForm):
    email = forms.EmailField(label="E-mail address", max_length=254)
    given_name = forms.CharField(label="Given name", max_length=NAME_MAX_CHARS)
    family_name = forms.CharField(label="Family name", max_length=NAME_MAX_CHARS)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.NURSE)
    username = forms.CharField(
        label="User name (optional)",
        max_length=NAME_MAX_CHARS,
        required=False,
        help_text="What they type to sign in. Leave it empty to use the e-mail address.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})
        self.fields["username"].widget.attrs.update({"autocapitalize": "none"})


class RoleForm(StaffForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ActiveForm(StaffForm):
    is_active = forms.TypedChoiceField(
        choices=[("1", "Active"), ("0", "Inactive")],
        coerce=lambda value: value == "1",
        empty_value=None,
    )


class ResetAuthenticatorForm(StaffForm):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required, for example “lost phone”. Kept with the reset, visible to the "
        "clinic's admins.",
        error_messages={"required": "Write why the authenticator is reset."},
    )


class ChoosePasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The invited colleague's password, checked by the site's password validators."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "The same password again"
        # Django's help is an HTML list; the shared field template shows plain text.
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})
