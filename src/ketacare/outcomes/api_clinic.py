"""JSON API of the clinic's outcomes (contracts.md 2.4), under /api/v1/.

    GET /outcomes?route=&from=&to=[&scale=][&clinic_id=]

The same read as the page `/outcomes/clinic/` (`clinic_outcomes`): VIEW_CLINIC_OUTCOMES
(prescriber, clinic admin), audited, computed by the database. `scale` (PHQ-9 by default) is an
addition to the contract's parameters; the answer's fields are the contract's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from ketacare.api.acting import membership_for_clinic
from ketacare.api.errors import validation_detail
from ketacare.api.schemas import Error, Invalid
from ketacare.outcomes.clinic_outcomes import OBJECT_TYPE, clinic_outcomes, read_filters

router = Router(tags=["Long-term results"])


class OutcomeParams(Schema):
    route: str | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    scale: str | None = None
    clinic_id: int | None = None


class ProportionOut(Schema):
    """k of n with its rate (null when n is 0) and 95 % Wilson interval."""

    n: int
    k: int
    rate: float | None
    ci95: list[float] | None


class CurvePoint(Schema):
    day: int
    survival: float
    low: float
    high: float


class RelapseOut(Schema):
    """Kaplan-Meier of time to relapse among responders (days since the end of induction)."""

    responders: int
    events: int
    median_days: int | None
    curve: list[CurvePoint]


class BenchmarkOut(Schema):
    label: str
    rate: float
    source: str


class ClinicOutcomesOut(Schema):
    patients_treated: int
    response: ProportionOut
    remission: ProportionOut
    relapse: RelapseOut
    benchmarks: list[BenchmarkOut]


@router.get(
    "/outcomes",
    response={200: ClinicOutcomesOut, 401: Error, 403: Error, 404: Error, 422: Invalid},
    summary="The clinic's outcomes: response, remission (Wilson) and relapse (Kaplan-Meier)",
)
def read_clinic_outcomes(request: HttpRequest, params: Query[OutcomeParams]) -> Any:
    membership = membership_for_clinic(
        request, params.clinic_id, location="query", object_type=OBJECT_TYPE
    )
    try:
        filters = read_filters(
            route=params.route,
            date_from=params.date_from,
            date_to=params.date_to,
            scale=params.scale,
            today=timezone.localdate(),
        )
    except ValidationError as error:
        raise NinjaValidationError(validation_detail(error, location="query")) from None
    return Status(200, clinic_outcomes(membership, filters).as_document())
