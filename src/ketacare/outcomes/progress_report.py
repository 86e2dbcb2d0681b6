"""The progress report PDF for the referring clinician: who the patient is, the trajectory of
each outcome scale (the page's charts), the sessions, the side effects and the current status.

The PDF leaves the clinic only through a recorded release (`release_report`: RELEASE_REPORT, a
recipient and a purpose; a `ReportRelease` keeps the SHA-256 of the exact bytes handed out, and
the release is audited as an export). Anyone who reads the chart (VIEW_CLINICAL) may open a
preview, marked "NOT RELEASED" on every page; opening it is audited too. WeasyPrint renders it
with nothing fetched (the charts are inline SVG, the font the system's DejaVu).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.models import SideEffect
from ketacare.chair.presentation import term_words
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.charts import Chart, render_chart
from ketacare.outcomes.models import ReportRelease
from ketacare.outcomes.trajectory import DOSED_STATUSES, ScaleTrajectory, patient_trajectories
from ketacare.patients.models import Patient
from ketacare.treatment.models import TreatmentSession

REPORT = "progress_report"
PDF_TEMPLATE = "outcomes/report_pdf.html"
RECIPIENT_MAX_CHARS = 200
PURPOSE_MAX_CHARS = 300


@dataclass(frozen=True)
class ReportSection:
    trajectory: ScaleTrajectory
    chart: Chart


@dataclass(frozen=True)
class ReportSideEffect:
    onset: dt.datetime
    session_number: int
    term: str
    grade: int
    serious: bool
    resolved: dt.datetime | None
    action: str


@dataclass(frozen=True)
class ProgressReport:
    patient: Patient
    clinic_name: str
    sections: tuple[ReportSection, ...]
    sessions: tuple[TreatmentSession, ...]
    side_effects: tuple[ReportSideEffect, ...]


def progress_report_of(patient: Patient, *, clinic_name: str) -> ProgressReport:
    """Everything the report shows, in three queries (scales, sessions, side effects)."""
    sessions = tuple(
        TreatmentSession.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, status__in=DOSED_STATUSES
        )
        .select_related("plan")
        .order_by("date", "number")
    )
    dates = sorted({s.date for s in sessions})
    sections = tuple(
        ReportSection(t, render_chart(t, dates, chart_id=f"report-{t.instrument}"))
        for t in patient_trajectories(patient.pk, patient.clinic_id)
    )
    effects = tuple(
        ReportSideEffect(
            onset=effect.onset_at,
            session_number=effect.session.number,
            term=term_words(effect.term, effect.other_term),
            grade=effect.grade,
            serious=effect.serious,
            resolved=effect.resolved_at,
            action=effect.action,
        )
        for effect in SideEffect.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
        .select_related("session")
        .order_by("onset_at", "pk")
    )
    return ProgressReport(patient, clinic_name, sections, sessions, effects)


def report_pdf(
    report: ProgressReport, *, generated_at: dt.datetime, release: ReportRelease | None
) -> bytes:
    """The report as PDF bytes; without `release`, every page says "NOT RELEASED"."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        PDF_TEMPLATE, {"report": report, "generated_at": generated_at, "release": release}
    )
    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    return bytes(HTML(string=html, url_fetcher=refuse_all).write_pdf())


def preview_pdf(membership: Membership, patient: Patient) -> bytes:
    """The watermarked preview (VIEW_CLINICAL), its opening audited as an export."""
    require_role(
        membership,
        Permission.VIEW_CLINICAL,
        action=Action.EXPORT,
        object_type=REPORT,
        object_id=patient.pk,
        patient_id=patient.pk,
    )
    report = progress_report_of(patient, clinic_name=membership.clinic.name)
    pdf = report_pdf(report, generated_at=timezone.now(), release=None)
    record_event(
        action=Action.EXPORT,
        membership=membership,
        object_type=REPORT,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail="preview not_released",
    )
    return pdf


def _text(value: object, field: str, limit: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: "Required."}, code="required")
    if "\x00" in text:
        raise ValidationError({field: "Remove the NUL character from this text."}, code="nul")
    if len(text) > limit:
        raise ValidationError({field: f"Keep it to {limit} characters."}, code="max_length")
    return text


def release_report(
    membership: Membership, patient: Patient, *, recipient: object, purpose: object
) -> tuple[ReportRelease, bytes]:
    """Release the report to `recipient` for `purpose` (RELEASE_REPORT): render it, keep the
    release with the SHA-256 of the bytes, audit the export; the bytes go to the caller. Bad
    input names `recipient` or `purpose` and stores nothing."""
    require_role(
        membership,
        Permission.RELEASE_REPORT,
        action=Action.EXPORT,
        object_type=REPORT,
        object_id=patient.pk,
        patient_id=patient.pk,
    )
    who = _text(recipient, "recipient", RECIPIENT_MAX_CHARS, required=True)
    why = _text(purpose, "purpose", PURPOSE_MAX_CHARS, required=True)
    now = timezone.now()
    release = ReportRelease(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        released_by=membership.user,
        recipient=who,
        purpose=why,
        released_at=now,
    )
    report = progress_report_of(patient, clinic_name=membership.clinic.name)
    pdf = report_pdf(report, generated_at=now, release=release)
    release.sha256 = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic(durable=True):
        release.save()
        # The recipient and purpose are typed text: the audit trail keeps the release's id.
        record_event(
            action=Action.EXPORT,
            membership=membership,
            object_type=REPORT,
            object_id=patient.pk,
            patient_id=patient.pk,
            detail=f"released release={release.pk} sha256={release.sha256}",
        )
    return release, pdf


def releases_of(patient: Patient) -> list[ReportRelease]:
    """The patient's releases, newest first, who released each joined."""
    return list(
        ReportRelease.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
        .select_related("released_by")
        .order_by("-released_at", "-pk")
    )
