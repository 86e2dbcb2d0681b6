"""Reads of patient lists name the patients shown, so the report finds every view of a patient.

Design: one READ event per page of a list (home page, admin changelist) with the ids shown in its
detail ("page=1 shown=3 total=3 search=0 ids=12,15,19"), never one event per patient (that would
multiply the table by the page size); the report filtered by a patient (or MRN) matches those
events by id as well as the events naming the patient directly.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action, AuditEvent
from ketacare.audit.queries import AuditFilter, audit_events_for
from ketacare.audit.services import record_event, record_list_read
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _lists_about(membership, patient_id):
    events = audit_events_for(membership, filters=AuditFilter(patient_id=patient_id))
    return list(events.filter(object_type=PATIENT_LIST_OBJECT_TYPE))


def test_a_list_is_found_under_each_patient_it_showed_and_no_other(adam):
    (shown,) = record_list_read(
        membership=adam, object_type=PATIENT_LIST_OBJECT_TYPE, ids=[12, 15, 19], detail="page=1"
    )

    assert shown.detail == "page=1 ids=12,15,19"
    for patient_id in (12, 15, 19):
        assert _lists_about(adam, patient_id) == [shown]
    for patient_id in (1, 2, 5, 9, 121, 151, 1519):
        assert _lists_about(adam, patient_id) == []


def test_other_object_types_with_ids_in_their_detail_are_not_patient_lists(adam):
    record_event(
        action=Action.READ, membership=adam, object_type="membership_list", detail="ids=12"
    )

    assert _lists_about(adam, 12) == []


def test_ids_that_do_not_fit_one_detail_continue_in_further_events_none_cut(adam):
    ids = [10**18 + n for n in range(25)]

    events = record_list_read(
        membership=adam,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=ids,
        detail="page=1 shown=25 total=25 search=0",
    )

    assert len(events) == 2
    assert events[0].detail.startswith("page=1 shown=25 total=25 search=0 ids=")
    assert events[1].detail.startswith("part=2 ids=")
    assert all(len(e.detail) <= 300 for e in events)
    written = [int(i) for e in events for i in e.detail.split("ids=")[1].split(",")]
    assert written == ids
    assert _lists_about(adam, ids[-1]) == [events[1]]


def test_the_report_by_patient_and_by_mrn_finds_the_home_page_view(
    staff_client, alice, adam, clinic_a, patient_a
):
    other = PatientFactory(clinic=clinic_a)
    staff_client(alice).get(reverse("web:home"), {"q": patient_a.mrn})
    view = AuditEvent.objects.get(object_type=PATIENT_LIST_OBJECT_TYPE, actor_username="alice")
    assert view.detail == f"page=1 shown=1 total=1 search=1 ids={patient_a.pk}"

    by_id = audit_events_for(adam, filters=AuditFilter(patient_id=patient_a.pk))
    by_mrn = audit_events_for(adam, filters=AuditFilter(mrn=patient_a.mrn))
    not_shown = audit_events_for(adam, filters=AuditFilter(patient_id=other.pk))

    assert view in by_id and view in by_mrn
    assert view not in not_shown


def test_the_report_page_lists_the_admin_changelist_view_under_the_patient(
    staff_client, adam, patient_a
):
    client = staff_client(adam)
    client.get(reverse("admin:patients_patient_changelist"))
    view = AuditEvent.objects.get(object_type=PATIENT_LIST_OBJECT_TYPE)

    response = client.get("/audit/", {"patient": patient_a.pk})

    assert f"<td>{view.pk}</td>" in response.content.decode()
