"""A refused attempt is an event too: `record_denied`, the one writer of denials, for the 404s
and 403s of every app; it outlives the caller's transaction that the error rolls back."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.db import transaction

from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Action, AuditEvent, Channel
from ketacare.audit.services import flush_pending_denials, record_denied, record_event
from ketacare.audit.verification import verify_chains

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

    report = verify_chains()
    assert (report.intact, report.events_checked) == (True, 3)
    assert list(AuditEvent.objects.values_list("allowed", flat=True)) == [True, False, True]


def test_record_event_with_allowed_false_is_the_same_thing(nora):
    a = record_denied(action=Action.READ, membership=nora, reason="role")
    b = record_event(action=Action.READ, membership=nora, allowed=False, detail="role")
    fields = ("actor_username", "actor_role", "clinic_id", "action", "allowed", "detail")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]


# --- denials inside a transaction that rolls back --------------------------------------------


class _Refused(Exception):
    pass


def test_a_denial_inside_a_transaction_is_held_back_and_survives_its_rollback(bob, patient_a):
    with pytest.raises(_Refused), transaction.atomic():
        held = record_denied(
            action=Action.READ,
            membership=bob,
            object_type="patient",
            object_id=patient_a.pk,
            reason="not_found_in_clinic",
        )
        raise _Refused

    assert held is None
    assert AuditEvent.objects.count() == 0
    flush_pending_denials()
    event = AuditEvent.objects.get()
    assert (event.actor_username, event.object_id, event.allowed, event.detail) == (
        "bob",
        str(patient_a.pk),
        False,
        "not_found_in_clinic",
    )


def test_a_held_back_denial_keeps_the_channel_and_address_of_its_request(nora):
    context = RequestContext(channel=Channel.API, ip_address="198.51.100.7", user_agent="kc/1")
    with using_context(context), pytest.raises(_Refused), transaction.atomic():
        record_denied(action=Action.UPDATE, membership=nora, reason="role_lacks:change_patient")
        raise _Refused

    flush_pending_denials()  # the middleware has reset the context by the time this runs
    event = AuditEvent.objects.get()
    assert (event.channel, event.ip_address, event.user_agent) == ("api", "198.51.100.7", "kc/1")


def test_the_end_of_a_request_writes_the_held_back_denials_once(client, nora):
    with pytest.raises(_Refused), transaction.atomic():
        record_denied(action=Action.READ, membership=nora, reason="role")
        raise _Refused

    assert not AuditEvent.objects.exists()
    # The test client sends request_finished as a server does (without closing the connection).
    client.get("/accounts/login/")
    client.get("/accounts/login/")
    assert AuditEvent.objects.filter(allowed=False).count() == 1
    assert "ketacare_flush_denials" in [key[0] for key, *_rest in request_finished.receivers]


def test_flushing_with_nothing_held_back_writes_nothing(db):
    flush_pending_denials()
    assert AuditEvent.objects.count() == 0
