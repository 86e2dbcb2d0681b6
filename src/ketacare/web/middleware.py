"""Content-Security-Policy on every response: scripts and styles from our own origin only.

Pages carry no inline script or style (style guide, "Templates and HTMX"), so the policy can be
strict; the QR code of MFA enrolment is a data: image. The Django admin's own templates still use
a few inline `style` attributes, so only under /admin/ are inline styles allowed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
POLICY = "; ".join((*_BASE, "style-src 'self'"))
ADMIN_POLICY = "; ".join((*_BASE, "style-src 'self' 'unsafe-inline'"))


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else POLICY
        return response
