"""Telling a clinic's coordinators that a request from the public is waiting.

The e-mail says only that a request is waiting and links to the queue: no name, contact detail
or message of the person (patient data stays in the app, behind sign-in). It is sent by a
background job (django-tasks), after the request is stored: a mail that cannot be queued or sent
is logged with ids only and never loses the request, which is in the queue either way.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from ketacare.clinics.models import Clinic, Role
from ketacare.intake.models import IntakeRequest

logger = logging.getLogger(__name__)

SUBJECT = "A new intake request is waiting"


def notice_recipients(clinic: Clinic) -> list[str]:
    """The addresses of the clinic's active coordinators; its admins when it has none."""
    for role in (Role.COORDINATOR, Role.CLINIC_ADMIN):
        addresses = (
            get_user_model()
            .objects.filter(
                memberships__clinic=clinic,
                memberships__role=role,
                memberships__is_active=True,
                is_active=True,
            )
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
            .distinct()
        )
        if addresses:
            return list(addresses)
    return []


@task()
def notify_coordinators(intake_request_id: int, site_url: str) -> int:
    """E-mail each coordinator (one mail each, so no one sees the others' addresses); the
    number of mails sent."""
    intake_request = IntakeRequest.objects.select_related("clinic").filter(pk=intake_request_id)
    found = intake_request.first()
    if found is None:
        return 0
    clinic = found.clinic
    recipients = notice_recipients(clinic)
    if not recipients:
        logger.warning("intake request %s: clinic %s has no one to notify", found.pk, clinic.pk)
        return 0
    body = render_to_string(
        "public/mail/intake_waiting.txt",
        {"clinic": clinic, "queue_url": urljoin(site_url, reverse("intake:queue"))},
    )
    sent = 0
    for address in recipients:
        try:
            sent += send_mail(f"{SUBJECT} at {clinic.name}", body, None, [address])
        except Exception as error:
            logger.warning(
                "intake request %s: notice mail not sent (%s)", found.pk, type(error).__name__
            )
    logger.info("intake request %s: %s notice mail(s) sent", found.pk, sent)
    return sent


def queue_coordinator_notice(*, intake_request_id: int, site_url: str) -> None:
    """Queue the notice; a queue that fails is logged, the stored request stays as it is."""
    try:
        notify_coordinators.enqueue(intake_request_id=intake_request_id, site_url=site_url)
    except Exception as error:
        logger.warning(
            "intake request %s: notice not queued (%s)", intake_request_id, type(error).__name__
        )
