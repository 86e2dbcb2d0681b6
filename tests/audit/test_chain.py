"""The hash chain: canonical, linked, stable across a database round trip, never forked."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.db import IntegrityError, transaction

from ketacare.audit.chain import (
    GENESIS_HASH,
    SYSTEM_CHAIN,
    canonical_content,
    chain_name,
    compute_hash,
    genesis_of,
    hash_content,
    parse_chain_name,
)
from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Action, AuditEvent, Channel
from ketacare.audit.services import record_event
from tests.audit.events import patient_event

pytestmark = pytest.mark.django_db


def _reloaded(event: AuditEvent) -> AuditEvent:
    return AuditEvent.objects.get(pk=event.pk)


def test_the_first_event_chains_onto_its_chains_genesis_hash_and_each_next_onto_the_one_before(
    alice, patient_a
):
    first = patient_event(action=Action.READ, membership=alice, patient=patient_a)
    second = patient_event(action=Action.UPDATE, membership=alice, patient=patient_a)
    third = record_event(action=Action.READ, membership=alice)

    assert [e.chain for e in (first, second, third)] == [alice.clinic_id] * 3
    assert [e.previous_hash for e in (first, second, third)] == [
        genesis_of(alice.clinic_id),
        first.hash,
        second.hash,
    ]
    assert len({first.hash, second.hash, third.hash}) == 3
    assert list(AuditEvent.objects.values_list("hash", flat=True)) == [
        first.hash,
        second.hash,
        third.hash,
    ]


def test_an_event_without_a_clinic_goes_to_the_system_chain(alice):
    event = record_event(action=Action.LOGIN, user=alice.user)
    assert (event.clinic_id, event.chain, event.previous_hash) == (
        None,
        SYSTEM_CHAIN,
        genesis_of(SYSTEM_CHAIN),
    )


def test_each_chain_has_its_own_documented_genesis_hash():
    assert genesis_of(0) == hashlib.sha256(b"ketacare-audit-genesis:2:0").hexdigest()
    assert genesis_of(3) == hashlib.sha256(b"ketacare-audit-genesis:2:3").hexdigest()
    assert genesis_of(None) == GENESIS_HASH == "0" * 64  # the legacy chain's
    assert len({genesis_of(chain) for chain in (None, 0, 1, 2, 3, 10, 11)}) == 7


@pytest.mark.parametrize(
    ("chain", "name"), [(None, "legacy"), (0, "system"), (3, "clinic:3"), (120, "clinic:120")]
)
def test_chain_names_go_both_ways(chain, name):
    assert chain_name(chain) == name
    assert parse_chain_name(name) == chain


@pytest.mark.parametrize("name", ["", "clinic", "clinic:", "clinic:x", "Clinic:3", "sys", "3"])
def test_a_chain_name_that_is_none_of_the_three_forms_is_refused(name):
    with pytest.raises(ValueError):
        parse_chain_name(name)


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
        '"user_agent":"curl/8 \\u00fcn\\u00efcode"},"format":2,"previous":"'
        + hashlib.sha256(b"ketacare-audit-genesis:2:7").hexdigest()
        + '"}'
    )
    assert json.loads(payload)  # the documented form is valid JSON
    assert event.hash == hashlib.sha256(payload.encode("ascii")).hexdigest()


def test_a_legacy_event_hashes_as_chain_format_1_did():
    # The form every event had before chains per clinic; verify still walks them by it.
    content = {name: None for name in ("actor_user_id", "clinic_id", "patient_id", "ip_address")}
    content |= {"occurred_at": "2026-01-01T00:00:00.000000Z", "allowed": True}
    content |= {
        name: ""
        for name in (
            "actor_username",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "channel",
            "user_agent",
            "detail",
        )
    }
    payload = json.dumps(
        {"content": content, "format": 1, "previous": GENESIS_HASH},
        sort_keys=True,
        separators=(",", ":"),
    )
    expected = hashlib.sha256(payload.encode("ascii")).hexdigest()
    assert hash_content(content, GENESIS_HASH, chain_format=1) == expected


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


@pytest.mark.parametrize("predecessor", ["first", "genesis"])
def test_a_second_event_chained_onto_the_same_predecessor_is_refused_by_the_database(predecessor):
    # A writer that skipped the append lock would fork the chain; the unique previous hash stops it.
    first = record_event(action=Action.READ, clinic_id=4)
    second = record_event(action=Action.READ, clinic_id=4)
    previous = first.hash if predecessor == "first" else genesis_of(4)
    fork = AuditEvent(
        occurred_at=second.occurred_at, action="read", clinic_id=4, chain=4, previous_hash=previous
    )
    fork.hash = compute_hash(fork, previous)
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
