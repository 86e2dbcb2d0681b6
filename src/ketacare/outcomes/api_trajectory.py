"""JSON API of a patient's outcomes on one scale (contracts.md 2.4), under /api/v1/.

    GET /patients/{id}/outcomes?instrument=I

The answer is the document of `ketacare outcomes` (the same serializer, `OutcomeSummary.
as_document`) over the patient's assessments of I, the last of each day, plus `assessments:
[{date, total}]`. An instrument without outcome definitions is a 422 naming `instrument`;
another clinic's patient a 404; a role without VIEW_CLINICAL a 403; the read is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from ketacare.api.acting import membership_for_object
from ketacare.api.errors import validation_detail
from ketacare.api.schemas import Error, Invalid
from ketacare.clinical.outcomes import OUTCOME_INSTRUMENTS
from ketacare.outcomes.trajectory import read_trajectories, trajectory_of
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for

router = Router(tags=["Long-term results"])


class OutcomesParams(Schema):
    instrument: str = Field(description=f"One of {', '.join(OUTCOME_INSTRUMENTS)}.")


class MilestoneOut(Schema):
    met: bool
    date: dt.date | None


class DatedTotal(Schema):
    date: dt.date
    total: int


class PatientOutcomesOut(Schema):
    instrument: str
    baseline: int | None
    latest: int | None
    nadir: int | None
    percent_change: float | None
    response: MilestoneOut
    remission: MilestoneOut
    relapse: MilestoneOut
    status: str = Field(
        description="relapse, remission, response, partial_response, no_response or no_baseline"
    )
    assessments: list[DatedTotal] = Field(description="The last assessment of each day.")


def _instrument(value: str) -> str:
    if value not in OUTCOME_INSTRUMENTS:
        error = ValidationError(
            {
                "instrument": f"instrument must be one of {', '.join(OUTCOME_INSTRUMENTS)} "
                "(the scales with outcome definitions)."
            }
        )
        raise NinjaValidationError(validation_detail(error, location="query"))
    return value


@router.get(
    "/patients/{patient_id}/outcomes",
    response={200: PatientOutcomesOut, 403: Error, 404: Error, 422: Invalid},
    summary="A patient's outcome on one scale: baseline, nadir, response, remission, relapse",
)
def patient_outcomes(request: HttpRequest, patient_id: int, params: Query[OutcomesParams]) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    patient = get_patient_for(membership, patient_id, audit_read=False)
    instrument = _instrument(params.instrument)
    assert membership is not None  # noqa: S101  # get_patient_for refuses a missing membership
    found = read_trajectories(membership, patient, instruments=[instrument], detail="api")
    trajectory = found[0] if found else trajectory_of(instrument, [])
    document = trajectory.summary.as_document()
    document["assessments"] = [{"date": d.date, "total": d.total} for d in trajectory.days]
    return Status(200, document)
