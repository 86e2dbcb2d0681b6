"""Answering a patient link without signing in (contracts.md 2.4), mounted under /api/v1/.

    POST /responses/{token}   {answers, side_effects_text?} -> 201 {instrument, total, severity,
                              crisis} (+ crisis_resources when crisis)

A used, expired or unknown token: 410 with one and the same body. Partial answers: 422 naming
each missing item, nothing stored. Past the rate limit of the client address: 429.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from ketacare.api.schemas import Error, Invalid
from ketacare.outcomes.responses import (
    RATE_WINDOW_SECONDS,
    LinkGone,
    TooManyRequests,
    submit_answers,
)
from ketacare.web.client_ip import client_ip

router = Router(auth=None, tags=["Patient links (no sign-in)"])

GONE = (
    "This link cannot be used: it may have been used already or run out of time. "
    "Ask the clinic for a new one."
)
TOO_MANY = "Too many requests from this address; try again later."


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: list[Any]
    side_effects_text: str | None = None


class CrisisResourceOut(Schema):
    name: str
    contact: str


class ResponseOut(Schema):
    instrument: str
    total: int | None
    severity: str | None
    crisis: bool
    crisis_resources: list[CrisisResourceOut] | None = None


def _answer(body: dict[str, Any], status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@router.post(
    "/responses/{token}",
    response={201: ResponseOut, 410: Error, 422: Invalid, 429: Error},
    exclude_unset=True,
    summary="Answer a patient link (no sign-in; single use)",
)
def answer_link(request: HttpRequest, token: str, payload: ResponseIn) -> Any:
    try:
        result = submit_answers(
            token, payload.answers, payload.side_effects_text, client=client_ip(request)
        )
    except LinkGone:
        return _answer({"detail": GONE}, 410)
    except TooManyRequests:
        response = _answer({"detail": TOO_MANY}, 429)
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return response
    out = ResponseOut(
        instrument=result.instrument,
        total=result.total,
        severity=result.severity,
        crisis=result.crisis,
    )
    if result.crisis:
        out.crisis_resources = [
            CrisisResourceOut(name=r.name, contact=r.contact) for r in result.crisis_resources
        ]
    return Status(201, out)
