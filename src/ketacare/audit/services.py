"""Writing audit events. Call `record_event` inside the same transaction as the change it audits.

Each event is appended to its clinic's chain (events without a clinic: the system chain; see
ketacare.audit.chain), and appends to one chain are serialised so it never forks. Appending to
clinic A's chain reads and locks only clinic A's head row: writers of different clinics never
wait for each other, and nothing in an append would have to cross shards in a network sharded
by clinic.

On PostgreSQL an append is three statements:

1. `SET CONSTRAINTS ALL IMMEDIATE` and, in the same round trip, create the chain's head row if it
   is missing (its first append; or rebuilt from the chain's newest event, should a row ever be
   lost). Checking the deferred foreign keys now matters: at COMMIT they would lock their rows
   (the patient's) after the chain's lock, and deadlock with a writer that locks the patient
   first and then appends. None of this waits for other writers of the chain.
2. `SELECT hash ... FOR UPDATE` of the head row: the chain's lock, taken as late as possible.
3. The INSERT of the event, chained onto that hash; a trigger moves the head row to it.

Steps 1 and 2 stay apart on purpose: whatever step 1 may wait for (a foreign key's row, another
first append) is waited for before the lock, not under it. Three statements, as before chains
per clinic (one fewer on SQLite): the exact query counts of the pages' tests rely on it.

The lock is held until the caller's transaction ends, and it has to be: the event's place in the
chain is the order in which the appending transactions commit, and an event must not chain onto
one that may still roll back. So its span is one round trip (the INSERT) plus the caller's
COMMIT, which is why the audit event must be the last statement of a service: anything after it
runs under the chain's lock. (Before chains per clinic, one advisory lock for the whole
installation was taken first and held across a look-up of the newest event, the INSERT and the
COMMIT: every audited write of every clinic queued behind it.) For the same reason a service
that audits first and then locks rows can deadlock with one that locks the same rows first and
then audits. A transaction that appends to two chains (two clinics) holds both locks; two such
transactions taking them in opposite orders would deadlock, so a unit of work stays in one
clinic, as it must anyway once clinics live on different shards.

On SQLite every write transaction starts with BEGIN IMMEDIATE (settings), which already admits
one writer at a time: an append is one read of the chain's head and the INSERT.

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

# PostgreSQL, step 1: check the deferred constraints, then make sure the chain has a head row
# (from the chain's newest event if it has events, else its genesis hash). The NOT EXISTS keeps
# the usual case, a row already there, to one index probe that takes no lock; ON CONFLICT covers
# two first appends at once (the second waits for the first and then finds its row).
_PREPARE_POSTGRESQL = (
    "SET CONSTRAINTS ALL IMMEDIATE; "
    "INSERT INTO audit_auditchainhead (chain, hash) "
    "SELECT %(chain)s, COALESCE("
    "(SELECT hash FROM audit_auditevent WHERE chain = %(chain)s ORDER BY id DESC LIMIT 1), "
    "%(genesis)s) "
    "WHERE NOT EXISTS (SELECT 1 FROM audit_auditchainhead WHERE chain = %(chain)s) "
    "ON CONFLICT (chain) DO NOTHING"
)
# PostgreSQL, step 2: the chain's lock.
_LOCK_HEAD_POSTGRESQL = "SELECT hash FROM audit_auditchainhead WHERE chain = %s FOR UPDATE"
# SQLite (one writer already): the head row, or the chain's newest event should it be missing.
_READ_HEAD_SQLITE = (
    "SELECT COALESCE("
    "(SELECT hash FROM audit_auditchainhead WHERE chain = %s), "
    "(SELECT hash FROM audit_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1))"
)


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
        event.previous_hash = _lock_head(event.chain)
        event.hash = compute_hash(event, event.previous_hash)
        event.save()  # the trigger of migration 0004 moves the head row to this event
    return event


def _lock_head(chain: int) -> str:
    """The hash to chain onto; on PostgreSQL the chain stays locked until the transaction ends."""
    genesis = genesis_of(chain)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip each (client-side binding lets step 1 be two statements).
            cursor.execute(_PREPARE_POSTGRESQL, {"chain": chain, "genesis": genesis})
            cursor.execute(_LOCK_HEAD_POSTGRESQL, [chain])
        else:
            cursor.execute(_READ_HEAD_SQLITE, [chain, chain])
        row = cursor.fetchone()
    return (row[0] if row else None) or genesis


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
