"""Writing audit events. Call `record_event` inside the same transaction as the change it audits.

Each event is appended to its clinic's chain (events without a clinic: the system chain; see
ketacare.audit.chain), and appends to one chain are serialised so it never forks. Appending to
clinic A's chain locks only clinic A's chain and reads only its newest event: writers of
different clinics never wait for each other, and nothing in an append would have to cross shards
in a network sharded by clinic.

On PostgreSQL an append is one round trip, three statements in one query:

1. `SET CONSTRAINTS ALL IMMEDIATE`, inside a caller's transaction only: the transaction's
   deferred foreign keys are checked now. At COMMIT they would lock their rows (the patient's)
   after the chain's lock, and deadlock with a writer that locks the patient first and then
   appends. Whatever this waits for, it waits for before the chain's lock, not under it. Outside
   a transaction (a page that only reads) nothing is deferred, and it is left out.
2. The chain's lock, a transaction-level advisory lock keyed by the chain.
3. The INSERT of the event, which reads the chain's newest event (its own statement, so its
   snapshot follows the lock) and hashes onto it in SQL: SHA-256 of the canonical payload with
   the previous hash put in its place (`chain.payload_around_previous`), the same bytes Python
   hashes, so `ketacare audit verify` checks it like any other event.

Outside a caller's transaction the three run as one implicit transaction (several statements in
one query): lock, read, insert and commit in one round trip, with no BEGIN and COMMIT of their
own. Inside one the lock is held until the caller's transaction ends, and it has to be: the
event's place in the chain is the order in which the appending transactions commit, and an
event must not chain onto one that may still roll back. So its span is the rest of that one
query plus the caller's COMMIT, which is why the audit event must be the last statement of a
service: anything after it runs under the chain's lock. (Before chains per clinic, one advisory
lock for the whole installation was held across a look-up of the newest event, the INSERT and
the COMMIT: every audited write of every clinic queued behind it.) For the same reason a service
that audits first and then locks rows can deadlock with one that locks the same rows first and
then audits. A transaction that appends to two chains (two clinics) holds both locks; two such
transactions taking them in opposite orders would deadlock, so a unit of work stays in one
clinic, as it must anyway once clinics live on different shards. (No test or command of the
suite does otherwise.)

Why an advisory lock and not a row lock on a table of chain heads (`SELECT ... FOR UPDATE`):
PostgreSQL queues advisory lock requests first come, first served, whereas a transaction that
asks for a row lock at the moment it is free takes it ahead of those already waiting. With many
writers in one clinic that let some requests wait many turns: with 16 clients in one clinic its
p99 was two to three times the old lock's, while the advisory lock per chain keeps the old p99
(bench/audit_chain.py, bench/results.md). Where clinics write side by side the row lock was a
little faster; the worst case decided.

On SQLite every write transaction starts with BEGIN IMMEDIATE (settings), which already admits
one writer at a time: an append is the read of the chain's newest event and the INSERT, hashed
in Python. One statement on PostgreSQL, two on SQLite: the exact query counts of the pages'
tests rely on it.

A refused attempt goes through `record_denied` instead, the one way to record a denial: the
refusal is followed by an error that rolls the caller's transaction back, and the record of the
attempt must not go with it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from ketacare.audit.chain import (
    HASHED_FIELDS,
    chain_for,
    compute_hash,
    content_of,
    genesis_of,
    payload_around_previous,
)
from ketacare.audit.context import RequestContext, current_context, reset_context, set_context
from ketacare.audit.models import Action, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ketacare.clinics.models import Membership

# The first half of each chain's advisory lock key (the chain is the second): any constant that
# nothing else locks with.
_CHAIN_LOCK_CLASS = 7_301_551
# The hash of the chain's newest event (the partial index on chain, id).
_NEWEST_OF_CHAIN = "SELECT hash FROM audit_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1"
# The columns an append writes, in the order of `_values`; then previous_hash and hash.
_COLUMNS = (*HASHED_FIELDS, "chain")
_BY_NAME = {f.name: f for f in AuditEvent._meta.concrete_fields}
_FIELDS = tuple(_BY_NAME[name] for name in _COLUMNS)
_MAX_LENGTH = {f.name: f.max_length for f in _FIELDS if f.max_length is not None}
_INSERT_INTO = (
    "INSERT INTO audit_auditevent (" + ", ".join([*_COLUMNS, "previous_hash", "hash"]) + ")"
)
_PLACEHOLDERS = ", ".join(["%s"] * len(_COLUMNS))
# SQLite, after the read of the newest event: the INSERT with both hashes from Python.
_INSERT_SQLITE = f"{_INSERT_INTO} VALUES ({_PLACEHOLDERS}, %s, %s)"
# PostgreSQL: the newest event read and the hash computed in the INSERT itself. The read is in
# the statement after the lock's, so its snapshot follows the lock; the hash is SHA-256 of the
# canonical payload with the previous hash put in its place (chain.payload_around_previous).
_APPEND_POSTGRESQL = (
    "SELECT pg_advisory_xact_lock(%s, %s); "  # noqa: S608 - the model's column names; values bound
    f"WITH head AS (SELECT COALESCE(({_NEWEST_OF_CHAIN}), %s) AS previous) "
    f"{_INSERT_INTO} VALUES ({_PLACEHOLDERS}, (SELECT previous FROM head), "
    "encode(sha256(convert_to(%s || (SELECT previous FROM head) || %s, 'UTF8')), 'hex')) "
    "RETURNING id, previous_hash, hash"
)
# Inside a caller's transaction, its deferred foreign keys are checked first (see above).
_APPEND_POSTGRESQL_IN_TRANSACTION = "SET CONSTRAINTS ALL IMMEDIATE; " + _APPEND_POSTGRESQL


def _text(value: object, field: str) -> str:
    """A string that both databases store exactly as given (so the hash survives a round trip)."""
    text = "" if value is None else str(value)
    # PostgreSQL refuses NUL in text and lone surrogates are not UTF-8: neither may reach the row.
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[: _MAX_LENGTH[field]]


def _ip(value: str | None) -> str | None:
    """The address as Django stores it, or None for a missing or malformed one."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # A zone ("%eth0") is neither storable in PostgreSQL's inet nor part of the address.
        return str(ipaddress.IPv6Address(int(address)))
    return str(address)


def _int_or_none(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[call-overload]


def record_event(
    *,
    action: Action | str,
    membership: Membership | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    clinic_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    patient_id: int | None = None,
    allowed: bool = True,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the chain: who (membership or user), did what, to which object.

    `detail` is for ids and codes only, never names, birth dates or free text. The event is part
    of the caller's transaction: if that rolls back, the event goes with it.
    """
    if membership is not None:
        user = membership.user
        clinic_id = membership.clinic_id if clinic_id is None else clinic_id
    context = current_context()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_user_id=user.pk if authenticated and user is not None else None,
        actor_username=_text(user.get_username(), "actor_username")
        if authenticated and user is not None
        else "",
        actor_role=_text(membership.role, "actor_role") if membership is not None else "",
        clinic_id=_int_or_none(clinic_id),
        action=_text(action.value if isinstance(action, Action) else action, "action"),
        object_type=_text(object_type, "object_type"),
        object_id=_text(object_id, "object_id"),
        patient_id=_int_or_none(patient_id),
        channel=_text(context.channel, "channel"),
        ip_address=_ip(context.ip_address),
        user_agent=_text(context.user_agent, "user_agent"),
        allowed=bool(allowed),
        detail=_text(detail, "detail"),
    )
    event.chain = chain_for(event.clinic_id)
    if connection.vendor == "postgresql":
        _append_postgresql(event)
    else:
        _append(event)
    # As the ORM leaves a saved row: a second save() is refused as an update.
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _values(event: AuditEvent) -> list[Any]:
    """The event's columns (`_COLUMNS`) as the database driver takes them."""
    return [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS]


def _append_postgresql(event: AuditEvent) -> None:
    """One round trip: the chain's lock, then the INSERT that reads the chain's newest event and
    hashes onto it. Inside a caller's transaction the lock is held to its COMMIT; outside one the
    statements of the query run as one implicit transaction, which ends with the query."""
    before, after = payload_around_previous(content_of(event))
    chain = event.chain
    params = [_CHAIN_LOCK_CLASS, _lock_key(chain), chain, genesis_of(chain)]
    params += [*_values(event), before, after]
    if connection.in_atomic_block or not connection.get_autocommit():
        # No savepoint: a failed audit write must fail the caller's whole unit of work anyway.
        with transaction.atomic(savepoint=False), _client_binding_cursor() as cursor:
            cursor.execute(_APPEND_POSTGRESQL_IN_TRANSACTION, params)
            cursor.nextset()
            cursor.nextset()
            event.pk, event.previous_hash, event.hash = cursor.fetchone()
    else:
        with _client_binding_cursor() as cursor:
            cursor.execute(_APPEND_POSTGRESQL, params)
            cursor.nextset()
            event.pk, event.previous_hash, event.hash = cursor.fetchone()


def _client_binding_cursor() -> Any:
    """A cursor of the connection that binds parameters in the client, as Django's own
    cursors do unless told otherwise. The append sends its statements in one query, which
    PostgreSQL only accepts as plain text: the connection's own cursors bind on the server
    (`server_side_binding`, so that repeated statements are prepared once)."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.ClientCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _append(event: AuditEvent) -> None:
    """SQLite: the read of the chain's newest event and the INSERT, in one transaction (BEGIN
    IMMEDIATE: one writer at a time). No savepoint: a failed audit write must fail the caller's
    whole unit of work anyway."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_NEWEST_OF_CHAIN, [event.chain])
        row = cursor.fetchone()
        event.previous_hash = row[0] if row else genesis_of(event.chain)
        event.hash = compute_hash(event, event.previous_hash)
        cursor.execute(_INSERT_SQLITE, [*_values(event), event.previous_hash, event.hash])
        event.pk = connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, "id")


def _lock_key(chain: int) -> int:
    """The chain as a 32-bit lock key: ids past 2**31 share a key with another chain, which then
    waits a little more, never wrongly."""
    return (chain + 2**31) % 2**32 - 2**31


def record_list_read(
    *,
    object_type: str,
    ids: Iterable[object],
    detail: str,
    membership: Membership | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    clinic_id: int | None = None,
    patient_id: int | None = None,
) -> list[AuditEvent]:
    """Record the reading of a list: `detail` (counts) plus the ids of the rows shown;
    `patient_id` when every row is one patient's (a section of their chart).

    One event per page view: "page=1 shown=3 total=3 ids=12,15,19". Only if the ids do not fit
    in the detail column (very long ids) do they continue in further events of the same read,
    "part=2 ids=...", so that each id shown is in exactly one event and none is cut.
    """
    max_length = AuditEvent._meta.get_field("detail").max_length
    texts = [str(i) for i in ids]
    details: list[str] = []
    current = detail
    current_ids: list[str] = []
    for text in texts:
        candidate = f"{current} ids={','.join([*current_ids, text])}".strip()
        if current_ids and len(candidate) > max_length:
            details.append(f"{current} ids={','.join(current_ids)}".strip())
            current, current_ids = f"part={len(details) + 1}", []
        current_ids.append(text)
    details.append(f"{current} ids={','.join(current_ids)}".strip() if current_ids else current)
    return [
        record_event(
            action=Action.READ,
            membership=membership,
            user=user,
            clinic_id=clinic_id,
            object_type=object_type,
            patient_id=patient_id,
            detail=text,
        )
        for text in details
    ]


@dataclass(frozen=True)
class _PendingDenial:
    event: dict[str, Any]
    context: RequestContext = field(default_factory=current_context)


_pending: ContextVar[tuple[_PendingDenial, ...]] = ContextVar(
    "ketacare_pending_denials", default=()
)


def _inside_callers_transaction() -> bool:
    # The test Django's `durable=True` uses: atomic blocks opened by a TestCase do not count.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def record_denied(
    *,
    action: Action | str,
    membership: Membership | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    clinic_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    patient_id: int | None = None,
    reason: str = "",
) -> AuditEvent | None:
    """Record a refused attempt (the 404 across clinics, the 403 for a wrong role).

    `reason` is a short code such as `not_found_in_clinic`, `no_membership` or
    `role_lacks:<permission>`. Unlike `record_event`, the record survives the error that
    follows: outside a transaction (views: ATOMIC_REQUESTS is off) it commits at once and the
    event is returned; inside a caller's transaction, which the raised Http404/PermissionDenied
    rolls back, it is held back (None is returned) and written by `flush_pending_denials`,
    which runs when the request finishes; commands and jobs call it themselves.
    """
    event: dict[str, Any] = {
        "action": action,
        "membership": membership,
        "user": user,
        "clinic_id": clinic_id,
        "object_type": object_type,
        "object_id": object_id,
        "patient_id": patient_id,
        "allowed": False,
        "detail": reason,
    }
    if _inside_callers_transaction():
        _pending.set((*_pending.get(), _PendingDenial(event)))
        return None
    return record_event(**event)


def flush_pending_denials(**_signal_kwargs: Any) -> None:
    """Write the denials held back inside transactions, each with its own request context.

    Connected to `request_finished` (audit app config); a command or job that may deny inside a
    transaction calls it before it ends.
    """
    pending = _pending.get()
    if not pending:
        return
    _pending.set(())
    for denial in pending:
        token = set_context(denial.context)
        try:
            record_event(**denial.event)
        finally:
            reset_context(token)
