"""Walking the audit chains: is every event intact, and in its place in its chain?

One pass over the table in primary-key order proves every chain at once: the legacy chain
(format 1, the events written before chains per clinic), the system chain and each clinic's
chain (format 2; ketacare.audit.chain). Within a chain the primary-key order is the order events
were chained, since appends to a chain are serialised. For each event the walk recomputes its
hash from its stored content and stored previous hash (in its chain's format), checks that it
sits in the chain its clinic belongs to, and checks that its previous hash is the hash of the
chain's event before it. It keeps one small state per chain, never the hashes it has passed, so
memory stays flat at any table size. The first broken event of each chain is classified, and the
walk goes on proving the other chains:

- content changed: the stored content (or a stored hash, or the stored chain) no longer gives
  the stored hash;
- event missing before it: its previous hash belongs to no event in the table (deleted);
- reordered: its previous hash belongs to an event elsewhere in the table;
- link broken: it claims to start its chain although events of the chain come before it.

What a chain of plain SHA-256 hashes cannot see on its own: the newest events deleted (nothing
after them points at them) and a chain rewritten wholesale by someone who recomputes every hash.
Keep the heads printed by `ketacare audit verify --show-head` somewhere else (a ticket, a log
shipped off the server) and pass them back with `--head CHAIN=HASH` to close both gaps for
everything written up to then: each must still be in its chain. A head given without its chain
(the form printed before chains per clinic) must be in some chain.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ketacare.audit.chain import (
    HASHED_FIELDS,
    canonical_content,
    chain_for,
    chain_name,
    format_of,
    genesis_of,
    hash_content,
)
from ketacare.audit.models import AuditEvent

_COLUMNS = ("pk", "chain", *HASHED_FIELDS, "previous_hash", "hash")

Chain = int | None  # None: the legacy chain


class BreakKind(enum.StrEnum):
    CONTENT_CHANGED = "content_changed"
    EVENT_MISSING_BEFORE = "event_missing_before"
    REORDERED = "reordered"
    LINK_BROKEN = "link_broken"
    HEAD_MISSING = "head_missing"


@dataclass(frozen=True)
class ChainBreak:
    kind: BreakKind
    chain: Chain
    event_id: int | None
    sentence: str


@dataclass(frozen=True)
class ChainReport:
    """One chain: the events proved intact (up to the first broken one) and its head."""

    chain: Chain
    events_checked: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def name(self) -> str:
        return chain_name(self.chain)

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class TrailReport:
    """Every chain, legacy first, then the system chain, then the clinics by id."""

    chains: tuple[ChainReport, ...]
    unmatched_heads: tuple[ChainBreak, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def breaks(self) -> tuple[ChainBreak, ...]:
        found = tuple(report.broken for report in self.chains if report.broken is not None)
        return found + self.unmatched_heads

    @property
    def events_checked(self) -> int:
        return sum(report.events_checked for report in self.chains)

    def chain(self, chain: Chain) -> ChainReport:
        """The report of one chain (an empty one if the chain has no event)."""
        for report in self.chains:
            if report.chain == chain:
                return report
        return ChainReport(chain, 0, genesis_of(chain), None)


@dataclass
class _Walk:
    """Where the walk stands in one chain."""

    chain: Chain
    expected_previous: str
    previous_pk: int | None = None
    count: int = 0
    broken: ChainBreak | None = None
    # Heads given by the caller that must still be met in this chain.
    wanted: set[str] = field(default_factory=set)


def _chain_order(chain: Chain) -> tuple[int, int]:
    return (0, 0) if chain is None else (1, chain)


def verify_chains(
    *,
    chunk_size: int = 2000,
    expected_heads: Mapping[Chain, Iterable[str]] | None = None,
    expected_anywhere: Iterable[str] = (),
) -> TrailReport:
    """Walk every chain; report the first broken event of each.

    `expected_heads`: hashes recorded earlier per chain, each of which must still be in its
    chain; `expected_anywhere`: hashes recorded without their chain, each must be in some chain.
    """
    walks: dict[Chain, _Walk] = {}

    def walk_of(chain: Chain) -> _Walk:
        if chain not in walks:
            walks[chain] = _Walk(chain, genesis_of(chain))
        return walks[chain]

    for chain, heads in (expected_heads or {}).items():
        for head in heads:
            if head != genesis_of(chain):  # the head of a chain before its first event
                walk_of(chain).wanted.add(head)
    anywhere = {head: False for head in expected_anywhere}

    rows = AuditEvent.objects.order_by("pk").values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        walk = walk_of(values["chain"])
        if walk.broken is not None:
            continue
        pk, stored_previous, stored_hash = values["pk"], values["previous_hash"], values["hash"]
        if not _hash_holds(values):
            walk.broken = _content_changed(walk.chain, pk)
            continue
        if stored_previous != walk.expected_previous:
            walk.broken = _link_break(walk.chain, pk, walk.previous_pk, stored_previous)
            continue
        walk.expected_previous = stored_hash
        walk.previous_pk = pk
        walk.count += 1
        walk.wanted.discard(stored_hash)
        if stored_hash in anywhere:
            anywhere[stored_hash] = True

    reports = []
    for chain in sorted(walks, key=_chain_order):
        walk = walks[chain]
        if walk.broken is None and walk.wanted:
            walk.broken = _head_missing(walk, min(walk.wanted))
        if walk.count or walk.broken is not None:
            reports.append(ChainReport(chain, walk.count, walk.expected_previous, walk.broken))
    unmatched = tuple(
        ChainBreak(
            BreakKind.HEAD_MISSING,
            None,
            None,
            f"Audit trail broken: the head {head} recorded earlier is in no chain, so the newest "
            "events of its chain were removed.",
        )
        for head, met in anywhere.items()
        if not met and not _is_genesis_of_any(head, walks)
    )
    return TrailReport(tuple(reports), unmatched)


def _hash_holds(values: dict[str, object]) -> bool:
    chain = values["chain"]
    try:
        if chain is not None and chain != chain_for(values["clinic_id"]):  # type: ignore[arg-type]
            return False  # moved to another chain than its clinic's
        recomputed = hash_content(
            canonical_content(values),
            str(values["previous_hash"]),
            chain_format=format_of(chain),  # type: ignore[arg-type]
        )
    except (TypeError, ValueError):
        return False  # a value no writer could have produced: edited by hand
    return recomputed == values["hash"]


def _is_genesis_of_any(head: str, walks: Mapping[Chain, _Walk]) -> bool:
    return any(head == genesis_of(chain) for chain in walks)


def _content_changed(chain: Chain, pk: int) -> ChainBreak:
    return ChainBreak(
        BreakKind.CONTENT_CHANGED,
        chain,
        pk,
        f"Audit chain {chain_name(chain)} broken at event {pk}: its content was changed after "
        "it was written (its hash no longer matches it).",
    )


def _link_break(chain: Chain, pk: int, previous_pk: int | None, stored_previous: str) -> ChainBreak:
    name = chain_name(chain)
    if stored_previous == genesis_of(chain):
        return ChainBreak(
            BreakKind.LINK_BROKEN,
            chain,
            pk,
            f"Audit chain {name} broken at event {pk}: its link is broken (it claims to start the "
            f"chain, but event {previous_pk} comes before it).",
        )
    # Only reached on failure: one indexed look-up, so the walk itself keeps no hashes in memory.
    owner = AuditEvent.objects.filter(hash=stored_previous).values_list("pk", "chain").first()
    if owner is not None:
        owner_pk, owner_chain = owner
        elsewhere = "" if owner_chain == chain else f" of chain {chain_name(owner_chain)}"
        return ChainBreak(
            BreakKind.REORDERED,
            chain,
            pk,
            f"Audit chain {name} broken at event {pk}: events were reordered (it was chained "
            f"after event {owner_pk}{elsewhere}, but it now follows {_after(previous_pk)}).",
        )
    return ChainBreak(
        BreakKind.EVENT_MISSING_BEFORE,
        chain,
        pk,
        f"Audit chain {name} broken at event {pk}: an event before it is missing (the event it "
        f"was chained after is no longer in the table; it now follows {_after(previous_pk)}).",
    )


def _head_missing(walk: _Walk, head: str) -> ChainBreak:
    return ChainBreak(
        BreakKind.HEAD_MISSING,
        walk.chain,
        None,
        f"Audit chain {chain_name(walk.chain)} broken after {_after(walk.previous_pk)}: the head "
        f"{head} recorded earlier is no longer in the chain, so the newest events were removed.",
    )


def _after(previous_pk: int | None) -> str:
    return "the start of the chain" if previous_pk is None else f"event {previous_pk}"
