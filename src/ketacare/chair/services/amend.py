"""Amendments: a discharged session's record no longer changes; a note is added to it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode
from ketacare.chair.models import Amendment
from ketacare.chair.queries import AMENDMENT
from ketacare.chair.services.base import bump, lock_chair, may, resolve_now
from ketacare.chair.services.base import text as clean_text
from ketacare.clinics.permissions import Permission
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

TEXT_MAX_CHARS = Amendment._meta.get_field("text").max_length or 2000


def amend_session(
    *, session: TreatmentSession, text: object, by: Membership, now: dt.datetime | None = None
) -> Amendment:
    """Add an amendment to a discharged session (CHART_SESSION); any other status: 409
    `not_discharged` (chart the record itself instead). The text is required (422 `text`)."""
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.CREATE)
    written = clean_text(text, "text", max_chars=TEXT_MAX_CHARS, required=True, what="amendment")
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        if locked.status != SessionStatus.DISCHARGED:
            raise ChairConflict(
                ChairConflictCode.NOT_DISCHARGED,
                "Only a discharged session is amended; chart the session itself.",
            )
        row = Amendment.objects.create(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            session=locked,
            text=written,
            by=by.user,
            at=now,
        )
        bump(locked)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=AMENDMENT,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"session={locked.pk}",
        )
    return row
