"""The progress report PDF: rendered by WeasyPrint and read back with pypdf; a preview marked
"NOT RELEASED", a release recorded with the SHA-256 of the bytes handed out and audited; bad
input stores nothing; other roles and clinics refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.models import ReportRelease
from tests.chair.rems_data import discharged_session
from tests.outcomes.trajectory_helpers import series

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def session(clinic_a, nora, alice):
    """A discharged esketamine session (with a nausea side effect) and a PHQ-9 series."""
    made = discharged_session(clinic_a, nora, alice)
    series(made.patient, "phq9", dt.date(2026, 1, 5), [20, 14, 10, 4])
    return made


def _urls(patient) -> tuple[str, str]:
    return f"/patients/{patient.pk}/progress-report/", f"/patients/{patient.pk}/progress-report.pdf"


def test_the_preview_is_marked_not_released_and_stores_no_release(staff_client, alice, session):
    patient = session.patient
    page, pdf = _urls(patient)
    client = staff_client(alice)
    assert client.get(page).status_code == 200
    response = client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "NOT RELEASED" in text
    assert f"{patient.given_name} {patient.family_name}" in text and patient.mrn in text
    assert "PHQ-9" in text and "Remission" in text and "2026-01-26" in text
    assert session.date.isoformat() in text  # the session list
    assert "Nausea" in text  # the side effects
    assert not ReportRelease.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="progress_report", action="export", detail="preview not_released"
    ).exists()


def test_a_release_is_recorded_with_the_hash_of_the_pdf_handed_out(staff_client, alice, session):
    patient = session.patient
    _page, pdf = _urls(patient)
    response = staff_client(alice).post(
        pdf, {"recipient": "Dr. R. Referrer, Valley Psychiatry", "purpose": "Continuity of care"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    release = ReportRelease.objects.get()
    assert release.sha256 == hashlib.sha256(response.content).hexdigest()
    assert (release.patient_id, release.released_by_id) == (patient.pk, alice.user_id)
    assert release.recipient == "Dr. R. Referrer, Valley Psychiatry"
    text = pdf_text(response.content)
    assert "NOT RELEASED" not in text
    assert "Released to Dr. R. Referrer, Valley Psychiatry for Continuity of care" in text
    event = AuditEvent.objects.get(object_type="progress_report", action="export", allowed=True)
    assert event.detail == f"released release={release.pk} sha256={release.sha256}"
    assert "Referrer" not in event.detail
    listing = staff_client(alice).get(_page).content.decode()
    assert release.sha256 in listing


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"recipient": "", "purpose": "Care"}, "recipient"),
        ({"recipient": "Dr. R", "purpose": ""}, "purpose"),
        ({"recipient": "Dr. R", "purpose": "x" * 301}, "purpose"),
        ({"recipient": "x" * 201, "purpose": "Care"}, "recipient"),
    ],
)
def test_bad_release_input_names_the_field_and_stores_nothing(
    staff_client, alice, clinic_a, form, field
):
    from tests.factories import PatientFactory

    patient = PatientFactory(clinic=clinic_a)
    response = staff_client(alice).post(_urls(patient)[1], form)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ReportRelease.objects.exists()


def test_a_nurse_previews_but_may_not_release(staff_client, nora, patient_a):
    page, pdf = _urls(patient_a)
    client = staff_client(nora)
    assert "Release and download" not in client.get(page).content.decode()
    assert client.post(pdf, {"recipient": "Dr. R", "purpose": "Care"}).status_code == 403
    assert not ReportRelease.objects.exists()


def test_a_coordinator_and_another_clinic_get_nothing(staff_client, cora, bob, patient_a):
    page, pdf = _urls(patient_a)
    assert staff_client(cora).get(pdf).status_code == 403
    assert staff_client(cora).get(page).status_code == 403
    assert staff_client(bob).get(pdf).status_code == 404
    assert staff_client(bob).post(pdf, {"recipient": "x", "purpose": "y"}).status_code == 404
    assert not ReportRelease.objects.exists()
