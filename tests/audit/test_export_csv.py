"""CSV export of the audit report: the filtered events, streamed, and itself audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection

from ketacare.audit import views
from ketacare.audit.chain import canonical_time
from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Action, AuditEvent, Channel
from ketacare.audit.services import record_event
from tests.audit.events import patient_event

pytestmark = pytest.mark.django_db

URL = "/audit/export.csv"
HEADER = [
    "id",
    "time",
    "user",
    "role",
    "clinic",
    "action",
    "object type",
    "object id",
    "patient id",
    "channel",
    "ip",
    "user agent",
    "allowed",
    "detail",
]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_the_export_is_a_streamed_csv_attachment_with_the_header(staff_client, adam, events_a):
    response = staff_client(adam).get(URL)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="audit-clinic-{adam.clinic_id}-'
    )
    assert _rows(response)[0] == HEADER


def test_each_row_carries_every_column_of_the_event(staff_client, audrey, alice, patient_a):
    with using_context(
        RequestContext(channel=Channel.API, ip_address="198.51.100.4", user_agent="kc-client/2")
    ):
        event = patient_event(
            action=Action.UPDATE,
            membership=alice,
            patient=patient_a,
            allowed=False,
            detail="version=3",
        )

    rows = _rows(staff_client(audrey).get(URL, {"user": "alice"}))

    assert rows[1:] == [
        [
            str(event.pk),
            canonical_time(event.occurred_at),
            "alice",
            "prescriber",
            str(alice.clinic_id),
            "update",
            "patient",
            str(patient_a.pk),
            str(patient_a.pk),
            "api",
            "198.51.100.4",
            "kc-client/2",
            "no",
            "version=3",
        ]
    ]


def test_the_export_applies_the_filters_and_keeps_other_clinics_out(
    staff_client, adam, events_a, events_b
):
    client = staff_client(adam)
    rows = _rows(client.get(URL, {"user": "nora"}))
    assert [row[0] for row in rows[1:]] == [str(events_a[2].pk)]

    everything = _rows(client.get(URL))
    assert str(events_b[0].pk) not in [row[0] for row in everything[1:]]
    assert {row[4] for row in everything[1:]} == {str(adam.clinic_id)}


def test_the_outsider_exports_none_of_clinic_a_events(staff_client, bob, events_a, events_b):
    rows = _rows(staff_client(bob).get(URL))
    ids = [row[0] for row in rows[1:]]
    assert not set(ids) & {str(e.pk) for e in events_a}
    assert str(events_b[0].pk) in ids


def test_exporting_is_itself_an_audited_export(staff_client, adam, patient_a):
    response = staff_client(adam).get(URL, {"patient": patient_a.pk, "date_to": "2030-01-01"})
    _rows(response)

    event = AuditEvent.objects.order_by("-pk").first()
    assert (
        event.action,
        event.object_type,
        event.actor_username,
        event.clinic_id,
        event.allowed,
    ) == (
        "export",
        "audit_report",
        "adam",
        adam.clinic_id,
        True,
    )
    assert event.detail == f"patient={patient_a.pk} to=2030-01-01"


@pytest.mark.parametrize("who", ["alice", "nora", "cora"])
def test_other_roles_get_403_and_a_denied_export_event(staff_client, request, who, events_a):
    member = request.getfixturevalue(who)
    response = staff_client(member).get(URL)

    assert response.status_code == 403
    assert not response.streaming
    assert "does not give access to this page." in response.content.decode()
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_type, event.allowed, event.detail, event.actor_username) == (
        "export",
        "audit_report",
        False,
        "role_lacks:view_audit_report",
        member.user.username,
    )


def test_a_user_without_an_active_membership_gets_403_and_a_denied_export_event(
    staff_client, adam, events_a
):
    adam.is_active = False
    adam.save()
    response = staff_client(adam).get(URL)

    assert response.status_code == 403
    assert not response.streaming
    assert "Your account is not a member of any clinic." in response.content.decode()
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_type, event.allowed, event.detail, event.clinic_id) == (
        "export",
        "audit_report",
        False,
        "no_membership",
        None,
    )


def test_a_clinic_parameter_does_not_export_another_clinic(
    staff_client, bob, clinic_a, events_a, events_b
):
    response = staff_client(bob).get(URL, {"clinic": clinic_a.pk})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="audit-clinic-{bob.clinic_id}-'
    )
    rows = _rows(response)
    assert {row[4] for row in rows[1:]} == {str(bob.clinic_id)}
    assert str(events_b[0].pk) in [row[0] for row in rows[1:]]


def test_bad_dates_get_400_and_no_file(staff_client, adam, events_a):
    response = staff_client(adam).get(URL, {"date_from": "2026-02-30"})
    assert response.status_code == 400
    assert not response.streaming
    assert "Enter a valid date." in response.content.decode()


@pytest.mark.parametrize("agent", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTAB"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(staff_client, adam, agent):
    with using_context(RequestContext(user_agent=agent)):
        record_event(action=Action.READ, membership=adam, object_type="patient")
    rows = _rows(staff_client(adam).get(URL, {"user": "adam"}))
    agents = {row[11] for row in rows[1:]}
    assert f"'{agent}" in agents


@pytest.mark.parametrize("size", [3, 80])
def test_the_export_costs_the_same_queries_at_any_size(rf, adam, django_assert_num_queries, size):
    for n in range(size):
        record_event(action=Action.READ, membership=adam, object_type="patient", object_id=n)
    request = rf.get(URL)
    request.user = adam.user

    # memberships, append (chain head + insert; one round trip on PostgreSQL), the rows
    with django_assert_num_queries(4 - (connection.vendor == "postgresql")):
        rows = _rows(views.export_csv(request))
    assert len(rows) == 1 + size + 1
