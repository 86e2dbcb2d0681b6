"""Signing an eligibility decision (contracts.md 2.2; reference 2.8, SAFE-ABS-EXCLUSION).

A prescriber signs `eligible` or `not_eligible` for one route over the screen of the chart as it
is at the moment of signing (recomputed inside the transaction, with the patient row locked so
two signatures for the same patient follow one another). The clinical core decides what the
chart means; this service only enforces the contract's signing rules:

- `eligible` over any `exclude` rule is refused (409, the rules named in `reasons`);
- over a `needs_review` screen the note must say why (422 naming `note`);
- a signed review never changes: the new row supersedes the latest review of the route.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied, record_event
from ketacare.clinical.eligibility import Decision, Outcome
from ketacare.clinics.models import Membership
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for
from ketacare.screening.errors import ConflictCode, ReviewConflict
from ketacare.screening.models import EligibilityReview, ReviewDecision
from ketacare.screening.queries import (
    REVIEW,
    chart_screen,
    check_route,
    latest_signed_review,
    require_signing,
)

logger = logging.getLogger(__name__)

NOTE_MAX_CHARS = 5000
FINDINGS_MAX_CHARS = 20000


def sign_eligibility_decision(
    *,
    by: Membership | None,
    patient_id: object,
    route: object,
    decision: object,
    note: str = "",
    findings: str = "",
    seen_screen_digest: str | None = None,
    now: dt.datetime | None = None,
) -> EligibilityReview:
    """Sign a prescriber's decision for one route; the new review supersedes the route's latest.

    `now` (Python callers only, e.g. the demo loader entering a history) dates the signature
    earlier than the present; the audit event keeps the real time it was written.

    404 and a denied event for another clinic's patient; 403 without `sign_eligibility`;
    ValidationError naming `route`, `decision`, `note` or `findings` for bad input or a missing
    note over `needs_review`; ReviewConflict `excluded` (with `reasons`) for `eligible` over an
    exclusion, `screen_changed` when `seen_screen_digest` (the page's) is no longer the chart's
    screen, `chart_not_screenable` when the chart holds a value the clinical core refuses.
    """
    # Another clinic's patient is a 404 before anything else (never a 403 across clinics).
    patient = get_patient_for(by, patient_id, audit_read=False)
    actor = require_signing(by, patient)
    checked_route = check_route(route)
    checked_decision = _check_decision(decision)
    note = _check_text(note, "note", NOTE_MAX_CHARS)
    findings = _check_text(findings, "findings", FINDINGS_MAX_CHARS)
    try:
        return _sign(
            actor,
            patient,
            route=checked_route,
            decision=checked_decision,
            note=note,
            findings=findings,
            seen_screen_digest=seen_screen_digest,
            now=now,
        )
    except ReviewConflict as conflict:
        # Outside the rolled-back transaction: the refused attempt stays on record.
        record_denied(
            action=Action.CREATE,
            membership=actor,
            object_type=REVIEW,
            patient_id=patient.pk,
            reason=f"conflict:{conflict.code} route={checked_route}",
        )
        raise


def _sign(
    by: Membership,
    patient: Patient,
    *,
    route: str,
    decision: str,
    note: str,
    findings: str,
    seen_screen_digest: str | None,
    now: dt.datetime | None,
) -> EligibilityReview:
    signed_at = timezone.now() if now is None else min(now, timezone.now())
    with transaction.atomic(durable=True):
        # One signature per patient at a time: the supersede chain stays a line.
        Patient.objects.select_for_update(of=("self",)).filter(pk=patient.pk).first()
        screen = chart_screen(patient, route)
        if seen_screen_digest is not None and seen_screen_digest != screen.digest:
            raise ReviewConflict(
                ConflictCode.SCREEN_CHANGED,
                "The chart changed since the screen was shown: look at the rules again "
                "before signing.",
            )
        result = screen.result
        # Contract 2.2 and SAFE-ABS-EXCLUSION: no `eligible` over any `exclude` outcome.
        excluded = [r for r in result.rules if r.outcome is Outcome.EXCLUDE]
        if decision == ReviewDecision.ELIGIBLE and excluded:
            raise ReviewConflict(
                ConflictCode.EXCLUDED,
                "An exclusion cannot be signed eligible.",
                reasons=[f"{r.id}: {r.message}" for r in excluded],
                field="decision",
            )
        if result.decision is Decision.NEEDS_REVIEW and not note:
            raise ValidationError(
                {"note": "The screen needs review: say in the note what was reviewed and why."},
                code="note_required",
            )
        previous = latest_signed_review(patient, route)
        if previous is not None and signed_at < previous.signed_at:
            # A review dated after the fact never sorts before the one it supersedes: the
            # latest by signed_at stays the end of the chain (latest_signed_review).
            signed_at = previous.signed_at
        review = EligibilityReview(
            clinic_id=patient.clinic_id,
            patient=patient,
            route=route,
            decision=decision,
            screen_decision=result.decision.value,
            screen=screen.document,
            chart_snapshot=screen.facts,
            findings=findings,
            note=note,
            signed_by=by.user,
            signed_at=signed_at,
            supersedes=previous,
        )
        review.save()
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=REVIEW,
            object_id=review.pk,
            patient_id=patient.pk,
            detail=f"route={route} decision={decision} "
            f"screen={result.decision.value}"
            + (f" supersedes={previous.pk}" if previous is not None else ""),
        )
    logger.info("eligibility review %s signed for patient %s", review.pk, patient.pk)
    return review


def _check_decision(decision: object) -> str:
    if not isinstance(decision, str) or decision not in ReviewDecision.values:
        raise ValidationError(
            {"decision": f"Choose one of {', '.join(ReviewDecision.values)}."},
            code="unknown_decision",
        )
    return decision


def _check_text(value: object, field: str, max_chars: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: f"{field} must be text."}, code="invalid")
    text = value.replace("\x00", "").strip()
    if len(text) > max_chars:
        raise ValidationError(
            {field: f"{field} may be at most {max_chars} characters."}, code="max_length"
        )
    return text
