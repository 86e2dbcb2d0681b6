"""One chain per clinic (and a system chain): each event chains onto the last of its own chain,
verify proves each chain on its own and names the chain of a broken event."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from ketacare.audit.chain import SYSTEM_CHAIN, compute_hash, genesis_of
from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.audit.verification import BreakKind, verify_chains
from tests.audit.events import patient_event
from tests.audit.helpers import delete_row, edit_column, swap_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(alice, bob, patient_a, patient_b):
    """Clinic A, clinic B and the system chain, interleaved: {chain: [events in order]}."""
    a, b, system = alice.clinic_id, bob.clinic_id, SYSTEM_CHAIN
    chains: dict[int, list[AuditEvent]] = {a: [], b: [], system: []}
    for _ in range(3):
        chains[a].append(patient_event(action=Action.READ, membership=alice, patient=patient_a))
        chains[b].append(patient_event(action=Action.UPDATE, membership=bob, patient=patient_b))
        chains[system].append(record_event(action=Action.LOGIN, user=alice.user))
    return chains


def verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_each_event_chains_onto_the_previous_event_of_its_own_clinic(trail):
    for chain, events in trail.items():
        assert {e.chain for e in events} == {chain}
        assert [e.previous_hash for e in events] == [
            genesis_of(chain),
            events[0].hash,
            events[1].hash,
        ]


def test_every_chain_verifies_and_the_report_lists_them_system_first(trail, alice, bob):
    report = verify_chains()
    assert report.intact
    assert [(c.chain, c.events_checked, c.head_hash) for c in report.chains] == [
        (SYSTEM_CHAIN, 3, trail[SYSTEM_CHAIN][-1].hash),
        (alice.clinic_id, 3, trail[alice.clinic_id][-1].hash),
        (bob.clinic_id, 3, trail[bob.clinic_id][-1].hash),
    ]
    assert verify("--show-head") == (
        0,
        "Audit chain intact: 9 events in 3 chains.\n"
        f"Head hash: system={trail[SYSTEM_CHAIN][-1].hash}\n"
        f"Head hash: clinic:{alice.clinic_id}={trail[alice.clinic_id][-1].hash}\n"
        f"Head hash: clinic:{bob.clinic_id}={trail[bob.clinic_id][-1].hash}\n",
        "",
    )


def test_an_edit_in_one_clinics_chain_names_that_chain_and_event_and_the_others_stay_proved(
    trail, alice, bob
):
    edited = trail[bob.clinic_id][1]
    edit_column(edited.pk, "detail", "nothing to see")

    report = verify_chains()
    assert [(b.kind, b.chain, b.event_id) for b in report.breaks] == [
        (BreakKind.CONTENT_CHANGED, bob.clinic_id, edited.pk)
    ]
    assert report.chain(alice.clinic_id).intact
    assert report.chain(alice.clinic_id).events_checked == 3
    assert report.chain(SYSTEM_CHAIN).intact
    assert report.chain(bob.clinic_id).events_checked == 1  # up to the edited event
    assert verify() == (
        1,
        "",
        f"Audit chain clinic:{bob.clinic_id} broken at event {edited.pk}: its content was "
        "changed after it was written (its hash no longer matches it).\n",
    )


def test_a_break_in_two_chains_gives_one_sentence_for_each(trail, alice, bob):
    delete_row(trail[alice.clinic_id][1].pk)
    edit_column(trail[SYSTEM_CHAIN][0].pk, "allowed", False)
    code, out, err = verify()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"Audit chain system broken at event {trail[SYSTEM_CHAIN][0].pk}: its content was "
        "changed after it was written (its hash no longer matches it).",
        f"Audit chain clinic:{alice.clinic_id} broken at event {trail[alice.clinic_id][2].pk}: an "
        "event before it is missing (the event it was chained after is no longer in the table; "
        f"it now follows event {trail[alice.clinic_id][0].pk}).",
    ]


def test_a_deleted_event_is_found_in_its_own_chain_not_at_the_next_row_of_the_table(trail, bob):
    # The row after it in the table is another clinic's, whose chain never pointed at it.
    deleted = trail[bob.clinic_id][0]
    delete_row(deleted.pk)
    report = verify_chains()
    assert [(b.kind, b.chain, b.event_id) for b in report.breaks] == [
        (BreakKind.EVENT_MISSING_BEFORE, bob.clinic_id, trail[bob.clinic_id][1].pk)
    ]


def test_an_event_moved_to_another_clinics_chain_is_reported_as_changed(trail, alice, bob):
    moved = trail[alice.clinic_id][2]
    edit_column(moved.pk, "chain", bob.clinic_id)
    report = verify_chains()
    assert (BreakKind.CONTENT_CHANGED, bob.clinic_id, moved.pk) in [
        (b.kind, b.chain, b.event_id) for b in report.breaks
    ]


def test_an_event_moved_with_its_clinic_is_reported_as_changed(trail, alice, bob):
    moved = trail[alice.clinic_id][2]
    edit_column(moved.pk, "clinic_id", bob.clinic_id)
    edit_column(moved.pk, "chain", bob.clinic_id)
    assert (BreakKind.CONTENT_CHANGED, bob.clinic_id, moved.pk) in [
        (b.kind, b.chain, b.event_id) for b in verify_chains().breaks
    ]


def test_events_of_one_chain_swapped_are_reordered_in_that_chain(trail, alice):
    first, second = trail[alice.clinic_id][0], trail[alice.clinic_id][1]
    swap_rows(first.pk, second.pk)
    code, _out, err = verify()
    assert code == 1
    assert err == (
        f"Audit chain clinic:{alice.clinic_id} broken at event {first.pk}: events were reordered "
        f"(it was chained after event {second.pk}, but it now follows the start of the chain).\n"
    )


def test_heads_are_checked_per_chain(trail, alice, bob):
    a, b = trail[alice.clinic_id], trail[bob.clinic_id]
    heads = [f"clinic:{alice.clinic_id}={a[-1].hash}", f"clinic:{bob.clinic_id}={b[1].hash}"]
    assert verify(*[arg for head in heads for arg in ("--head", head)])[0] == 0

    code, _out, err = verify("--head", f"clinic:{alice.clinic_id}={b[-1].hash}")
    assert code == 1
    assert err.startswith(f"Audit chain clinic:{alice.clinic_id} broken after event {a[-1].pk}")


def test_an_append_chains_onto_its_own_clinics_newest_event_whatever_came_after(trail, alice):
    # The table's newest rows are clinic B's and the system's: clinic A's chain skips them.
    event = record_event(action=Action.READ, membership=alice)
    assert event.previous_hash == trail[alice.clinic_id][-1].hash


@pytest.mark.parametrize("first_of_its_chain", [True, False])
def test_an_append_is_one_round_trip_on_postgresql_two_statements_on_sqlite(
    django_assert_num_queries, first_of_its_chain
):
    # Every page's exact query count (tests of the other apps) counts on this.
    if not first_of_its_chain:
        record_event(action=Action.READ, clinic_id=5)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2) as captured:
        event = record_event(action=Action.READ, clinic_id=5)
    assert compute_hash(event, event.previous_hash) == event.hash
    if connection.vendor == "postgresql":
        # Inside a transaction (the test's) the deferred foreign keys are checked before the lock.
        assert captured.captured_queries[0]["sql"].startswith(
            "SET CONSTRAINTS ALL IMMEDIATE; SELECT pg_advisory_xact_lock("
        )
