"""The hash chain: canonical, linked, stable across a database round trip, never forked."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.db import IntegrityError, transaction

from ketacare.audit.chain import GENESIS_HASH, canonical_content, compute_hash
from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Action, AuditEvent, Channel
from ketacare.audit.services import record_event
from tests.audit.events import patient_event

pytestmark = pytest.mark.django_db


def _reloaded(event: AuditEvent) -> AuditEvent:
    return AuditEvent.objects.get(pk=event.pk)


def test_the_first_event_chains_onto_the_genesis_hash_and_each_next_onto_the_one_before(
    alice, patient_a
):
    first = patient_event(action=Action.READ, membership=alice, patient=patient_a)
    second = patient_event(action=Action.UPDATE, membership=alice, patient=patient_a)
    third = record_event(action=Action.READ, user=alice.user)

    assert [e.previous_hash for e in (first, second, third)] == [
        GENESIS_HASH,
        first.hash,
        second.hash,
    ]
    assert len({first.hash, second.hash, third.hash}) == 3
    assert list(AuditEvent.objects.values_list("hash", flat=True)) == [
        first.hash,
        second.hash,
        third.hash,
    ]


def test_the_event_records_actor_subject_and_request_context(alice, patient_a):
    with using_context(
        RequestContext(channel=Channel.WEB, ip_address="203.0.113.9", user_agent="Firefox/130")
    ):
        event = record_event(
            action=Action.READ,
            membership=alice,
            object_type="patient",
            object_id=patient_a.pk,
            patient_id=patient_a.pk,
            detail="list",
        )

    stored = _reloaded(event)
    assert (stored.actor_user_id, stored.actor_username, stored.actor_role, stored.clinic_id) == (
        alice.user_id,
        "alice",
        "prescriber",
        alice.clinic_id,
    )
    assert (stored.action, stored.object_type, stored.object_id, stored.patient_id) == (
        "read",
        "patient",
        str(patient_a.pk),
        patient_a.pk,
    )
    assert (
        stored.channel,
        stored.ip_address,
        stored.user_agent,
        stored.allowed,
        stored.detail,
    ) == (
        "web",
        "203.0.113.9",
        "Firefox/130",
        True,
        "list",
    )


def test_the_hash_is_sha256_of_the_documented_canonical_json():
    with (
        using_context(
            RequestContext(channel=Channel.API, ip_address="::1", user_agent="curl/8 ünïcode")
        ),
        time_machine.travel(dt.datetime(2026, 3, 1, 14, 5, 6, 789, tzinfo=dt.UTC), tick=False),
    ):
        event = record_event(
            action=Action.EXPORT,
            clinic_id=7,
            object_type="audit_report",
            detail="from=2026-01-01",
        )

    payload = (
        '{"content":{"action":"export","actor_role":"","actor_user_id":null,"actor_username":"",'
        '"allowed":true,"channel":"api","clinic_id":7,"detail":"from=2026-01-01",'
        '"ip_address":"0000:0000:0000:0000:0000:0000:0000:0001","object_id":"",'
        '"object_type":"audit_report","occurred_at":"2026-03-01T14:05:06.000789Z","patient_id":null,'
        '"user_agent":"curl/8 \\u00fcn\\u00efcode"},"format":1,"previous":"' + GENESIS_HASH + '"}'
    )
    assert json.loads(payload)  # the documented form is valid JSON
    assert event.hash == hashlib.sha256(payload.encode("ascii")).hexdigest()


@pytest.mark.parametrize(
    ("moment", "address"),
    [
        (dt.datetime(2026, 5, 1, 8, 0, 0, 0, tzinfo=dt.UTC), "192.0.2.1"),
        (dt.datetime(2026, 5, 1, 8, 0, 0, 1, tzinfo=dt.UTC), "2001:0DB8:0000::0001"),
        (dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC), "::ffff:198.51.100.7"),
        (
            dt.datetime(2026, 7, 1, 2, 30, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
            None,
        ),
    ],
    ids=["whole-second", "one-microsecond-ipv6", "last-microsecond-ipv4-mapped", "other-offset"],
)
def test_an_event_read_back_from_the_database_hashes_exactly_as_written(alice, moment, address):
    context = RequestContext(
        channel=Channel.WEB, ip_address=address, user_agent="Mozilla/5.0 (Ω) \x00end"
    )
    with using_context(context), time_machine.travel(moment, tick=False):
        event = record_event(
            action=Action.READ,
            membership=alice,
            object_type="patient",
            object_id="42",
            patient_id=42,
            detail="größe=1",
        )

    stored = _reloaded(event)
    assert stored.occurred_at == moment
    assert canonical_content(stored.__dict__) == canonical_content(event.__dict__)
    assert compute_hash(stored, stored.previous_hash) == stored.hash == event.hash


def test_an_ipv4_mapped_address_is_stored_as_plain_ipv4():
    with using_context(RequestContext(ip_address="::ffff:198.51.100.7")):
        event = record_event(action=Action.READ)
    assert _reloaded(event).ip_address == "198.51.100.7"


@pytest.mark.parametrize("address", ["not-an-ip", "999.1.1.1", "1.2.3.4/24", ""])
def test_a_malformed_address_is_stored_as_none_instead_of_failing_the_write(address):
    with using_context(RequestContext(ip_address=address)):
        event = record_event(action=Action.READ)
    assert _reloaded(event).ip_address is None


def test_a_zone_is_dropped_from_an_ipv6_address():
    with using_context(RequestContext(ip_address="fe80::1%eth0")):
        event = record_event(action=Action.READ)
    stored = _reloaded(event)
    assert stored.ip_address == "fe80::1"
    assert compute_hash(stored, stored.previous_hash) == event.hash


def test_values_longer_than_their_column_are_cut_so_both_databases_store_them(alice):
    with using_context(RequestContext(user_agent="u" * 500)):
        event = record_event(
            action=Action.READ,
            membership=alice,
            object_type="t" * 100,
            object_id="9" * 100,
            detail="d" * 400,
        )
    stored = _reloaded(event)
    assert (
        len(stored.object_type),
        len(stored.object_id),
        len(stored.user_agent),
        len(stored.detail),
    ) == (60, 64, 300, 300)
    assert compute_hash(stored, stored.previous_hash) == stored.hash


def test_ids_given_as_strings_are_stored_and_hashed_as_integers():
    event = record_event(action=Action.READ, clinic_id="3", patient_id="12")  # type: ignore[arg-type]
    stored = _reloaded(event)
    assert (stored.clinic_id, stored.patient_id) == (3, 12)
    assert compute_hash(stored, stored.previous_hash) == event.hash


def test_an_anonymous_actor_is_recorded_without_user(client):
    from django.contrib.auth.models import AnonymousUser

    event = record_event(action=Action.LOGIN_FAILED, user=AnonymousUser(), detail="bad_password")
    assert (event.actor_user_id, event.actor_username, event.actor_role) == (None, "", "")


def test_a_second_event_chained_onto_the_same_predecessor_is_refused_by_the_database():
    # A writer that skipped the append lock would fork the chain; the unique previous hash stops it.
    first = record_event(action=Action.READ)
    second = record_event(action=Action.READ)
    fork = AuditEvent(occurred_at=second.occurred_at, action="read", previous_hash=first.hash)
    fork.hash = compute_hash(fork, first.hash)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    assert AuditEvent.objects.count() == 2


def test_an_event_recorded_in_a_transaction_that_rolls_back_disappears_with_it():
    before = record_event(action=Action.READ)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action=Action.UPDATE)
        raise RuntimeError("the change failed")
    after = record_event(action=Action.READ)
    assert after.previous_hash == before.hash
    assert AuditEvent.objects.count() == 2
