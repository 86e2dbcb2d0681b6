"""Sign-in forms: password step (one generic error) and the six-digit TOTP code."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm

GENERIC_LOGIN_ERROR = "The user name or password is not correct."


class SignInForm(AuthenticationForm):
    # One message for an unknown user, a wrong password and an inactive account alike.
    error_messages = {
        "invalid_login": GENERIC_LOGIN_ERROR,
        "inactive": GENERIC_LOGIN_ERROR,
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = "User name"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TotpCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        error_messages={"required": "Enter the six-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        # People type "123 456" as many apps show it; the space is not part of the code.
        code = str(self.cleaned_data["otp_token"]).replace(" ", "")
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the six digits shown in your authenticator app.")
        return code
