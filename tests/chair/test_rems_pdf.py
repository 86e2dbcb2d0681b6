"""The REMS Patient Monitoring Form as a PDF (contracts.md 2.3, reference 3.2, SAFE-REMS-FORM):
really rendered by WeasyPrint and read back with pypdf, from the page and from the API; its release
audited as an export; nothing fetched while rendering; only discharged esketamine sessions of the
caller's clinic."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ketacare.audit.models import AuditEvent
from tests.chair.rems_data import (
    LOT,
    api_call,
    discharged_session,
    esketamine_plan,
    form_of,
    iv_session,
    session_in_chair,
)
from tests.factories import MedicationFactory

pytestmark = pytest.mark.django_db

PDF_API = "/api/v1/sessions/{}/rems-form.pdf"


@pytest.fixture
def session(clinic_a, nora, alice):
    made = discharged_session(clinic_a, nora, alice)
    MedicationFactory(patient=made.patient, name="Clonazepam", medication_class="benzodiazepine")
    return made


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed (a line may wrap anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def assert_filled(content: bytes, session) -> None:
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    patient = session.patient
    assert f"{patient.given_name} {patient.family_name}" in text
    assert "05/06/1981" in text
    assert "☒ 84 mg" in text and "Given: 84 mg, 3 devices" in text
    assert LOT in text
    assert "152/94 mmHg" in text and "(40 min after the first device)" in text
    assert "128/82 mmHg" in text
    assert "125 minutes" in text  # first device to the end of monitoring, at least 120
    assert "95 minutes after the start of administration" in text
    assert "Benzodiazepines Yes Clonazepam" in text
    assert "Sedation Yes" in text and "Dissociation Yes" in text
    assert "Respiratory depression No" in text
    assert "Nausea" in text
    assert "Clinic A" in text


def test_the_page_gives_the_filled_form_as_a_pdf(staff_client, nora, session):
    response = staff_client(nora).get(reverse("rems:form-pdf", args=[session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="rems-monitoring-form-session-{session.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert_filled(response.content, session)
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1


def test_the_api_gives_the_same_form(client, alice, session):
    response = api_call(client, alice, "get", PDF_API.format(session.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_filled(response.content, session)


def test_releasing_the_pdf_is_an_audited_export(client, nora, session):
    api_call(client, nora, "get", PDF_API.format(session.pk))

    event = AuditEvent.objects.filter(action="export").get()
    assert (event.object_type, event.object_id) == ("rems_form", str(form_of(session).pk))
    assert (event.patient_id, event.actor_user_id) == (session.patient_id, nora.user_id)
    assert event.detail == f"pdf session={session.pk}"
    assert session.patient.family_name not in event.detail


def test_rendering_fetches_nothing(monkeypatch, staff_client, nora, session):
    from weasyprint.urls import URLFetcher

    fetched: list[str] = []

    def record(self, url, *args, **kwargs):
        fetched.append(url)
        raise ValueError("no fetching")

    monkeypatch.setattr(URLFetcher, "fetch", record)

    response = staff_client(nora).get(reverse("rems:form-pdf", args=[session.pk]))

    assert response.status_code == 200
    assert fetched == []


def test_the_print_document_links_nothing_outside():
    from pathlib import Path

    from django.template.loader import get_template

    from ketacare.chair.rems_form import PDF_TEMPLATE

    source = Path(get_template(PDF_TEMPLATE).origin.name).read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=|url\(|@import", source)


def test_an_iv_session_has_no_form_404(client, staff_client, nora, alice, clinic_a):
    session = iv_session(clinic_a, nora, alice)

    api = api_call(client, nora, "get", PDF_API.format(session.pk))
    page = staff_client(nora).get(reverse("rems:form-pdf", args=[session.pk]))

    assert api.status_code == 404 and set(api.json()) == {"detail"}
    assert page.status_code == 404
    assert not AuditEvent.objects.filter(action="export", allowed=True).exists()


def test_a_session_not_yet_discharged_is_409(client, staff_client, nora, alice, clinic_a):
    session = session_in_chair(esketamine_plan(clinic_a, alice), nora)

    api = api_call(client, nora, "get", PDF_API.format(session.pk))
    page = staff_client(nora).get(reverse("rems:form-pdf", args=[session.pk]))

    assert api.status_code == 409
    assert api.json()["detail"].endswith("its REMS Patient Monitoring Form is made at discharge.")
    assert page.status_code == 409
    assert b"made at discharge" in page.content


def test_another_clinic_gets_404_and_a_coordinator_403(client, staff_client, bob, cora, session):
    assert api_call(client, bob, "get", PDF_API.format(session.pk)).status_code == 404
    assert staff_client(bob).get(reverse("rems:form-pdf", args=[session.pk])).status_code == 404
    refused = api_call(client, cora, "get", PDF_API.format(session.pk))
    assert refused.status_code == 403
    assert staff_client(cora).get(reverse("rems:form-pdf", args=[session.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="export", allowed=True).exists()
    denied = AuditEvent.objects.filter(allowed=False).values_list("actor_user_id", "detail")
    assert sorted(d.split()[0] for _, d in denied) == [
        "not_found_in_clinic",
        "not_found_in_clinic",
        "role_lacks:view_session",
        "role_lacks:view_session",
    ]


def test_the_auditor_may_read_the_pdf(client, audrey, session):
    assert api_call(client, audrey, "get", PDF_API.format(session.pk)).status_code == 200
