"""Response policies: Content-Security-Policy, the admin's methods, no caching for staff.

Content-Security-Policy on every response: scripts and styles from our own origin only.

Pages carry no inline script or style (style guide, "Templates and HTMX"), so the policy can be
strict; the QR code of MFA enrolment is a data: image. The Django admin's own templates still use
a few inline `style` attributes, so only under /admin/ are inline styles allowed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

_BASE = (
    "default-src 'self'",
    "img-src 'self' data:",
    "script-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
ADMIN_PREFIX = "/admin/"

POLICY = "; ".join((*_BASE, "style-src 'self'"))
ADMIN_POLICY = "; ".join((*_BASE, "style-src 'self' 'unsafe-inline'"))


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(ADMIN_PREFIX)
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else POLICY
        return response


# --- admin methods ----------------------------------------------------------------------------

ADMIN_METHODS = ("GET", "HEAD", "POST")


class AdminMethodsMiddleware:
    """Under /admin/ only GET, HEAD and POST: anything else is a 405 before any view runs.

    Django's admin views render their page for any method they do not treat as a write (OPTIONS,
    PUT, TRACE, made-up ones...), so an unusual method would read a record past the audit, which
    records reads by method.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ADMIN_PREFIX) and request.method not in ADMIN_METHODS:
            return HttpResponseNotAllowed(
                ADMIN_METHODS, "Method not allowed.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


# --- no caching of pages for signed-in users --------------------------------------------------


class PrivateCacheMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user.

    Pages, exports and API answers for staff carry patient data or audit records: neither the
    browser's cache nor a shared proxy may keep them. Static files (answered by WhiteNoise before
    any user is known) keep their long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
