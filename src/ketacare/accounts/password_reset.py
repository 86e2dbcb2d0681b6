"""Password reset by e-mail: Django's views with our pages, audited; a reset never skips MFA.

The request page answers the same whether or not an account uses the address (Django mails
only active accounts that have a password; an invited colleague who has not chosen one yet uses
their invitation link). Choosing the new password does not sign in (`post_reset_login` stays
off): the next sign-in asks for the password and then the authenticator code, as always.
Both steps are audited under the account's clinic, ids only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy

from ketacare.accounts.services import signed_in_membership
from ketacare.audit.models import Action
from ketacare.audit.services import record_event


def _record(user: AbstractBaseUser, detail: str) -> None:
    record_event(
        action=Action.UPDATE,
        membership=signed_in_membership(user),
        user=user,
        object_type="user",
        object_id=user.pk,
        detail=detail,
    )


def _hours() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT) // 3600


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address of your account"

    def save(self, *args: Any, **kwargs: Any) -> None:
        users = list(self.get_users(self.cleaned_data["email"]))
        super().save(*args, **kwargs)
        for user in users:
            with transaction.atomic(durable=True):
                _record(user, "password_reset_mail")


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "The same password again"
        # Django's help is an HTML list; the shared field template shows plain text.
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "hours": _hours()}


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # never: the next sign-in asks for the authenticator code

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:  # type: ignore[override]
        with transaction.atomic(durable=True):
            response = super().form_valid(form)
            _record(form.user, "password_reset")
        return response


class ResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
