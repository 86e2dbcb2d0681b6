"""The REMS Patient Monitoring Forms of a clinic: which are due, each form's session, and the one
change staff make to a form, marking it submitted (SAFE-REMS-FORM, clinical-reference.md 3.1).

A form exists once an esketamine session is discharged (the discharge creates it, its `due_on`
from `ketacare.clinical.adverse.rems_form_due`); the clinic submits it to the REMS itself and
records that here. Reads are scoped to the acting clinic: another clinic's form or session is a
404 with a denied audit event, a role without the permission a 403 (audited too).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_denied, record_event
from ketacare.chair.models import RemsForm
from ketacare.chair.rems_form import form_pdf, rems_form_of
from ketacare.chair.state import Chair, load_chair
from ketacare.clinics.models import Route
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import deny_not_found, get_patient_row_for, require_role, scoped
from ketacare.patients.models import Patient
from ketacare.treatment.models import SessionStatus
from ketacare.treatment.queries import SESSION, get_session_for

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

REMS_FORM = "rems_form"

STALE_VERSION_MESSAGE = "Someone else changed this form first; reload to see their change."


class FormStatus(StrEnum):
    DUE = "due"
    SUBMITTED = "submitted"


class RemsConflictCode(StrEnum):
    STALE_VERSION = "stale_version"
    ALREADY_SUBMITTED = "already_submitted"
    # The form is made at discharge: a session still at the chair has none yet.
    NOT_DISCHARGED = "not_discharged"


class RemsConflict(Conflict):
    """409 (`ketacare.api.errors`) with a stable code."""

    def __init__(self, code: RemsConflictCode, detail: str) -> None:
        super().__init__(detail, code=code.value)
        self.conflict_code = code


# --- reads ---------------------------------------------------------------------------------


def rems_forms_for(membership: Membership | None, status: FormStatus) -> QuerySet[RemsForm]:
    """The acting clinic's forms of discharged esketamine sessions: `due` (not yet submitted,
    earliest deadline first) or `submitted` (latest first). Session, plan, patient and the
    submitter joined: one query for a page, whatever its length.

    Empty without VIEW_SESSION (deny by default); the caller records the list read.
    """
    if not has_permission(membership, Permission.VIEW_SESSION):
        return RemsForm.objects.none()
    forms = scoped(
        RemsForm.objects.select_related("session", "session__plan", "patient", "submitted_by"),
        membership,
    ).filter(
        session__status=SessionStatus.DISCHARGED,
        session__plan__route=Route.ESKETAMINE_NASAL,
    )
    if status == FormStatus.DUE:
        return forms.filter(submitted_at__isnull=True).order_by("due_on", "pk")
    return forms.filter(submitted_at__isnull=False).order_by("-submitted_at", "-pk")


def get_rems_form_for(
    membership: Membership | None,
    form_id: object,
    *,
    permission: Permission = Permission.VIEW_SESSION,
    action: Action = Action.READ,
    audit_read: bool = True,
) -> RemsForm:
    """One form of the acting clinic (404 across clinics, 403 for a role without `permission`),
    its session and patient joined."""
    return get_patient_row_for(
        RemsForm.objects.select_related("session", "session__plan", "patient"),
        membership,
        form_id,
        object_type=REMS_FORM,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )


def get_form_chair_for(
    membership: Membership | None, session_id: object, *, action: Action = Action.READ
) -> Chair:
    """The chair-side record of a session whose REMS form is asked for: a session of the acting
    clinic (404 across clinics, 403 without VIEW_SESSION), esketamine (another route has no
    form: 404) and discharged (the form is made at discharge: 409 before). Each refusal is
    audited; the caller records the read or the release itself."""
    session = get_session_for(
        membership, session_id, permission=Permission.VIEW_SESSION, action=action, audit_read=False
    )
    if session.plan.route != Route.ESKETAMINE_NASAL:
        record_denied(
            action=action,
            membership=membership,
            object_type=REMS_FORM,
            patient_id=session.patient_id,
            reason=f"no_rems_form route={session.plan.route} session={session.pk}",
        )
        raise Http404("Only an esketamine session has a REMS Patient Monitoring Form.")
    chair = load_chair(session.pk, session.clinic_id)
    if chair is None:  # deleted in between: as not found
        raise deny_not_found(
            membership=membership, object_type=SESSION, object_id=session.pk, action=action
        )
    if chair.session.status == SessionStatus.DISCHARGED and chair.rems_form is None:
        # Discharged without a form (a record imported or seeded without one): nothing to give.
        record_denied(
            action=action,
            membership=membership,
            object_type=REMS_FORM,
            patient_id=session.patient_id,
            reason=f"no_rems_form session={session.pk}",
        )
        raise Http404("This session has no REMS Patient Monitoring Form.")
    if chair.session.status != SessionStatus.DISCHARGED or chair.rems_form is None:
        record_denied(
            action=action,
            membership=membership,
            object_type=REMS_FORM,
            patient_id=session.patient_id,
            reason=f"not_discharged status={chair.session.status} session={session.pk}",
        )
        raise RemsConflict(
            RemsConflictCode.NOT_DISCHARGED,
            f"Session {chair.session.number} is {chair.session.get_status_display().lower()}: "
            "its REMS Patient Monitoring Form is made at discharge.",
        )
    return chair


def release_form_pdf(*, chair: Chair, by: Membership) -> bytes:
    """The form of `chair` (read by `get_form_chair_for`) as a PDF, its release recorded as an
    export once rendered."""
    data = rems_form_of(chair, clinic=by.clinic)
    pdf = form_pdf(data, generated_at=timezone.now())
    record_event(
        action=Action.EXPORT,
        membership=by,
        object_type=REMS_FORM,
        object_id=data.form_id,
        patient_id=chair.session.patient_id,
        detail=f"pdf session={chair.session.pk}",
    )
    return pdf


def days_left(form: RemsForm, today: dt.date) -> int:
    """Days until the form's deadline (0 on the last day, negative once overdue)."""
    return (form.due_on - today).days


# --- the one change: marked submitted --------------------------------------------------------


def mark_rems_submitted(
    *, form: RemsForm, version: int, by: Membership, now: dt.datetime | None = None
) -> RemsForm:
    """Record that the clinic submitted the form to the REMS (SUBMIT_REMS_FORM: clinic admin,
    prescriber, nurse), with who and when.

    `version` is the form's as read: a stale one is a 409 `stale_version` and changes nothing; a
    form already marked is a 409 `already_submitted`. Locks the patient, then the form (the
    order of every chair-side use case), and writes the audit event last.
    """
    if form.clinic_id != by.clinic_id:
        # The caller read it through a scoped helper; this keeps a service called with another
        # clinic's form from ever acting on it.
        raise deny_not_found(
            membership=by, object_type=REMS_FORM, object_id=form.pk, action=Action.UPDATE
        )
    require_role(
        by,
        Permission.SUBMIT_REMS_FORM,
        action=Action.UPDATE,
        object_type=REMS_FORM,
        object_id=form.pk,
        patient_id=form.patient_id,
    )
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        Patient.objects.select_for_update().filter(pk=form.patient_id).values_list("pk").first()
        locked = RemsForm.objects.select_for_update().get(pk=form.pk)
        if locked.version != version:
            raise RemsConflict(RemsConflictCode.STALE_VERSION, STALE_VERSION_MESSAGE)
        if locked.submitted_at is not None:
            raise RemsConflict(
                RemsConflictCode.ALREADY_SUBMITTED,
                "This REMS form is already marked submitted.",
            )
        locked.submitted_at = now
        locked.submitted_by = by.user
        locked.version += 1
        locked.save(update_fields=["submitted_at", "submitted_by", "version"])
        left = days_left(locked, timezone.localdate(now))
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=REMS_FORM,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail=f"submitted session={locked.session_id} days_left={left}",
        )
    # The form as the caller read it (session and patient joined), in its new state.
    form.submitted_at, form.submitted_by, form.version = now, by.user, locked.version
    return form
