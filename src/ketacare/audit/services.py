"""Writing audit events. Call `record_event` inside the same transaction as the change it audits.

Appends are serialised so the chain never forks: on PostgreSQL a transaction-level advisory lock
(held until the caller's transaction ends, so the event's position in the chain is its commit
order); on SQLite every write transaction starts with BEGIN IMMEDIATE (settings), which already
admits one writer at a time. Because the lock is held to the end of the caller's transaction,
write the audit event as the last statement of a service: a service that audits first and then
locks rows can deadlock with one that locks the same rows first and then audits. For the same
reason the transaction's deferred foreign-key checks run before the lock is taken.

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

from ketacare.audit.chain import GENESIS_HASH, compute_hash
from ketacare.audit.context import RequestContext, current_context, reset_context, set_context
from ketacare.audit.models import Action, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ketacare.clinics.models import Membership

# Any constant works: it names the one advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_301_551


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
    # No savepoint: a failed audit write must fail the caller's whole unit of work anyway.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Serialise appends so two writers never chain onto the same predecessor. First
                # check the deferred foreign keys: at COMMIT they would lock their rows (the
                # patient's) after the chain's lock, and deadlock with a writer that locks the
                # patient first and then appends. One round trip (client-side binding).
                cursor.execute(
                    "SET CONSTRAINTS ALL IMMEDIATE; SELECT pg_advisory_xact_lock(%s)",
                    [_CHAIN_LOCK_KEY],
                )
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS_HASH
        event.hash = compute_hash(event, event.previous_hash)
        event.save()
    return event


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
