"""Writing audit events. Call `record_event` inside the same transaction as the change it audits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from ketacare.audit.chain import GENESIS_HASH, compute_hash
from ketacare.audit.context import current_context
from ketacare.audit.models import Action, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ketacare.clinics.models import Membership

# Any constant works: it names the one advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_301_551


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

    `detail` is for ids and codes only, never names, birth dates or free text.
    """
    if membership is not None:
        user = membership.user
        clinic_id = membership.clinic_id if clinic_id is None else clinic_id
    context = current_context()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_user_id=user.pk if authenticated and user is not None else None,
        actor_username=user.get_username() if authenticated and user is not None else "",
        actor_role=membership.role if membership is not None else "",
        clinic_id=clinic_id,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        patient_id=patient_id,
        channel=context.channel,
        ip_address=context.ip_address,
        user_agent=context.user_agent[:300],
        allowed=allowed,
        detail=detail[:300],
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Serialise appends so two writers never chain onto the same predecessor.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS_HASH
        event.hash = compute_hash(event, event.previous_hash)
        event.save(force_insert=True)
    return event
