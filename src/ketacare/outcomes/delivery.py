"""E-mails that carry a patient's link, sent as background jobs (django-tasks; `ketacare worker`
runs them, the tests and the demo run them at once).

A job's arguments are stored in the database until a worker picks it up, so they are ids only:
the link, and with it the token, is made inside the job (`issue_link`), put into the e-mail and
then forgotten. A reminder therefore cannot resend the first link (nobody has its token any
more): it issues a fresh one and expires the old, unanswered one, so only one link per timepoint
is ever open.

One job is three short steps, so no database transaction is held open while a mail server
answers: (1) re-check the timepoint, expire the link being replaced, issue the new link and record
the Delivery as queued; (2) send; (3) record sent or failed with its audit event. A failed
delivery also expires its link at once, since its token reached nobody. Neither the address nor
the token is ever logged or stored in `Delivery.error`: only the kind of failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Action, Channel
from ketacare.audit.services import flush_pending_denials, record_event
from ketacare.clinics.models import Membership
from ketacare.outcomes.links import issue_link
from ketacare.outcomes.models import (
    AssessmentLink,
    Audience,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Timepoint,
)

logger = logging.getLogger(__name__)

DELIVERY_OBJECT_TYPE = "assessment_delivery"

# What a failed delivery says on the follow-up page: the kind of failure, never the address.
NO_EMAIL = "No e-mail address on file for the patient."
MAIL_SERVER = "The mail server did not accept the message ({kind})."

SUBJECTS = {
    # No clinic name, scale or treatment in a subject line: it shows on lock screens.
    DeliveryKind.INVITATION: "A short questionnaire from your care team",
    DeliveryKind.REMINDER: "Reminder: your questionnaire link expires soon",
}

# Why a job sent nothing (returned, and shown by `send-reminders`).
SKIP_ANSWERED = "answered"
SKIP_ALREADY_LINKED = "already_linked"
SKIP_NOT_PATIENT_SCALE = "not_a_patient_scale"
SKIP_LINK_CLOSED = "link_closed"
SKIP_NO_LONGER_ALLOWED = "no_longer_allowed"
SKIP_GONE = "not_found"


@dataclass(frozen=True)
class _Prepared:
    delivery: Delivery
    url: str


def _skipped(reason: str) -> dict[str, Any]:
    return {"status": "skipped", "reason": reason, "delivery_id": None}


@task()
def send_invitation(
    timepoint_id: int, site_url: str, requested_by_id: int | None = None
) -> dict[str, Any]:
    """E-mail the patient a new link for the timepoint.

    From the schedule (`requested_by_id` None) a timepoint is invited once: a timepoint that
    already had a link is skipped, so a job queued twice sends once. Sent by a person ("send
    now"), it replaces any open link of the timepoint, as a fresh e-mail should.
    """
    with using_context(RequestContext(channel=Channel.SYSTEM)):
        try:
            return _invite(timepoint_id, site_url, requested_by_id)
        finally:
            flush_pending_denials()


@task()
def send_reminder(link_id: int, site_url: str) -> dict[str, Any]:
    """Remind the patient of an unanswered link before it expires: a fresh link replaces it (the
    old token is unknown by now), and the fresh link is never reminded again."""
    with using_context(RequestContext(channel=Channel.SYSTEM)):
        try:
            return _remind(link_id, site_url)
        finally:
            flush_pending_denials()


def _invite(timepoint_id: int, site_url: str, requested_by_id: int | None) -> dict[str, Any]:
    by = _membership(requested_by_id)
    if requested_by_id is not None and by is None:
        return _skipped(SKIP_NO_LONGER_ALLOWED)
    with transaction.atomic(durable=True):
        timepoint = (
            Timepoint.objects.select_for_update(of=("self",))
            .select_related("patient")
            .filter(pk=timepoint_id)
            .first()
        )
        if timepoint is None:
            return _skipped(SKIP_GONE)
        if timepoint.assessment_id is not None:
            return _skipped(SKIP_ANSWERED)
        if timepoint.audience != Audience.PATIENT:
            return _skipped(SKIP_NOT_PATIENT_SCALE)
        links = AssessmentLink.objects.filter(timepoint=timepoint)
        if by is None and links.exists():
            return _skipped(SKIP_ALREADY_LINKED)
        _expire_open(links)
        prepared = _prepare(
            by=by,
            timepoint=timepoint,
            kind=DeliveryKind.INVITATION,
            site_url=site_url,
            reminded=False,
        )
    return _send(prepared, by=by)


def _remind(link_id: int, site_url: str) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        old = (
            AssessmentLink.objects.select_for_update(of=("self",))
            .select_related("timepoint__patient")
            .filter(pk=link_id)
            .first()
        )
        if old is None:
            return _skipped(SKIP_GONE)
        timepoint = old.timepoint
        now = timezone.now()
        if timepoint is None or old.used_at is not None or old.expires_at <= now:
            return _skipped(SKIP_LINK_CLOSED)
        if timepoint.assessment_id is not None:
            return _skipped(SKIP_ANSWERED)
        _expire_open(AssessmentLink.objects.filter(pk=old.pk))
        prepared = _prepare(
            by=None,
            timepoint=timepoint,
            kind=DeliveryKind.REMINDER,
            site_url=site_url,
            reminded=True,
        )
    return _send(prepared, by=None)


def _membership(membership_id: int | None) -> Membership | None:
    if membership_id is None:
        return None
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(pk=membership_id, is_active=True)
        .first()
    )


def _expire_open(links: Any) -> None:
    """Close the open links among `links`: the new e-mail's link is the one to answer."""
    links.filter(used_at__isnull=True, expires_at__gt=timezone.now()).update(
        expires_at=timezone.now()
    )


def _prepare(
    *, by: Membership | None, timepoint: Timepoint, kind: str, site_url: str, reminded: bool
) -> _Prepared:
    """Step 1, inside the caller's transaction: the link and the Delivery row, queued."""
    issued = issue_link(
        by=by,
        patient=timepoint.patient,
        instrument=timepoint.instrument,
        timepoint=timepoint,
        site_url=site_url,
    )
    if reminded:
        # Born of a reminder: `send-reminders` never reminds it again (one reminder per timepoint).
        AssessmentLink.objects.filter(pk=issued.link.pk).update(reminded_at=timezone.now())
    delivery = Delivery.objects.create(
        clinic_id=timepoint.clinic_id,
        patient_id=timepoint.patient_id,
        link=issued.link,
        kind=kind,
        status=DeliveryStatus.QUEUED,
        attempts=1,
    )
    return _Prepared(delivery=delivery, url=issued.url)


def _send(prepared: _Prepared, *, by: Membership | None) -> dict[str, Any]:
    """Steps 2 and 3: send outside any transaction, then record what happened."""
    delivery = prepared.delivery
    link = delivery.link
    patient = link.patient
    error = ""
    if not patient.email:
        error = NO_EMAIL
    else:
        try:
            _message(link=link, kind=delivery.kind, url=prepared.url).send(fail_silently=False)
        except Exception as exc:  # any failure of the mail backend is recorded, by kind
            error = MAIL_SERVER.format(kind=type(exc).__name__)
    status = DeliveryStatus.FAILED if error else DeliveryStatus.SENT
    with transaction.atomic(durable=True):
        delivery.status = status
        delivery.error = error
        delivery.sent_at = None if error else timezone.now()
        delivery.save(update_fields=["status", "error", "sent_at"])
        if error:
            _expire_open(AssessmentLink.objects.filter(pk=link.pk))
        record_event(
            action=Action.CREATE,
            membership=by,
            clinic_id=delivery.clinic_id,
            object_type=DELIVERY_OBJECT_TYPE,
            object_id=delivery.pk,
            patient_id=delivery.patient_id,
            detail=f"kind={delivery.kind} status={status} link={link.pk}",
        )
    logger.info("delivery %s (%s) of link %s: %s", delivery.pk, delivery.kind, link.pk, status)
    return {"status": str(status), "reason": error, "delivery_id": delivery.pk}


def _message(*, link: AssessmentLink, kind: str, url: str) -> EmailMultiAlternatives:
    patient = link.patient
    clinic = patient.clinic
    context = {
        # The first name only: the e-mail may be read over a shoulder.
        "first_name": patient.given_name,
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "url": url,
        "expires_at": timezone.localtime(link.expires_at),
        "is_reminder": kind == DeliveryKind.REMINDER,
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[DeliveryKind(kind)],
        body=render_to_string("outcomes/mail/link.txt", context),
        to=[patient.email],
    )
    message.attach_alternative(render_to_string("outcomes/mail/link.html", context), "text/html")
    return message
