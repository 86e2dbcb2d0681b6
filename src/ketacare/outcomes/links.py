"""Links a patient answers without signing in (contracts.md 2.4).

    issued = issue_link(by=membership, patient=patient, instrument="phq9")
    issued.url        # "/r/<token>/" (or absolute with `site_url`): shown or mailed once
    usable_link(token)  # the AssessmentLink, or None when unknown, used or expired

The token is 32 random bytes (URL-safe base64); only its SHA-256 is stored, so a copy of the
database opens no form. Looking a token up hashes it first and then finds the hash through the
unique index: the comparison never runs over the secret itself, so its timing tells nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.models import AssessmentLink, Timepoint
from ketacare.outcomes.schedule import self_report

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

# The scales a patient can answer alone on a phone: those the core says are self-rated (PHQ-9,
# PHQ-2, GAD-7, QIDS-SR16, the C-SSRS screener). Clinician scales never go by link.
LINK_INSTRUMENTS = tuple(i for i in INSTRUMENTS if self_report(i))
EXPIRES_MINIMUM_HOURS = 1
EXPIRES_MAXIMUM_HOURS = 336  # two weeks
EXPIRES_DEFAULT_HOURS = 72
OBJECT_TYPE = "assessment_link"
_TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The SHA-256 hex digest kept instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def link_path(token: str) -> str:
    """The page of a link, relative to the site: `/r/<token>/`."""
    return reverse("outcomes:patient-link", kwargs={"token": token})


@dataclass(frozen=True)
class IssuedLink:
    """A new link with its token: the only moment the token exists outside the patient's mail.
    `url` is absolute when the link was issued with a `site_url`, else the path."""

    link: AssessmentLink
    token: str
    url: str


def _check_hours(expires_in_hours: object) -> int:
    if (
        isinstance(expires_in_hours, bool)
        or not isinstance(expires_in_hours, int)
        or not EXPIRES_MINIMUM_HOURS <= expires_in_hours <= EXPIRES_MAXIMUM_HOURS
    ):
        raise ValidationError(
            {
                "expires_in_hours": f"expires_in_hours must be a whole number of hours from "
                f"{EXPIRES_MINIMUM_HOURS} to {EXPIRES_MAXIMUM_HOURS}."
            }
        )
    return expires_in_hours


def _check_instrument(instrument: object) -> str:
    if not isinstance(instrument, str) or instrument not in LINK_INSTRUMENTS:
        raise ValidationError(
            {
                "instrument": "instrument must be a scale the patient answers alone: "
                + ", ".join(LINK_INSTRUMENTS)
                + "."
            }
        )
    return instrument


def issue_link(
    *,
    by: Membership | None,
    patient: Patient,
    instrument: str,
    timepoint: Timepoint | None = None,
    expires_in_hours: int = EXPIRES_DEFAULT_HOURS,
    asks_side_effects: bool = True,
    site_url: str | None = None,
) -> IssuedLink:
    """Make a single-use link for `patient` to answer `instrument`.

    `by` is the staff member sending it (send_assessment_link, checked and audited), or None for
    the schedule's own jobs. The caller has already found `patient` in `by`'s clinic. The token
    goes back to the caller once, in the result, and into no log or audit event.
    """
    if by is not None:
        require_role(
            by,
            Permission.SEND_ASSESSMENT_LINK,
            action=Action.CREATE,
            object_type=OBJECT_TYPE,
            patient_id=patient.pk,
        )
    instrument = _check_instrument(instrument)
    hours = _check_hours(expires_in_hours)
    if timepoint is not None and (
        timepoint.patient_id != patient.pk or timepoint.instrument != instrument
    ):
        raise ValidationError({"timepoint": "The timepoint is not this patient's for this scale."})
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    link = AssessmentLink(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        token_hash=token_hash(token),
        instrument=instrument,
        timepoint=timepoint,
        asks_side_effects=asks_side_effects,
        expires_at=timezone.now() + dt.timedelta(hours=hours),
        created_by_id=by.user_id if by is not None else None,
    )
    with transaction.atomic():
        link.save()
        record_event(
            action=Action.CREATE,
            membership=by,
            clinic_id=patient.clinic_id,
            object_type=OBJECT_TYPE,
            object_id=link.pk,
            patient_id=patient.pk,
            detail=f"instrument={instrument} hours={hours}",
        )
    path = link_path(token)
    return IssuedLink(link=link, token=token, url=urljoin(site_url, path) if site_url else path)


def usable_link(token: object, *, now: dt.datetime | None = None) -> AssessmentLink | None:
    """The link of `token` if it can still be answered; None when unknown, used or expired
    (callers answer all three alike)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    link = (
        AssessmentLink.objects.select_related("patient")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or not is_open(link, now=now):
        return None
    return link


def is_open(link: AssessmentLink, *, now: dt.datetime | None = None) -> bool:
    """Not answered yet and not past its expiry."""
    return link.used_at is None and link.expires_at > (now or timezone.now())
