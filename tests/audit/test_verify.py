"""`ketacare audit verify` finds the first broken event: edited, deleted or reordered.

The events here are all clinic 1's (one chain); tests/audit/test_chains_per_clinic.py has
several chains at once.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection  # noqa: F401 - read by the skipif condition

from ketacare.audit.chain import genesis_of
from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.audit.verification import BreakKind, _link_break, verify_chains
from tests.audit.events import patient_event
from tests.audit.helpers import delete_row, edit_column, swap_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """Five events of clinic 1, ids in chain order."""
    return [
        record_event(
            action=Action.READ, clinic_id=1, object_type="patient", object_id=n, patient_id=n
        )
        for n in range(1, 6)
    ]


def verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_chain_passes(chain):
    assert verify() == (0, "Audit chain intact: 5 events in 1 chain.\n", "")


def test_an_empty_chain_passes():
    assert verify() == (0, "Audit chain intact: 0 events in 0 chains.\n", "")


def test_the_walk_crosses_chunk_boundaries(chain):
    assert verify("--chunk-size", "2") == (0, "Audit chain intact: 5 events in 1 chain.\n", "")


def test_an_edited_event_is_named(chain):
    edit_column(chain[2].pk, "detail", "nothing to see")
    assert verify() == (
        1,
        "",
        f"Audit chain clinic:1 broken at event {chain[2].pk}: its content was changed after it "
        "was written (its hash no longer matches it).\n",
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("allowed", False),
        ("patient_id", 999),
        ("actor_username", "someone"),
        ("occurred_at", "2020-01-01 00:00:00"),
        ("ip_address", "192.0.2.99"),
        ("hash", "f" * 64),
    ],
)
def test_an_edit_of_any_hashed_column_or_the_hash_itself_is_caught(chain, column, value):
    edit_column(chain[1].pk, column, value)
    code, _out, err = verify()
    assert code == 1
    assert err.startswith(
        f"Audit chain clinic:1 broken at event {chain[1].pk}: its content was changed"
    )


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="inet itself refuses such a value")
def test_an_edit_that_leaves_a_value_no_writer_produces_is_reported_as_a_change(chain):
    edit_column(chain[3].pk, "ip_address", "not an address")  # SQLite stores anything
    code, _out, err = verify()
    assert code == 1
    assert err.startswith(f"Audit chain clinic:1 broken at event {chain[3].pk}: its content")


def test_a_deleted_event_is_found_at_the_event_after_it(chain):
    delete_row(chain[2].pk)
    assert verify() == (
        1,
        "",
        f"Audit chain clinic:1 broken at event {chain[3].pk}: an event before it is missing (the "
        "event it was chained after is no longer in the table; it now follows event "
        f"{chain[1].pk}).\n",
    )


def test_a_deleted_first_event_is_found_at_the_new_first_event(chain):
    delete_row(chain[0].pk)
    code, _out, err = verify()
    assert code == 1
    assert err == (
        f"Audit chain clinic:1 broken at event {chain[1].pk}: an event before it is missing (the "
        "event it was chained after is no longer in the table; it now follows the start of the "
        "chain).\n"
    )


def test_two_swapped_neighbours_are_reported_as_reordered(chain):
    swap_rows(chain[1].pk, chain[2].pk)
    assert verify() == (
        1,
        "",
        f"Audit chain clinic:1 broken at event {chain[1].pk}: events were reordered (it was "
        f"chained after event {chain[2].pk}, but it now follows event {chain[0].pk}).\n",
    )


def test_two_distant_swapped_events_are_reported_as_reordered(chain):
    swap_rows(chain[0].pk, chain[3].pk)
    code, _out, err = verify()
    assert code == 1
    assert err == (
        f"Audit chain clinic:1 broken at event {chain[0].pk}: events were reordered (it was "
        f"chained after event {chain[2].pk}, but it now follows the start of the chain).\n"
    )


def test_content_swapped_under_unchanged_hashes_is_reported_as_changed(chain):
    swap_rows(chain[1].pk, chain[3].pk, with_hashes=False)
    code, _out, err = verify()
    assert code == 1
    assert err.startswith(
        f"Audit chain clinic:1 broken at event {chain[1].pk}: its content was changed"
    )


def test_an_event_claiming_to_start_the_chain_midway_is_a_broken_link():
    # Unreachable while the unique previous hash holds; the walk still names it if a DBA drops it.
    found = _link_break(1, 7, 6, genesis_of(1))
    assert (found.kind, found.chain, found.event_id) == (BreakKind.LINK_BROKEN, 1, 7)
    assert found.sentence == (
        "Audit chain clinic:1 broken at event 7: its link is broken (it claims to start the "
        "chain, but event 6 comes before it)."
    )


def test_the_head_hash_is_shown_on_request_and_checked_when_given(chain):
    assert verify("--show-head") == (
        0,
        f"Audit chain intact: 5 events in 1 chain.\nHead hash: clinic:1={chain[-1].hash}\n",
        "",
    )
    assert verify("--head", f"clinic:1={chain[-1].hash}")[0] == 0
    assert verify("--head", f"clinic:1={chain[2].hash}")[0] == 0  # an older head is still in it


def test_a_bare_head_the_form_printed_before_chains_per_clinic_is_looked_for_in_every_chain(
    chain,
):
    assert verify("--head", chain[-1].hash)[0] == 0
    delete_row(chain[-1].pk)
    assert verify("--head", chain[-1].hash) == (
        1,
        "",
        f"Audit trail broken: the head {chain[-1].hash} recorded earlier is in no chain, so the "
        "newest events of its chain were removed.\n",
    )


def test_removing_the_newest_events_is_caught_with_a_recorded_head(chain):
    head = chain[-1].hash
    delete_row(chain[-1].pk)
    delete_row(chain[-2].pk)
    assert verify()[0] == 0  # nothing after the deleted events points at them
    assert verify("--head", f"clinic:1={head}") == (
        1,
        "",
        f"Audit chain clinic:1 broken after event {chain[-3].pk}: the head {head} recorded "
        "earlier is no longer in the chain, so the newest events were removed.\n",
    )


def test_a_head_recorded_for_a_chain_that_is_now_empty_is_caught(chain):
    head = chain[-1].hash
    for event in chain:
        delete_row(event.pk)
    assert verify() == (0, "Audit chain intact: 0 events in 0 chains.\n", "")
    assert verify("--head", f"clinic:1={head}") == (
        1,
        "",
        f"Audit chain clinic:1 broken after the start of the chain: the head {head} recorded "
        "earlier is no longer in the chain, so the newest events were removed.\n",
    )


def test_a_head_of_another_chain_is_not_found_in_this_one(chain):
    other = record_event(action=Action.READ, clinic_id=2)
    code, _out, err = verify("--head", f"clinic:1={other.hash}")
    assert code == 1
    assert err.startswith(f"Audit chain clinic:1 broken after event {chain[-1].pk}: the head")


@pytest.mark.parametrize(
    "value",
    ["xyz", "clinic:1=xyz", "clinic=" + "a" * 64, "clinic:x=" + "a" * 64, "=" + "a" * 64, "A" * 64],
)
def test_a_malformed_head_is_refused_with_one_sentence(chain, value):
    with pytest.raises(CommandError, match=r"^--head must be CHAIN=HASH \(CHAIN: legacy, system"):
        call_command("audit", "verify", "--head", value)


def test_the_report_counts_checked_events_and_the_head(chain):
    report = verify_chains()
    assert (report.intact, report.events_checked) == (True, 5)
    assert [(c.name, c.events_checked, c.head_hash) for c in report.chains] == [
        ("clinic:1", 5, chain[-1].hash)
    ]


def test_verify_writes_no_event(chain):
    verify()
    assert AuditEvent.objects.count() == 5


def test_tail_lists_ids_and_actions_without_names(alice, patient_a):
    for _ in range(3):
        patient_event(action=Action.READ, membership=alice, patient=patient_a)
    record_event(
        action=Action.UPDATE,
        membership=alice,
        object_type="patient",
        object_id=patient_a.pk,
        allowed=False,
    )
    out = StringIO()
    call_command("audit", "tail", "-n", "2", stdout=out)
    lines = out.getvalue().splitlines()
    last_two = AuditEvent.objects.order_by("-pk")[:2]
    assert [line.split("\t")[0] for line in lines] == [str(e.pk) for e in reversed(last_two)]
    assert lines[-1].endswith(f"system\tupdate\tpatient:{patient_a.pk}\tDENIED")
    assert "alice" not in out.getvalue()
    assert patient_a.family_name not in out.getvalue()
