"""The one NinjaAPI instance. Apps mount their routers here, under /v1/.

    api.add_router("/v1/patients/", "ketacare.patients.api.router")

Every route requires a bearer token or an MFA-verified session unless it says `auth=None`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from ketacare.accounts.auth import BearerTokenAuth, VerifiedSessionAuth

NOT_AUTHENTICATED = (
    "Authentication required: send a valid API token, or sign in with two-factor authentication."
)

api = NinjaAPI(
    title="KetaCare API",
    version="1",
    description=(
        "JSON API of KetaCare. Authenticate with `Authorization: Bearer <token>` (from "
        "`ketacare token create --user NAME`) or a browser session that passed two-factor sign-in."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Same answer for a missing, wrong, revoked or expired token: no hint whether it exists.
    response = api.create_response(request, {"detail": NOT_AUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="KetaCare"'
    return response


api.add_router("/v1/", "ketacare.api.me.router")
