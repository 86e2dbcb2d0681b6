"""Public JSON API of the self-check and the clinic finder (contracts.md 2.5): no sign-in,
rate-limited per address (429). The same services as the pages (`ketacare.public.self_check`,
`ketacare.public.finder`); bad input is a 422 naming the field; nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, StrictBool, StrictInt

from ketacare.api.errors import validation_detail
from ketacare.api.schemas import Invalid
from ketacare.public.finder import RADIUS_DEFAULT_MILES, find_clinics
from ketacare.public.limits import TOO_MANY, WINDOW_SECONDS, public_allowed
from ketacare.public.self_check import parse_self_check, run_self_check, sign_self_check

router = Router(auth=None, tags=["Public (no sign-in)"])


class TooMany(Schema):
    detail: str


def _too_many() -> HttpResponse:
    response = JsonResponse({"detail": TOO_MANY}, status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


# --- self-check --------------------------------------------------------------------------


class SelfCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    route: str = Field(
        description="`iv_ketamine`, `esketamine_nasal`, `oral_ketamine`, or `not_sure` (all three)."
    )
    age: StrictInt = Field(description="Age in years.")
    phq9: list[StrictInt | None] = Field(
        description="The nine PHQ-9 answers (0-3), question 1 first; a null one is named missing."
    )
    antidepressants_tried: StrictInt | None = Field(
        description="Antidepressants taken at an adequate dose and duration without enough "
        "benefit in this episode; null when not sure."
    )
    conditions: list[str] = Field(
        description="Condition codes of the screening table that apply (empty when none)."
    )
    pregnant: StrictBool | None = Field(None, description="Left out: screened as no, and said so.")
    breastfeeding: StrictBool | None = Field(
        None, description="Left out: screened as no, and said so."
    )
    bipolar: StrictBool | None = Field(
        None, description="True screens with diagnosis `bipolar_depression` instead of `mdd`."
    )


class CrisisResource(Schema):
    name: str
    contact: str


class RouteDecisionOut(Schema):
    route: str
    decision: str = Field(
        description="The screen's decision: eligible, needs_review, not_eligible."
    )


class SelfCheckOut(Schema):
    result: str = Field(
        description="`may_be_candidate`, `needs_clinician` or `usually_not_offered`."
    )
    reasons: list[str] = Field(description="Plain sentences: the clinical core's messages.")
    crisis: bool = Field(description="True when PHQ-9 question 9 (or intent) asks for help now.")
    crisis_resources: list[CrisisResource] | None = Field(
        None, description="Only when `crisis`: whom to call or text now."
    )
    routes: list[RouteDecisionOut]
    phq9_total: int
    phq9_severity: str
    self_check: str = Field(
        description="Signed value of these answers and this result, to attach to an intake "
        "request (`self_check` of `POST /public/clinics/{id}/intake-requests`) if the person "
        "chooses to. Not stored anywhere."
    )


@router.post(
    "/public/self-check",
    response={200: SelfCheckOut, 422: Invalid, 429: TooMany},
    summary="Anonymous self-check: could ketamine treatment be an option? (nothing stored)",
)
def post_self_check(request: HttpRequest, payload: SelfCheckIn) -> Any:
    if not public_allowed(request, "self-check"):
        return _too_many()
    data = payload.model_dump(exclude_unset=True)
    answers = parse_self_check(data)  # ValidationError → 422 naming the field
    result = run_self_check(answers)
    return {**result.as_document(), "self_check": sign_self_check(result)}


# --- finder ------------------------------------------------------------------------------


class FinderQuery(Schema):
    zip: str = Field(description="A 5-digit US ZIP code.")
    radius_miles: str | None = Field(
        None, description=f"1-500 miles (default {RADIUS_DEFAULT_MILES})."
    )
    route: str | None = Field(None, description="Only clinics offering this route.")
    accepting: bool = Field(False, description="Only clinics accepting new patients.")
    rems: bool = Field(False, description="Only clinics certified in the esketamine REMS.")


class ClinicOut(Schema):
    id: int
    name: str
    address: str
    city: str
    state: str
    zip: str
    phone: str
    routes: list[str]
    accepting_new_patients: bool
    rems_certified: bool
    distance_miles: float = Field(description="From the ZIP's center, to 0.1 mile.")


class ClinicsOut(Schema):
    items: list[ClinicOut]
    count: int


@router.get(
    "/public/clinics",
    response={200: ClinicsOut, 422: Invalid, 429: TooMany},
    summary="Clinics near a US ZIP code, nearest first",
)
def get_clinics(request: HttpRequest, query: Query[FinderQuery]) -> Any:
    if not public_allowed(request, "finder"):
        return _too_many()
    try:
        found = find_clinics(
            zip_code=query.zip,
            radius_miles=query.radius_miles or RADIUS_DEFAULT_MILES,
            route=query.route,
            accepting_only=query.accepting,
            rems_only=query.rems,
        )
    except ValidationError as error:
        # The fields are query parameters: `loc` says so, as ninja's own 422s do.
        raise NinjaValidationError(validation_detail(error, location="query")) from None
    items = [match.as_document() for match in found.items]
    return Status(200, {"items": items, "count": len(items)})
