"""django-ninja authentication: a bearer API token, or a browser session that passed MFA.

Both return the user, so endpoints read `request.auth` (the user) and scope by its memberships
(`ketacare.clinics.tenancy.memberships_of`). A refused token and a missing one look the same to
the caller: 401 {"detail": ...}; each refusal is a denied audit event
(`record_refused_credentials`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from ketacare.accounts.services import mfa_satisfied
from ketacare.accounts.tokens import authenticate_api_token
from ketacare.audit.models import Action
from ketacare.audit.services import record_denied

# The object type of a refused API request: no object was reached, only the API itself.
API_OBJECT_TYPE = "api"
TOKEN_MISSING = "token_missing"  # noqa: S105 - an audit code, not a secret
TOKEN_REFUSED = "token_refused"  # noqa: S105 - an audit code, not a secret

_ACTION_BY_METHOD = {
    "POST": Action.CREATE,
    "PUT": Action.UPDATE,
    "PATCH": Action.UPDATE,
    "DELETE": Action.DELETE,
}


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


def record_refused_credentials(request: HttpRequest) -> None:
    """A denied audit event for an API request refused for want of valid credentials.

    The action is what the method would have done (GET and anything else: `read`); the detail
    says only whether credentials came at all (`token_missing`) or were refused
    (`token_refused`: wrong, malformed, revoked, expired or of a deactivated user, which the
    caller cannot tell apart). Never the token or any part of it: the presented text may be a
    live secret with a typo, or someone else's. No actor either: a token that matches nobody
    proves no identity (the server log of `ketacare.accounts.tokens` says why a token failed).
    """
    presented = bool(request.headers.get("Authorization"))
    record_denied(
        action=_ACTION_BY_METHOD.get(request.method or "", Action.READ),
        object_type=API_OBJECT_TYPE,
        reason=TOKEN_REFUSED if presented else TOKEN_MISSING,
    )
