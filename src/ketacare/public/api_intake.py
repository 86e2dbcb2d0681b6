"""`POST /public/clinics/{id}/intake-requests` (contracts.md 2.5): no sign-in, rate-limited.

The same service as the clinic page's form (ketacare.public.intake): 201 with the request's
`reference`; 404 for an unknown clinic; 409 when the clinic is not accepting new patients; 422
naming the field; 429 past the rate limit of the caller's address. After any 4xx nothing is
stored.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from ketacare.api.schemas import Error, Invalid
from ketacare.patients.models import PreferredContact
from ketacare.public.intake import (
    PUBLIC_MESSAGE_MAX_CHARS,
    RETRY_AFTER_SECONDS,
    RateLimited,
    submit_public_request,
)
from ketacare.web.client_ip import client_ip

router = Router(auth=None, tags=["Public (no sign-in)"])

# A signed self-check is a few hundred characters; anything much longer is not one.
SELF_CHECK_MAX_CHARS = 4000


class PublicIntakeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    email: str | None = Field(None, max_length=254, description="E-mail or phone, or both.")
    phone: str | None = Field(None, max_length=30)
    preferred_contact: PreferredContact = Field(
        description="How the person wants to be contacted: one they gave (e-mail needs `email`, "
        "phone or text needs `phone`)."
    )
    best_time: str | None = Field(None, max_length=100, description="For example: mornings.")
    message: str | None = Field(None, max_length=PUBLIC_MESSAGE_MAX_CHARS)
    self_check: str | None = Field(
        None,
        max_length=SELF_CHECK_MAX_CHARS,
        description="The signed `self_check` value of `POST /public/self-check`, only if the "
        "person chose to attach their self-check.",
    )


class PublicIntakeOut(Schema):
    reference: str = Field(description="The request's reference, to quote to the clinic.")


class RateLimitedOut(Schema):
    detail: str


@router.post(
    "/public/clinics/{clinic_id}/intake-requests",
    response={201: PublicIntakeOut, 404: Error, 409: Error, 422: Invalid, 429: RateLimitedOut},
    summary="Ask a clinic for an evaluation (lands in its intake queue)",
)
def send_intake_request(
    request: HttpRequest, clinic_id: int, payload: PublicIntakeIn
) -> Status[Any] | HttpResponse:
    data = payload.model_dump()
    data["preferred_contact"] = payload.preferred_contact.value
    try:
        submitted = submit_public_request(
            clinic_id, data, client_ip(request), site_url=request.build_absolute_uri("/")
        )
    except RateLimited as refused:
        response = JsonResponse({"detail": refused.detail}, status=429)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return Status(201, PublicIntakeOut(reference=submitted.reference))
