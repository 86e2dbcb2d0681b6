"""An intake request sent by a member of the public from a clinic's page (contracts.md 2.5).

`submit_public_request` is the one way in, for the page and the API alike. In order:

1. the clinic must exist (else Http404) and be accepting new patients (else a 409 Conflict:
   a clinic that closed its list does not want requests it cannot answer);
2. every field is checked (a ValidationError naming each bad field, nothing stored);
3. the honeypot: a field people never see. When it is filled the answer looks like success
   (a reference of the usual shape) but nothing is stored and nobody is notified, so a robot
   learns nothing from the answer;
4. the rate limit per client address (RATE_LIMITS): past it, RateLimited (429), nothing stored;
5. the request is stored in that clinic's queue through the intake service (source `public`, no
   membership, audited there), then the clinic's coordinators are told by e-mail (a background
   job; a mail that cannot be queued or sent never loses the request).

Nothing here logs what a visitor typed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.crypto import salted_hmac

from ketacare.api.errors import Conflict
from ketacare.clinics.models import Clinic
from ketacare.intake.models import IntakeSource
from ketacare.intake.services import check_request_fields, create_intake_request
from ketacare.public.intake_mail import queue_coordinator_notice
from ketacare.public.self_check_token import SelfCheckTokenError, read_self_check_token
from ketacare.web.ratelimit import allow

logger = logging.getLogger(__name__)

# Shorter than the staff form's limit: a first message to a clinic, not a medical history.
PUBLIC_MESSAGE_MAX_CHARS = 2000

# Requests accepted per client address, whatever the clinic: enough for a person who writes to
# a few clinics (or a family sharing one connection), too few for a flood. (scope, limit, window)
RATE_LIMITS = (
    ("public-intake-hour", 5, 3600),
    ("public-intake-day", 20, 24 * 3600),
)

# What a refused client is told to wait (the shorter window).
RETRY_AFTER_SECONDS = 3600

RATE_LIMITED_MESSAGE = (
    "Too many requests were sent from your connection. Please wait an hour and try again, or "
    "call the clinic."
)
NOT_ACCEPTING_MESSAGE = (
    "This clinic is not accepting new patients at the moment, so it does not take requests "
    "here. Please call the clinic or find another clinic."
)

# Crockford's base 32: no I, L, O or U, so a reference read out on the phone is not misheard.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_CHARS = 8
_REFERENCE_SALT = "ketacare.public.intake.reference"


class RateLimited(Exception):
    """Past the rate limit of the client's address (429); nothing was stored."""

    def __init__(self) -> None:
        super().__init__(RATE_LIMITED_MESSAGE)
        self.detail = RATE_LIMITED_MESSAGE


class NotAccepting(Conflict):
    def __init__(self) -> None:
        super().__init__(NOT_ACCEPTING_MESSAGE, code="not_accepting_new_patients")


@dataclass(frozen=True)
class Submitted:
    """What the person is told: the reference, and how the clinic will contact them."""

    reference: str
    preferred_contact: str


def _format_reference(number: int) -> str:
    chars = []
    for _ in range(_REFERENCE_CHARS):
        number, digit = divmod(number, len(_REFERENCE_ALPHABET))
        chars.append(_REFERENCE_ALPHABET[digit])
    return f"REQ-{''.join(chars[:4])}-{''.join(chars[4:])}"


def reference_for(intake_request_id: int) -> str:
    """The human reference of a request: a keyed hash of its id (not a guessable sequence, and
    not the id itself), the same every time it is computed."""
    digest = salted_hmac(_REFERENCE_SALT, str(intake_request_id), algorithm="sha256").digest()
    return _format_reference(int.from_bytes(digest[:5], "big"))


def _decoy_reference() -> str:
    """A reference of the usual shape for a request that was not stored (the honeypot)."""
    return _format_reference(secrets.randbits(40))


def _open_clinic(clinic_id: object) -> Clinic:
    clinic = Clinic.objects.filter(pk=clinic_id).first() if isinstance(clinic_id, int) else None
    if clinic is None:
        raise Http404("No such clinic.")
    if not clinic.accepting_new_patients:
        raise NotAccepting()
    return clinic


def _self_check(value: object) -> dict[str, Any] | None:
    """The attached self-check: the signed value the self-check page handed out, read back."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError({"self_check": "Send the self-check value you were given, as text."})
    try:
        return read_self_check_token(value)
    except SelfCheckTokenError as error:
        raise ValidationError({"self_check": str(error)}) from error


def _fields(data: Mapping[str, object]) -> dict[str, Any]:
    """The request's fields, checked as the queue checks them, plus the public limits."""
    errors: dict[str, str] = {}
    message = data.get("message")
    if isinstance(message, str) and len(message.strip()) > PUBLIC_MESSAGE_MAX_CHARS:
        errors["message"] = (
            f"At most {PUBLIC_MESSAGE_MAX_CHARS} characters (this has {len(message.strip())})."
        )
    self_check: dict[str, Any] | None = None
    try:
        self_check = _self_check(data.get("self_check"))
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    fields: dict[str, Any] = {
        "name": data.get("name"),
        "email": data.get("email") or "",
        "phone": data.get("phone") or "",
        "preferred_contact": data.get("preferred_contact"),
        "best_time": data.get("best_time") or "",
        "message": message or "",
        "self_check": self_check,
    }
    try:
        check_request_fields(**fields)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    return fields


def _within_rate_limit(client_address: str | None) -> bool:
    # Every window is counted, even once one refuses, so a flood stays refused all day.
    verdicts = [
        allow(scope, client_address, limit=limit, window_seconds=window)
        for scope, limit, window in RATE_LIMITS
    ]
    return all(verdicts)


def submit_public_request(
    clinic_id: object,
    data: Mapping[str, object],
    client_address: str | None,
    *,
    site_url: str,
) -> Submitted:
    """Put a request from the public in `clinic_id`'s intake queue; return its reference.

    `data`: `name, email, phone, preferred_contact, best_time, message`, `self_check` (the
    signed value of a self-check the person chose to attach, or nothing) and `website` (the
    honeypot). `site_url` is the address the coordinators' e-mail links to.
    """
    clinic = _open_clinic(clinic_id)
    fields = _fields(data)
    honeypot = data.get("website")
    if not _within_rate_limit(client_address):
        logger.info("public intake request refused: rate limit (clinic %s)", clinic.pk)
        raise RateLimited()
    if honeypot:
        logger.info("public intake request dropped: honeypot filled (clinic %s)", clinic.pk)
        return Submitted(
            reference=_decoy_reference(), preferred_contact=fields["preferred_contact"]
        )
    intake_request = create_intake_request(clinic=clinic, source=IntakeSource.PUBLIC, **fields)
    queue_coordinator_notice(intake_request_id=intake_request.pk, site_url=site_url)
    return Submitted(
        reference=reference_for(intake_request.pk),
        preferred_contact=intake_request.preferred_contact,
    )
