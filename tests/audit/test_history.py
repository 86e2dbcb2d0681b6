"""Clinical records keep their full history (django-simple-history) beside the audit trail.

History answers "what did the record say, and who changed it": a full copy of the row per
change. The audit trail answers "who touched which record, when, from where, allowed or not",
reads and refusals included, and is tamper-evident; it holds ids, never the record's content.
"""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.history_urls")]


def test_an_update_through_a_request_keeps_the_old_version_and_names_the_user(
    staff_client, alice, patient_a
):
    old_name = patient_a.family_name
    response = staff_client(alice).post(
        f"/test-only/patients/{patient_a.pk}/rename/", {"family_name": "Newname"}
    )

    assert response.status_code == 200
    versions = list(patient_a.history.order_by("history_id"))
    assert [(v.history_type, v.family_name, v.version) for v in versions] == [
        ("+", old_name, 1),
        ("~", "Newname", 2),
    ]
    assert versions[0].history_user is None  # created by a factory, outside any request
    assert versions[1].history_user == alice.user


def test_the_update_writes_its_audit_event_pointing_at_the_history_row(
    staff_client, alice, patient_a
):
    staff_client(alice).post(
        f"/test-only/patients/{patient_a.pk}/rename/", {"family_name": "Other"}
    )

    latest = patient_a.history.latest()
    event = AuditEvent.objects.order_by("-pk").first()
    assert (
        event.action,
        event.object_type,
        event.patient_id,
        event.actor_user_id,
        event.channel,
    ) == (
        "update",
        "patient",
        patient_a.pk,
        alice.user_id,
        "web",
    )
    assert event.detail == f"version=2 history={latest.history_id}"
    assert "Other" not in event.detail  # the audit trail holds ids, never the record's content
