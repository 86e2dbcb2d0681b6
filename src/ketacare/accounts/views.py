"""Sign-in pages: password, TOTP verification, TOTP enrolment, sign-out."""

from __future__ import annotations

from base64 import b32encode, b64encode
from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.forms import SignInForm, TotpCodeForm
from ketacare.accounts.services import (
    IDLE_SIGNED_OUT_SESSION_KEY,
    AccountError,
    CodeCheck,
    confirm_totp_enrolment,
    confirmed_totp_device,
    idle_sign_out_message,
    mfa_satisfied,
    start_totp_enrolment,
    verify_totp_login,
)

# The login page's promise about the second step, true in either mode.
SECOND_STEP_NOTE = (
    "After your password you will be asked for a code from your authenticator app (at your "
    "first sign-in, you set one up)."
)
DEMO_NOTICE = (
    "Demo mode: the demo accounts sign in with their password alone. Every other account is "
    "asked for a code from its authenticator app after the password."
)
WRONG_CODE = "That code is not correct. Check that your device's clock is right and try again."
REUSED_CODE = "This code was already used; wait for the next one."
THROTTLED_CODE = "Too many wrong codes in a row. Wait a minute, then try the newest code."
_REFUSED_CODE = {CodeCheck.WRONG: WRONG_CODE, CodeCheck.REUSED: REUSED_CODE}


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    """Password step. Afterwards: TOTP verify, TOTP enrolment, or (demo users in demo mode) home."""

    template_name = "accounts/login.html"
    form_class = SignInForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        minutes = request.session.pop(IDLE_SIGNED_OUT_SESSION_KEY, None)
        if minutes is not None:
            messages.info(request, idle_sign_out_message(minutes))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_notice"] = DEMO_NOTICE if settings.DEMO_MODE else ""
        context["second_step_note"] = "" if settings.DEMO_MODE else SECOND_STEP_NOTE
        return context

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        # 400 for a refused sign-in, the same for an unknown user and a wrong password.
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        auth_login(self.request, user)  # audit event and demo flag: accounts.signals
        next_url = self.get_success_url()
        if mfa_satisfied(self.request):
            return HttpResponseRedirect(next_url)
        if confirmed_totp_device(user) is not None:
            return HttpResponseRedirect(_step_url("accounts:mfa_verify", next_url))
        return HttpResponseRedirect(_step_url("accounts:mfa_enrol", next_url))


def _accepted_device(
    request: HttpRequest,
    form: TotpCodeForm,
    check: Callable[[str], tuple[CodeCheck, TOTPDevice | None]],
) -> TOTPDevice | None:
    """The device `check` accepted the posted code for, or None with the reason on the form.

    Shared by verification and enrolment so both word a wrong or throttled code the same way.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result, device = check(form.cleaned_data["otp_token"])
    except AccountError as error:
        form.add_error(None, str(error))
        return None
    if result is CodeCheck.ACCEPTED and device is not None:
        return device
    form.add_error("otp_token", _REFUSED_CODE.get(result, THROTTLED_CODE))
    return None


def _form_status(request: HttpRequest) -> int:
    # A code page only renders again after a POST when the code was refused.
    return 400 if request.method == "POST" else 200


def _finish_mfa(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    next_url = _safe_next(request)
    # New session key on privilege change (now fully signed in), as after the password step.
    request.session.cycle_key()
    django_otp.login(request, device)
    return HttpResponseRedirect(next_url)


_View = Callable[[HttpRequest], HttpResponse]


def _code_step(view: _View) -> _View:
    """The two code pages (verify, enrol): GET and POST only, never cached, CSRF-checked, the
    code kept out of error reports; only for a user past the password step and not yet past MFA
    (anyone else goes to the login page, or on to where they were going)."""

    @sensitive_post_parameters("otp_token")
    @never_cache
    @csrf_protect
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        if mfa_satisfied(request):
            return HttpResponseRedirect(_safe_next(request))
        return view(request)

    return step


@_code_step
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if confirmed_totp_device(request.user) is None:
        return HttpResponseRedirect(_step_url("accounts:mfa_enrol", _safe_next(request)))
    form = TotpCodeForm(request.POST or None)
    device = _accepted_device(
        request,
        form,
        lambda code: verify_totp_login(user=request.user, code=code, session=request.session),
    )
    if device is not None:
        return _finish_mfa(request, device)
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _safe_next(request)},
        status=_form_status(request),
    )


def _qr_data_uri(text: str) -> str:
    """The otpauth:// URL as an SVG QR code, drawn on the server (no JavaScript, no network)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + b64encode(buffer.getvalue()).decode("ascii")


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@_code_step
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    # Adding a second authenticator needs the first one: never offer enrolment past a device.
    if confirmed_totp_device(request.user) is not None:
        return HttpResponseRedirect(_step_url("accounts:mfa_verify", _safe_next(request)))
    form = TotpCodeForm(request.POST or None)
    confirmed = _accepted_device(
        request,
        form,
        lambda code: confirm_totp_enrolment(user=request.user, session=request.session, code=code),
    )
    if confirmed is not None:
        messages.success(request, "Your authenticator app is set up.")
        return _finish_mfa(request, confirmed)
    try:
        device = start_totp_enrolment(user=request.user, session=request.session)
    except AccountError:  # confirmed meanwhile (another tab): verify with it instead
        return HttpResponseRedirect(_step_url("accounts:mfa_verify", _safe_next(request)))
    context = {
        "form": form,
        "next": _safe_next(request),
        "qr_data_uri": _qr_data_uri(device.config_url),
        "secret": _grouped_secret(device),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", "KetaCare"),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=_form_status(request))
