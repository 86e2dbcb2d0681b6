"""The REMS forms pages (SAFE-REMS-FORM): the forms due with their deadline and days left,
overdue ones highlighted, a PDF link and a "mark submitted" button carrying the version; the
submitted tab; one form as a page; who may see and do what; the same queries for 1 or 20 forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from ketacare.chair.models import RemsForm
from tests.chair.rems_data import (
    LOT,
    discharged_session,
    esketamine_plan,
    form_of,
    iv_session,
    session_in_chair,
)

pytestmark = pytest.mark.django_db

FORMS = "/rems-forms/"


@pytest.fixture
def late(clinic_a, nora, alice):
    return discharged_session(
        clinic_a, nora, alice, day=timezone.localdate() - dt.timedelta(days=8)
    )


@pytest.fixture
def recent(clinic_a, nora, alice):
    return discharged_session(
        clinic_a, nora, alice, day=timezone.localdate() - dt.timedelta(days=1)
    )


def text(response) -> str:
    return response.content.decode()


def test_the_url_names_are_the_briefs(late):
    assert reverse("rems:forms") == FORMS
    assert reverse("rems:form-pdf", kwargs={"session_id": late.pk}) == (
        f"/sessions/{late.pk}/rems-form.pdf"
    )


def test_the_due_list_shows_deadline_days_left_and_overdue(staff_client, nora, late, recent):
    response = staff_client(nora).get(FORMS)

    assert response.status_code == 200
    page = text(response)
    assert page.index(late.patient.family_name) < page.index(recent.patient.family_name)
    assert 'class="rems-overdue"' in page and "Overdue by 1 day<" in page
    assert "6 days" in page
    for session in (late, recent):
        assert reverse("rems:form-pdf", args=[session.pk]) in page
        form = form_of(session)
        assert reverse("rems:mark-submitted", args=[form.pk]) in page
    assert '<input type="hidden" name="version" value="1">' in page
    assert "1 form past the deadline." in page


def test_the_list_read_is_audited_with_the_patients_shown(staff_client, nora, late, recent):
    staff_client(nora).get(FORMS)

    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).get()
    ids = ",".join(str(i) for i in sorted([late.patient_id, recent.patient_id]))
    assert event.detail == f"rems_forms status=due offset=0 shown=2 total=2 ids={ids}"


def test_marking_submitted_moves_the_form_to_the_submitted_tab(staff_client, nora, recent):
    client = staff_client(nora)
    form = form_of(recent)

    response = client.post(
        reverse("rems:mark-submitted", args=[form.pk]), {"version": 1, "next": FORMS}
    )

    assert response.status_code == 302 and response["Location"] == FORMS
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"REMS form of session {recent.number} on {recent.date:%Y-%m-%d} marked submitted."
    ]
    assert RemsForm.objects.get(pk=form.pk).submitted_by_id == nora.user_id
    assert recent.patient.family_name not in text(client.get(FORMS))
    submitted = text(client.get(FORMS + "?status=submitted"))
    assert recent.patient.family_name in submitted and "by nora" in submitted


def test_a_stale_button_says_so_and_changes_nothing(staff_client, nora, alice, recent):
    form = form_of(recent)
    staff_client(alice).post(reverse("rems:mark-submitted", args=[form.pk]), {"version": 1})

    response = staff_client(nora).post(
        reverse("rems:mark-submitted", args=[form.pk]), {"version": 1}, follow=True
    )

    assert response.status_code == 200
    assert "Someone else changed this form first; reload to see their change." in text(response)
    assert RemsForm.objects.get(pk=form.pk).submitted_by_id == alice.user_id


def test_an_outside_next_is_not_followed(staff_client, nora, recent):
    form = form_of(recent)

    response = staff_client(nora).post(
        reverse("rems:mark-submitted", args=[form.pk]),
        {"version": 1, "next": "https://elsewhere.example/"},
    )

    assert response["Location"] == FORMS


def test_another_clinic_gets_404_and_sees_none_of_it(staff_client, bob, recent):
    client = staff_client(bob)
    form = form_of(recent)

    assert recent.patient.family_name not in text(client.get(FORMS))
    assert (
        client.post(reverse("rems:mark-submitted", args=[form.pk]), {"version": 1}).status_code
        == 404
    )
    assert client.get(reverse("rems:form", args=[recent.pk])).status_code == 404
    assert RemsForm.objects.get(pk=form.pk).submitted_at is None


def test_a_coordinator_is_refused_and_an_auditor_reads_without_the_button(
    staff_client, cora, audrey, recent
):
    form = form_of(recent)

    assert staff_client(cora).get(FORMS).status_code == 403
    assert staff_client(cora).get(reverse("rems:form", args=[recent.pk])).status_code == 403
    auditor = staff_client(audrey)
    page = text(auditor.get(FORMS))
    assert recent.patient.family_name in page and "Mark submitted" not in page
    assert (
        auditor.post(reverse("rems:mark-submitted", args=[form.pk]), {"version": 1}).status_code
        == 403
    )
    assert RemsForm.objects.get(pk=form.pk).submitted_at is None


def test_the_nav_links_the_forms_for_roles_that_read_sessions(staff_client, nora, cora):
    assert f'href="{FORMS}"' in text(staff_client(nora).get(FORMS))
    assert f'href="{FORMS}"' not in text(staff_client(cora).get("/"))


def test_one_form_as_a_page(staff_client, nora, recent):
    response = staff_client(nora).get(reverse("rems:form", args=[recent.pk]))

    assert response.status_code == 200
    page = text(response)
    assert LOT in page and "152/94 mmHg" in page and "125 minutes" in page
    assert reverse("rems:form-pdf", args=[recent.pk]) in page
    assert reverse("chair:session", args=[recent.pk]) in page
    assert "6 days left" in page and "Mark submitted" in page
    event = AuditEvent.objects.filter(object_type="rems_form").get()
    assert (event.action, event.object_id) == ("read", str(form_of(recent).pk))


def test_the_page_of_an_iv_session_is_404_and_of_a_session_at_the_chair_409(
    staff_client, clinic_a, nora, alice
):
    client = staff_client(nora)

    assert (
        client.get(reverse("rems:form", args=[iv_session(clinic_a, nora, alice).pk])).status_code
        == 404
    )
    waiting = session_in_chair(esketamine_plan(clinic_a, alice), nora)
    response = client.get(reverse("rems:form", args=[waiting.pk]))
    assert response.status_code == 409 and "made at discharge" in text(response)


def test_the_due_page_costs_the_same_queries_for_1_and_20_forms(
    staff_client, clinic_a, nora, alice, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff_client(nora)
    discharged_session(clinic_a, nora, alice)
    client.get(FORMS)
    with CaptureQueriesContext(connection) as one:
        assert client.get(FORMS).status_code == 200
    for _ in range(19):
        discharged_session(clinic_a, nora, alice)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(FORMS)
    assert text(response).count('name="version"') == 20
