"""JSON API of patient links and patient reports (contracts.md 2.4), mounted under /api/v1/.

    POST /patients/{id}/assessment-links     {instrument, expires_in_hours?}
                                             -> 201 {id, url, expires_at}
    GET  /patients/{id}/patient-reports      what the patient wrote through links
    POST /patients/{id}/patient-reports/{rid}/review    {note?} -> 200 the report

The `url` holds the token and is answered this once; only its hash is stored. Another clinic's
patient is a 404; a role without send_assessment_link a 403 (both audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from ketacare.api.acting import membership_for_object
from ketacare.api.schemas import ConflictOut, Error, Invalid
from ketacare.outcomes.links import EXPIRES_DEFAULT_HOURS, issue_link
from ketacare.outcomes.models import PatientReport
from ketacare.outcomes.reports import mark_reviewed, reports_for
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for

router = Router(tags=["Long-term results"])

_IN = ConfigDict(extra="forbid")


class AssessmentLinkCreate(Schema):
    model_config = _IN

    instrument: str = Field(..., max_length=40)
    # Strict: `true` or "72" is refused rather than read as a number of hours.
    expires_in_hours: StrictInt = EXPIRES_DEFAULT_HOURS


class AssessmentLinkOut(Schema):
    id: int
    url: str
    expires_at: dt.datetime


class PatientReportOut(Schema):
    id: int
    text: str
    reported_at: dt.datetime
    reviewed_at: dt.datetime | None
    reviewed_by: str | None
    review_note: str


class PatientReportPage(Schema):
    items: list[PatientReportOut]
    count: int


class ReviewIn(Schema):
    model_config = _IN

    note: str = Field("", max_length=500)


def _patient(request: HttpRequest, patient_id: int) -> tuple[Any, Patient]:
    membership = membership_for_object(request, Patient, patient_id)
    patient = get_patient_for(membership, patient_id, audit_read=False)
    return membership, patient


def _report_out(report: PatientReport) -> PatientReportOut:
    return PatientReportOut(
        id=report.pk,
        text=report.text,
        reported_at=report.reported_at,
        reviewed_at=report.reviewed_at,
        reviewed_by=report.reviewed_by.get_username() if report.reviewed_by_id else None,
        review_note=report.review_note,
    )


@router.post(
    "/patients/{patient_id}/assessment-links",
    response={201: AssessmentLinkOut, 403: Error, 404: Error, 422: Invalid},
    summary="Make a single-use link for the patient to answer a scale (the url is shown once)",
)
def create_assessment_link(
    request: HttpRequest, patient_id: int, payload: AssessmentLinkCreate
) -> Any:
    membership, patient = _patient(request, patient_id)
    issued = issue_link(
        by=membership,
        patient=patient,
        instrument=payload.instrument,
        expires_in_hours=payload.expires_in_hours,
        site_url=request.build_absolute_uri("/"),
    )
    return Status(
        201,
        AssessmentLinkOut(id=issued.link.pk, url=issued.url, expires_at=issued.link.expires_at),
    )


@router.get(
    "/patients/{patient_id}/patient-reports",
    response={200: PatientReportPage, 403: Error, 404: Error},
    summary="What the patient reported through questionnaire links, unreviewed first",
)
def list_patient_reports(request: HttpRequest, patient_id: int) -> Any:
    membership, patient = _patient(request, patient_id)
    rows = reports_for(by=membership, patient=patient)
    return Status(200, PatientReportPage(items=[_report_out(r) for r in rows], count=len(rows)))


@router.post(
    "/patients/{patient_id}/patient-reports/{report_id}/review",
    response={200: PatientReportOut, 403: Error, 404: Error, 409: ConflictOut, 422: Invalid},
    summary="Mark a patient's report reviewed",
)
def review_patient_report(
    request: HttpRequest, patient_id: int, report_id: int, payload: ReviewIn
) -> Any:
    membership, patient = _patient(request, patient_id)
    report = mark_reviewed(by=membership, patient=patient, report_id=report_id, note=payload.note)
    report.reviewed_by = membership.user
    return Status(200, _report_out(report))
