"""Writing audit events. Call `record_event` inside the same transaction as the change it audits.

Each event is appended to its clinic's chain (events without a clinic: the system chain; see
ketacare.audit.chain), and appends to one chain are serialised so it never forks. Appending to
clinic A's chain locks only clinic A's chain and reads only its newest event: writers of
different clinics never wait for each other, and nothing in an append would have to cross shards
in a network sharded by clinic.

On PostgreSQL an append is three statements:

1. `SET CONSTRAINTS ALL IMMEDIATE`: the transaction's deferred foreign keys are checked now.
   At COMMIT they would lock their rows (the patient's) after the chain's lock, and deadlock
   with a writer that locks the patient first and then appends. Whatever this waits for, it
   waits for before the chain's lock, not under it.
2. The chain's lock, a transaction-level advisory lock keyed by the chain, and, in the same round
   trip, the chain's newest event (a second statement, so it reads after the lock is granted).
3. The INSERT of the event, chained onto that hash.

The lock is held until the caller's transaction ends, and it has to be: the event's place in the
chain is the order in which the appending transactions commit, and an event must not chain onto
one that may still roll back. So its span is one round trip (the INSERT) plus the caller's
COMMIT, which is why the audit event must be the last statement of a service: anything after it
runs under the chain's lock. (Before chains per clinic, one advisory lock for the whole
installation was held across a look-up of the newest event, the INSERT and the COMMIT: every
audited write of every clinic queued behind it.) For the same reason a service that audits first
and then locks rows can deadlock with one that locks the same rows first and then audits. A
transaction that appends to two chains (two clinics) holds both locks; two such transactions
taking them in opposite orders would deadlock, so a unit of work stays in one clinic, as it must
anyway once clinics live on different shards. (No test or command of the suite does otherwise.)

Why an advisory lock and not a row lock on a table of chain heads (`SELECT ... FOR UPDATE`):
PostgreSQL queues advisory lock requests first come, first served, whereas a transaction that
asks for a row lock at the moment it is free takes it ahead of those already waiting. With many
writers in one clinic that let some requests wait many turns: with 16 clients in one clinic its
p99 was two to three times the old lock's, while the advisory lock per chain keeps the old p99
(bench/audit_chain.py, bench/results.md). Where clinics write side by side the row lock was a
little faster; the worst case decided. Three statements, as before chains per clinic (one fewer on
SQLite): the exact query counts of the pages' tests rely on it.

On SQLite every write transaction starts with BEGIN IMMEDIATE (settings), which already admits
one writer at a time: an append is the read of the chain's newest event and the INSERT.

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

from ketacare.audit.chain import chain_for, compute_hash, genesis_of
from ketacare.audit.context import RequestContext, current_context, reset_context, set_context
from ketacare.audit.models import Action, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ketacare.clinics.models import Membership

# The first half of each chain's advisory lock key (the chain is the second): any constant that
# nothing else locks with.
_CHAIN_LOCK_CLASS = 7_301_551
# The hash of the chain's newest event (the partial index on chain, id); SQLite needs only this.
_NEWEST_OF_CHAIN = "SELECT hash FROM audit_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1"
# PostgreSQL, step 2: lock, then read (its own statement, so its snapshot follows the lock).
_LOCK_AND_READ_POSTGRESQL = "SELECT pg_advisory_xact_lock(%s, %s); " + _NEWEST_OF_CHAIN


def _text(value: object, field: str) -> str:
    """A string that both databases store exactly as given (so the hash survives a round trip)."""
    max_length = AuditEvent._meta.get_field(field).max_length
    text = "" if value is None else str(value)
    # PostgreSQL refuses NUL in text and lone surrogates are not UTF-8: neither may reach the row.
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[:max_length]


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
    # No savepoint: a failed audit write must fail the caller's whole unit of work anyway.
    with transaction.atomic(savepoint=False):
        event.previous_hash = _lock_chain(event.chain)
        event.hash = compute_hash(event, event.previous_hash)
        event.save()
    return event


def _lock_chain(chain: int) -> str:
    """The hash to chain onto; on PostgreSQL the chain stays locked until the transaction ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # One round trip for both statements (client-side binding); the row is the second's.
            cursor.execute(_LOCK_AND_READ_POSTGRESQL, [_CHAIN_LOCK_CLASS, _lock_key(chain), chain])
            cursor.nextset()
        else:
            cursor.execute(_NEWEST_OF_CHAIN, [chain])
        row = cursor.fetchone()
    return row[0] if row else genesis_of(chain)


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
