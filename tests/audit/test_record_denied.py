"""A refused attempt is an event too: `record_denied` for the 404s and 403s of other helpers."""

from __future__ import annotations

import pytest

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_denied, record_event
from ketacare.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def test_a_cross_clinic_read_is_recorded_as_denied_with_the_actor_and_the_target(bob, patient_a):
    event = record_denied(
        action=Action.READ,
        membership=bob,
        object_type="patient",
        object_id=patient_a.pk,
        patient_id=patient_a.pk,
        reason="other_clinic",
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_username, stored.actor_role, stored.clinic_id) == (
        "bob",
        "clinic_admin",
        bob.clinic_id,
    )
    assert (stored.action, stored.object_type, stored.object_id, stored.patient_id) == (
        "read",
        "patient",
        str(patient_a.pk),
        patient_a.pk,
    )
    assert (stored.allowed, stored.detail) == (False, "other_clinic")


def test_a_role_refusal_inside_the_clinic_is_recorded_as_denied(nora, patient_a):
    event = record_denied(
        action=Action.UPDATE,
        membership=nora,
        object_type="patient",
        object_id=patient_a.pk,
        reason="role",
    )
    assert (event.allowed, event.actor_role, event.clinic_id, event.detail) == (
        False,
        "nurse",
        nora.clinic_id,
        "role",
    )


def test_a_denied_event_without_membership_names_the_user_only(alice):
    event = record_denied(
        action=Action.READ,
        user=alice.user,
        object_type="clinic",
        object_id=99,
        reason="not_a_member",
    )
    assert (event.actor_username, event.actor_role, event.clinic_id, event.allowed) == (
        "alice",
        "",
        None,
        False,
    )


def test_denied_events_take_their_place_in_the_chain(alice, bob):
    record_event(action=Action.READ, membership=alice)
    record_denied(action=Action.READ, membership=bob, reason="other_clinic")
    record_event(action=Action.READ, membership=alice)

    report = verify_chain()
    assert (report.intact, report.events_checked) == (True, 3)
    assert list(AuditEvent.objects.values_list("allowed", flat=True)) == [True, False, True]


def test_record_event_with_allowed_false_is_the_same_thing(nora):
    a = record_denied(action=Action.READ, membership=nora, reason="role")
    b = record_event(action=Action.READ, membership=nora, allowed=False, detail="role")
    fields = ("actor_username", "actor_role", "clinic_id", "action", "allowed", "detail")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
