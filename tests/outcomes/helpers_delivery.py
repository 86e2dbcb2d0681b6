"""Pieces the delivery, reminder and follow-up tests share: a patient timepoint made by hand
(whatever the schedule would make), and a mail backend that always fails."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

SITE = "https://clinic.example.org/"
PATIENT_EMAIL = "river.patient@example.net"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming the address in its error as real
    servers do (the address must still never reach a log or a Delivery)."""

    def send_messages(self, email_messages: Any) -> int:
        recipient = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, b"mailbox unavailable")})


def patient_timepoint(
    plan: Any,
    *,
    due_days_ago: int = 0,
    instrument: str = "phq9",
    sequence: int | None = None,
    audience: str = "patient",
) -> Any:
    """A timepoint of `plan` due `due_days_ago` days ago (negative: ahead), made directly so the
    tests do not depend on the schedule's defaults."""
    from ketacare.outcomes.models import Timepoint

    due_on = timezone.localdate() - dt.timedelta(days=due_days_ago)
    return Timepoint.objects.create(
        clinic_id=plan.clinic_id,
        patient_id=plan.patient_id,
        plan=plan,
        kind="monthly",
        # High sequence numbers, clear of the schedule's own rows of the same plan.
        sequence=sequence if sequence is not None else 900 + due_days_ago,
        instrument=instrument,
        audience=audience,
        due_on=due_on,
    )


def with_email(plan: Any, email: str = PATIENT_EMAIL) -> Any:
    from ketacare.patients.models import Patient

    Patient.objects.filter(pk=plan.patient_id).update(email=email)
    return plan
