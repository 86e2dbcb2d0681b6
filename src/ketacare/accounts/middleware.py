"""Session idle time-out and the MFA requirement for every staff page.

Both run after Django's AuthenticationMiddleware and django-otp's OTPMiddleware, and before the
audit context and messages middleware (settings.MIDDLEWARE), hence the small detours below: the
audit context for an idle sign-out is set here, and the sign-out notice travels in the new
session to the login page instead of through `messages`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from ketacare.accounts.services import (
    IDLE_SIGNED_OUT_SESSION_KEY,
    LAST_ACTIVITY_SESSION_KEY,
    confirmed_totp_device,
    idle_sign_out_message,
    mfa_satisfied,
)
from ketacare.accounts.signals import LOGOUT_REASON_ATTR
from ketacare.api.middleware import API_PREFIX
from ketacare.audit.context import reset_context, set_context
from ketacare.audit.middleware import request_context

MFA_REQUIRED_DETAIL = "Two-factor sign-in is required: finish signing in, or send an API token."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _is_htmx(request: HttpRequest) -> bool:
    # django-htmx's middleware runs later, so read the header directly.
    return request.headers.get("HX-Request") == "true"


# Sent by pages that refresh themselves (the nurse board's polling): such a request is served
# but is not a person's activity, so a screen left open still signs out when nobody uses it.
BACKGROUND_REFRESH_HEADER = "X-KetaCare-Background-Refresh"


def _is_background_refresh(request: HttpRequest) -> bool:
    return _is_htmx(request) and request.headers.get(BACKGROUND_REFRESH_HEADER) == "1"


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET" and not _is_htmx(request):
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


# A patient's questionnaire link (page and API) needs no sign-in, whoever else uses the browser:
# neither staff middleware acts on it (an idle staff session must not turn the patient's link
# into a sign-in page whose `next` carries the token).
PATIENT_LINK_PREFIXES = ("/r/", "/api/v1/responses/")


class IdleTimeoutMiddleware:
    """Signs a session out after settings.SESSION_IDLE_TIMEOUT_MIN minutes without a request.

    Every authenticated request records its time in the session (one session write per request;
    deterministic, so query counts in tests do not depend on timing), except a page's own
    background refresh (BACKGROUND_REFRESH_HEADER), which is judged but never extends it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(PATIENT_LINK_PREFIXES):
            now = int(time.time())
            minutes = int(settings.SESSION_IDLE_TIMEOUT_MIN)
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if isinstance(last, int) and now - last > minutes * 60:
                response = self._sign_out(request, minutes)
                if _is_api(request) and "HTTP_AUTHORIZATION" in request.META:
                    return self.get_response(request)  # the stale session is gone; judge the token
                return response
            if not _is_background_refresh(request):
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, minutes: int) -> HttpResponse:
        setattr(request, LOGOUT_REASON_ATTR, "idle_timeout")
        token = set_context(request_context(request))
        try:
            logout(request)
        finally:
            reset_context(token)
        message = idle_sign_out_message(minutes)
        if _is_api(request):
            return JsonResponse({"detail": message}, status=401)
        # logout() flushed the session; the login page reads this key from the fresh one.
        request.session[IDLE_SIGNED_OUT_SESSION_KEY] = minutes
        return _redirect(request, _with_next(reverse(settings.LOGIN_URL), request))


@cache
def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:mfa_verify"),
        reverse("accounts:mfa_enrol"),
    )


@cache
def _api_docs_page() -> str:
    return reverse("api:openapi-view")


class RequireMFAMiddleware:
    """A signed-in user who has not passed TOTP reaches only the sign-in pages and static files.

    Pages redirect to the verify page (or to enrolment when the user has no authenticator yet);
    so does the API's docs page, which a browser opens. API requests get 401 JSON, unless they
    carry an Authorization header for the API to judge.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not self._allowed(request)
            and not mfa_satisfied(request)
        ):
            if _is_api(request) and request.path != _api_docs_page():
                if "HTTP_AUTHORIZATION" in request.META:
                    return self.get_response(request)
                return JsonResponse({"detail": MFA_REQUIRED_DETAIL}, status=401)
            name = (
                "accounts:mfa_verify"
                if confirmed_totp_device(request.user)
                else "accounts:mfa_enrol"
            )
            return _redirect(request, _with_next(reverse(name), request))
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path
        return (
            path in _exempt_paths()
            or path.startswith(settings.STATIC_URL)
            or path.startswith(PATIENT_LINK_PREFIXES)
        )
