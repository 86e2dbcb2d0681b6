"""JSON API of the eligibility review (contracts.md 2.2), mounted under /api/v1/.

    GET  /patients/{id}/screen?route=R           the screen of the chart as it is now, unsigned
    POST /patients/{id}/eligibility-reviews      sign a decision (prescribers) -> 201
    GET  /patients/{id}/eligibility-reviews      the patient's reviews, newest first
    GET  /eligibility-reviews/{id}               one review

The acting clinic is the clinic of the object in the path (contracts 2.0): the caller's
membership there, if any; otherwise the caller's acting membership, under which the lookup is a
404 with a denied audit event. Errors (`ketacare.api.errors`): 403 role, 404 other clinic, 409
with `reasons` (the excluding rules), 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ketacare.api.acting import membership_for_object
from ketacare.api.schemas import ConflictOut, Error, Invalid, Page, PageParams
from ketacare.patients.models import Patient
from ketacare.screening.models import EligibilityReview
from ketacare.screening.queries import get_review_for, reviews_for, screen_patient_for
from ketacare.screening.services import (
    FINDINGS_MAX_CHARS,
    NOTE_MAX_CHARS,
    sign_eligibility_decision,
)

router = Router(tags=["eligibility"])

RouteId = Literal["iv_ketamine", "esketamine_nasal", "oral_ketamine"]


# --- schemas ------------------------------------------------------------------------------


class RuleOut(Schema):
    id: str
    outcome: Literal["pass", "review", "exclude"]
    message: str
    source: str


class ScreenOut(Schema):
    """The shape of `ketacare screen`'s output (contracts.md section 1)."""

    route: RouteId
    decision: Literal["eligible", "needs_review", "not_eligible"]
    rules: list[RuleOut]


class ReviewCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    route: RouteId
    decision: Literal["eligible", "not_eligible"]
    # Required (and not blank) when the screen's decision is needs_review.
    note: str = Field("", max_length=NOTE_MAX_CHARS)
    findings: str = Field("", max_length=FINDINGS_MAX_CHARS)


class ReviewOut(Schema):
    id: int
    patient_id: int
    route: RouteId
    decision: Literal["eligible", "not_eligible"]
    screen: ScreenOut
    screen_decision: Literal["eligible", "needs_review", "not_eligible"]
    findings: str
    note: str
    signed_by: str
    signed_at: dt.datetime
    supersedes_id: int | None
    superseded: bool


class ReviewPage(Page[ReviewOut]):
    pass


# --- answers ------------------------------------------------------------------------------


def _review_out(review: EligibilityReview) -> ReviewOut:
    return ReviewOut(
        id=review.pk,
        patient_id=review.patient_id,
        route=review.route,
        decision=review.decision,
        screen=ScreenOut(**review.screen),
        screen_decision=review.screen_decision,
        findings=review.findings,
        note=review.note,
        signed_by=review.signed_by.get_username(),
        signed_at=review.signed_at,
        supersedes_id=review.supersedes_id,
        superseded=bool(getattr(review, "superseded", False)),
    )


# --- endpoints ----------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/screen",
    response={200: ScreenOut, 403: Error, 404: Error, 409: ConflictOut, 422: Invalid},
    summary="The eligibility screen of the chart as it is now (unsigned)",
)
def screen_patient(request: HttpRequest, patient_id: int, route: RouteId) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    _patient, screen = screen_patient_for(membership, patient_id, route)
    return Status(200, screen.document)


@router.post(
    "/patients/{patient_id}/eligibility-reviews",
    response={201: ReviewOut, 403: Error, 404: Error, 409: ConflictOut, 422: Invalid},
    summary="Sign an eligibility decision for one route (prescribers)",
)
def sign_review(request: HttpRequest, patient_id: int, payload: ReviewCreate) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    review = sign_eligibility_decision(
        by=membership,
        patient_id=patient_id,
        route=payload.route,
        decision=payload.decision,
        note=payload.note,
        findings=payload.findings,
    )
    # A new review is the route's latest: nothing supersedes it yet.
    review.superseded = False  # type: ignore[attr-defined]
    return Status(201, _review_out(review))


@router.get(
    "/patients/{patient_id}/eligibility-reviews",
    response={200: ReviewPage, 403: Error, 404: Error},
    summary="A patient's signed eligibility reviews, newest first",
)
def list_reviews(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    _patient, rows, count = reviews_for(
        membership, patient_id, limit=page.limit, offset=page.offset
    )
    return Status(200, ReviewPage(items=[_review_out(r) for r in rows], count=count))


@router.get(
    "/eligibility-reviews/{review_id}",
    response={200: ReviewOut, 403: Error, 404: Error},
    summary="One signed eligibility review",
)
def get_review(request: HttpRequest, review_id: int) -> Any:
    membership = membership_for_object(request, EligibilityReview, review_id)
    return Status(200, _review_out(get_review_for(membership, review_id)))
