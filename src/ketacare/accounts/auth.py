"""django-ninja authentication: a bearer API token, or a browser session that passed MFA.

Both return the user, so endpoints read `request.auth` (the user) and scope by its memberships
(`ketacare.clinics.tenancy.memberships_of`). A refused token and a missing one look the same to
the caller: 401 {"detail": ...}.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from ketacare.accounts.services import mfa_satisfied
from ketacare.accounts.tokens import authenticate_api_token


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kc_<prefix>_<secret>` from `ketacare token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        # Shared code (history, audit, scoping) reads request.user, as for a session.
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session, only once the user has passed two-factor sign-in."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie: nothing to authenticate, so no CSRF check (401, not 403).
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is not None and request.user.is_authenticated and mfa_satisfied(request):
            return request.user
        return None
