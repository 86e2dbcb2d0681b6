"""Errors of the use cases, as the API answers them (contracts.md 2.0).

- Django's `ValidationError` with a dict naming the field(s): 422
  `{"detail": [{"loc": ["body", "<field>"], "msg": "..."}]}` (a dotted field such as
  `order.dose_mg` becomes several `loc` elements, so the last one names the field);
- Django's `PermissionDenied` (the role table said no): 403 `{"detail": "..."}`;
- `Conflict` (a stale `version`, a signed record, a rule that forbids it): 409
  `{"detail": "...", "reasons": [...]}`.

`register_error_handlers(api)` is called once by `ketacare.api.site`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from ninja import NinjaAPI


class Conflict(Exception):
    """The record's state forbids the change (409). `reasons` are "RULE-ID: sentence" strings
    where clinical rules decided; `code` is a stable word for pages and tests."""

    def __init__(self, detail: str, *, code: str = "conflict", reasons: list[str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.reasons = list(reasons or [])


def validation_detail(error: ValidationError, *, location: str = "body") -> list[dict[str, object]]:
    """The 422 `detail` list of one ValidationError: one entry per message, `loc` ending with
    the field it names."""
    if not hasattr(error, "error_dict"):
        return [{"loc": [location], "msg": message} for message in error.messages]
    detail: list[dict[str, object]] = []
    for field, errors in error.message_dict.items():
        loc = [location] if field == NON_FIELD_ERRORS else [location, *field.split(".")]
        detail.extend({"loc": loc, "msg": message} for message in errors)
    return detail


def register_error_handlers(api: NinjaAPI) -> None:
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": validation_detail(exc)}, status=422)

    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "Your role does not allow this."
        return api.create_response(request, {"detail": message}, status=403)

    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        body: dict[str, object] = {"detail": exc.detail}
        if exc.reasons:
            body["reasons"] = exc.reasons
        return api.create_response(request, body, status=409)

    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Conflict, conflict)
