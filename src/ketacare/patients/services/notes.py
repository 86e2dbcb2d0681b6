"""Care-team notes: signed when written; an amendment is a new signed version (never an edit).

A thread is the first version's pk (`thread_id`); each amendment adds a row with `number` + 1
that `supersedes` the latest version. Only the latest version can be amended (the one-to-one
`supersedes` makes a second amendment of the same version impossible even in a race).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.clinics.permissions import Permission
from ketacare.patients.errors import ChartConflict
from ketacare.patients.models import CareNote
from ketacare.patients.queries import get_note_for
from ketacare.patients.services._common import audit, check_texts, require

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

ALREADY_AMENDED = "This version was amended already: amend the latest version."


def _checked(record: CareNote, *, text: str, title: str) -> None:
    if not (text or "").strip():
        raise ValidationError({"text": "Write the note before signing it."}, code="required")
    check_texts({"text": text, "title": title})
    record.full_clean(
        exclude=["clinic", "patient", "recorded_by", "supersedes"], validate_constraints=False
    )


def sign_note(*, by: Membership, patient: Patient, text: str, title: str = "") -> CareNote:
    """Sign a new care-team note (sign_note)."""
    require(
        by, Permission.SIGN_NOTE, action=Action.CREATE, object_type="care_note", patient=patient
    )
    note = CareNote(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        recorded_by_id=by.user_id,
        title=(title or "").strip(),
        text=text,
        signed_at=timezone.now(),
    )
    _checked(note, text=text, title=title)
    with transaction.atomic(durable=True):
        note.save()
        # The thread is named by its first version; set as part of creating it.
        CareNote.objects.filter(pk=note.pk).update(thread_id=note.pk)
        note.thread_id = note.pk
        audit(
            action=Action.CREATE, by=by, object_type="care_note", object_id=note.pk, patient=patient
        )
    return note


def amend_note(
    *,
    by: Membership,
    patient: Patient,
    note_id: int,
    text: str,
    reason: str,
    title: str | None = None,
) -> CareNote:
    """Sign an amendment of the note `note_id` (its latest version): a new row, the old one kept."""
    require(
        by, Permission.SIGN_NOTE, action=Action.CREATE, object_type="care_note", patient=patient
    )
    previous = get_note_for(by, patient, note_id, action=Action.CREATE)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the note is amended."}, code="required")
    check_texts({"reason": reason})
    note = CareNote(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        recorded_by_id=by.user_id,
        thread_id=previous.thread_id or previous.pk,
        number=previous.number + 1,
        supersedes=previous,
        title=(previous.title if title is None else title).strip(),
        text=text,
        signed_at=timezone.now(),
        amendment_reason=reason.strip(),
    )
    _checked(note, text=text, title=note.title)
    if CareNote.objects.filter(supersedes_id=previous.pk).exists():
        raise ChartConflict(ALREADY_AMENDED, code="amended")
    try:
        with transaction.atomic(durable=True):
            note.save()
            audit(
                action=Action.CREATE,
                by=by,
                object_type="care_note",
                object_id=note.pk,
                patient=patient,
                detail=f"amends={previous.pk} thread={note.thread_id}",
            )
    except IntegrityError:
        raise ChartConflict(ALREADY_AMENDED, code="amended") from None
    return note
