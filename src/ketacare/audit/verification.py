"""Walking the audit chain: is every event intact, and in its place?

The walk streams the table in primary-key order (the order events were chained, since appends
are serialised), recomputes each event's hash from its stored content and its stored previous
hash, and checks that the previous hash is the hash of the event before it. Memory stays flat
at any table size. The first broken event is classified:

- content changed: the stored content (or a stored hash) no longer gives the stored hash;
- event missing before it: its previous hash belongs to no event in the table (deleted);
- reordered: its previous hash belongs to an event elsewhere in the table;
- link broken: it claims to start the chain although events come before it.

What a chain of plain SHA-256 hashes cannot see on its own: the newest events deleted (nothing
after them points at them) and a chain rewritten wholesale by someone who recomputes every
hash. Keep the head hash printed by `ketacare audit verify --show-head` somewhere else (a ticket, a
log shipped off the server) and pass it back with `--head` to close both gaps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ketacare.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_content, hash_content
from ketacare.audit.models import AuditEvent

_COLUMNS = ("pk", *HASHED_FIELDS, "previous_hash", "hash")


class BreakKind(enum.StrEnum):
    CONTENT_CHANGED = "content_changed"
    EVENT_MISSING_BEFORE = "event_missing_before"
    REORDERED = "reordered"
    LINK_BROKEN = "link_broken"
    HEAD_MISSING = "head_missing"


@dataclass(frozen=True)
class ChainBreak:
    kind: BreakKind
    event_id: int | None
    sentence: str


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(*, chunk_size: int = 2000, expected_head: str | None = None) -> ChainReport:
    """Walk the whole chain; stop at the first broken event."""
    rows = AuditEvent.objects.order_by("pk").values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
    expected_previous = GENESIS_HASH
    previous_pk: int | None = None
    count = 0
    head_seen = expected_head is None
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        pk = values["pk"]
        stored_previous = values["previous_hash"]
        try:
            recomputed = hash_content(canonical_content(values), stored_previous)
        except (TypeError, ValueError):
            recomputed = None  # a value no writer could have produced: edited by hand
        if recomputed != values["hash"]:
            return _broken(count, expected_previous, _content_changed(pk))
        if stored_previous != expected_previous:
            return _broken(count, expected_previous, _link_break(pk, previous_pk, stored_previous))
        expected_previous = values["hash"]
        previous_pk = pk
        count += 1
        head_seen = head_seen or values["hash"] == expected_head
    if not head_seen:
        return _broken(
            count,
            expected_previous,
            ChainBreak(
                BreakKind.HEAD_MISSING,
                None,
                f"Audit chain broken after event {previous_pk}: the head {expected_head} recorded "
                "earlier is no longer in the chain, so the newest events were removed.",
            ),
        )
    return ChainReport(events_checked=count, head_hash=expected_previous, broken=None)


def _broken(count: int, head: str, found: ChainBreak) -> ChainReport:
    return ChainReport(events_checked=count, head_hash=head, broken=found)


def _content_changed(pk: int) -> ChainBreak:
    return ChainBreak(
        BreakKind.CONTENT_CHANGED,
        pk,
        f"Audit chain broken at event {pk}: its content was changed after it was written "
        "(its hash no longer matches it).",
    )


def _link_break(pk: int, previous_pk: int | None, stored_previous: str) -> ChainBreak:
    if stored_previous == GENESIS_HASH:
        return ChainBreak(
            BreakKind.LINK_BROKEN,
            pk,
            f"Audit chain broken at event {pk}: its link is broken (it claims to start the chain, "
            f"but event {previous_pk} comes before it).",
        )
    # Only reached on failure: one indexed look-up, so the walk itself keeps no hashes in memory.
    owner = AuditEvent.objects.filter(hash=stored_previous).values_list("pk", flat=True).first()
    if owner is not None:
        return ChainBreak(
            BreakKind.REORDERED,
            pk,
            f"Audit chain broken at event {pk}: events were reordered (it was chained after "
            f"event {owner}, but it now follows {_after(previous_pk)}).",
        )
    return ChainBreak(
        BreakKind.EVENT_MISSING_BEFORE,
        pk,
        f"Audit chain broken at event {pk}: an event before it is missing (the event it was "
        f"chained after is no longer in the table; it now follows {_after(previous_pk)}).",
    )


def _after(previous_pk: int | None) -> str:
    return "the start of the chain" if previous_pk is None else f"event {previous_pk}"
