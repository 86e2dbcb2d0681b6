"""The one NinjaAPI instance. Apps mount their routers here, under /v1/.

    api.add_router("/v1/patients/", "ketacare.patients.api.router")

Every route requires a bearer token or an MFA-verified session unless it says `auth=None`. The
schema (/api/openapi.json) and the docs page (/api/docs) are for signed-in staff only: the
committed docs/openapi.json is the public description.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from ketacare.accounts.auth import BearerTokenAuth, VerifiedSessionAuth, record_refused_credentials
from ketacare.accounts.services import mfa_satisfied
from ketacare.api.errors import register_error_handlers

NOT_AUTHENTICATED = (
    "Authentication required: send a valid API token, or sign in with two-factor authentication."
)

DOCS_NOT_AUTHENTICATED = (
    "The API schema is for signed-in staff: sign in with two-factor authentication first."
)


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs page and the schema need a signed-in session that passed two-factor sign-in.

    Otherwise the schema answers 401 JSON, like the API, and the docs page sends the browser to
    the login page (which comes back here afterwards).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and mfa_satisfied(request):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": DOCS_NOT_AUTHENTICATED}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


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
    docs_decorator=staff_only,
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Same answer for a missing, wrong, revoked or expired token: no hint whether it exists.
    record_refused_credentials(request)
    response = api.create_response(request, {"detail": NOT_AUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="KetaCare"'
    return response


register_error_handlers(api)

api.add_router("/v1/", "ketacare.api.me.router")
api.add_router("/v1/", "ketacare.patients.api.router")
api.add_router("/v1/", "ketacare.screening.api.router")
api.add_router("/v1/", "ketacare.treatment.api.router")
api.add_router("/v1/", "ketacare.chair.api.router")
api.add_router("/v1/", "ketacare.intake.api.router")
api.add_router("/v1/", "ketacare.staff.api.router")
api.add_router("/v1/", "ketacare.chair.api_rems.router")
api.add_router("/v1/", "ketacare.chair.api_board.router")
api.add_router("/v1/", "ketacare.outcomes.api.router")
api.add_router("/v1/", "ketacare.outcomes.api_links.router")
api.add_router("/v1/", "ketacare.outcomes.api_followup.router")
api.add_router("/v1/", "ketacare.outcomes.api_trajectory.router")
api.add_router("/v1/", "ketacare.outcomes.api_clinic.router")
api.add_router("/v1/", "ketacare.outcomes.api_public.router")
api.add_router("/v1/", "ketacare.public.api.router")
api.add_router("/v1/", "ketacare.public.api_intake.router")
