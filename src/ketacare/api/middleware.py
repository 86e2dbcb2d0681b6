"""Every error under /api/ is JSON `{"detail": ...}` (contracts.md section 2).

django-ninja answers its own errors in JSON, but some answers never reach it: a path no route
matches (Django's 404 page), a method a route does not take (ninja's plain-text 405), an error
page from Django itself (400, 403, 500). This middleware replaces such a non-JSON error answer
under /api/ with the JSON one, keeping the status and headers such as `Allow`.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary")


def _detail(status: int) -> str:
    if status == HTTPStatus.NOT_FOUND:
        return "Not found: no API endpoint at this address."
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return "Method not allowed at this address."
    try:
        return f"{HTTPStatus(status).phrase}."
    except ValueError:
        return "The request failed."


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        replacement = JsonResponse(
            {"detail": _detail(response.status_code)}, status=response.status_code
        )
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement
