"""A patient's answers through a link: scored, stored once, the team told (contracts.md 2.4).

    result = submit_answers(token, [1, 2, 0, ...], side_effects_text="...", client=ip)
    result.crisis, result.crisis_resources   # shown to the patient first

The page and the API both call `submit_answers`. Whatever went wrong with the link (unknown,
used, expired, or answered a moment ago by a second tab) is one `LinkGone`: the visitor learns
nothing about which. Partial answers are a ValidationError naming each missing item, and
nothing is stored. The answer is committed before the caller answers the visitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import InstrumentDefinition, get_instrument, score
from ketacare.clinical.instruments.urgency import (
    CRISIS_RESOURCES,
    CrisisResource,
    shows_crisis_resources,
)
from ketacare.outcomes.links import OBJECT_TYPE, usable_link
from ketacare.outcomes.models import AssessmentLink, PatientReport
from ketacare.patients.models import Assessment, AssessmentSource
from ketacare.patients.signals import assessment_recorded
from ketacare.web.ratelimit import allow

# Per client address. Generous for a household sharing one address (a few scales, a reload or
# two), far below anything that could try tokens.
OPEN_LIMIT = 60
SUBMIT_LIMIT = 20
RATE_WINDOW_SECONDS = 600
REPORT_MAX_LENGTH = 2000
REPORT_FIELD = "side_effects_text"
# Who acted, in the audit trail, when the patient answered through a link (no user account).
PATIENT_ACTOR = "actor=patient_link"


class LinkGone(Exception):
    """The link cannot be answered (unknown, used or expired: never said which)."""


class TooManyRequests(Exception):
    """Past the rate limit of this client address."""


@dataclass(frozen=True)
class SubmissionResult:
    instrument: str
    total: int | None
    max: int | None
    severity: str | None
    flags: tuple[str, ...]
    crisis: bool
    assessment_id: int
    crisis_resources: tuple[CrisisResource, ...] = field(default=())


def check_rate(scope: str, client: str | None) -> None:
    """TooManyRequests once `client` is past the limit of `scope` ("open" or "submit")."""
    limit = OPEN_LIMIT if scope == "open" else SUBMIT_LIMIT
    if not allow(f"patient-link-{scope}", client, limit=limit, window_seconds=RATE_WINDOW_SECONDS):
        raise TooManyRequests


def open_link(token: str, *, client: str | None) -> AssessmentLink:
    """The link behind a page view, its opening audited; LinkGone or TooManyRequests."""
    check_rate("open", client)
    link = usable_link(token)
    if link is None:
        raise LinkGone
    with transaction.atomic():
        record_event(
            action=Action.READ,
            clinic_id=link.clinic_id,
            object_type=OBJECT_TYPE,
            object_id=link.pk,
            patient_id=link.patient_id,
            detail=PATIENT_ACTOR,
        )
    return link


def missing_items(definition: InstrumentDefinition, answers: Sequence[Any]) -> list[int]:
    """The numbers of the items that had to be answered and were not (skip logic followed)."""

    def given(number: int) -> Any:
        return answers[number - 1] if number <= len(answers) else None

    missing = []
    for item in definition.items:
        if not item.required or given(item.number) is not None:
            continue
        when = item.enabled_when
        if when is None or given(when.item) == when.answer:
            missing.append(item.number)
    return missing


def check_answers(instrument: str, answers: object) -> Any:
    """The core's score of `answers`; a ValidationError naming every missing item
    (`answers.<index>`) first, then the core's own message for a wrong one."""
    definition = get_instrument(instrument)
    if not isinstance(answers, list | tuple):
        raise ValidationError({"answers": "answers must be a list, one answer per item."})
    missing = missing_items(definition, answers)
    if missing:
        raise ValidationError(
            {f"answers.{number - 1}": f"Item {number} is not answered." for number in missing}
        )
    try:
        return score(instrument, list(answers))
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="clinical") from None


def _report_text(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ValidationError({REPORT_FIELD: "Write the report as text."})
    text = text.strip()
    if "\x00" in text:
        raise ValidationError({REPORT_FIELD: "Remove the NUL character from this text."})
    if len(text) > REPORT_MAX_LENGTH:
        raise ValidationError(
            {REPORT_FIELD: f"Keep it to {REPORT_MAX_LENGTH} characters (or tell us by phone)."}
        )
    return text


def submit_answers(
    token: str,
    answers: object,
    side_effects_text: object = None,
    *,
    client: str | None,
) -> SubmissionResult:
    """Score and store the answers of the link `token`, once.

    Order: rate limit (TooManyRequests), the link (LinkGone), the answers (ValidationError), then
    one transaction that claims the link with a conditional UPDATE (a second submission racing
    this one updates no row and gets LinkGone), saves the assessment and the report, sends
    `assessment_recorded` (by=None: the alert receivers run inside it) and audits.
    """
    check_rate("submit", client)
    link = usable_link(token)
    if link is None:
        raise LinkGone
    result = check_answers(link.instrument, answers)
    text = _report_text(side_effects_text) if link.asks_side_effects else ""
    now = timezone.now()
    with transaction.atomic(durable=True):
        claimed = AssessmentLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            raise LinkGone
        assessment = Assessment.objects.create(
            clinic_id=link.clinic_id,
            patient_id=link.patient_id,
            recorded_by=None,
            instrument=result.instrument,
            answers=list(answers),  # type: ignore[call-overload]  # checked by check_answers
            total=result.total,
            severity=result.severity or "",
            flags=list(result.flags),
            completed_at=now,
            source=AssessmentSource.PATIENT_LINK,
        )
        AssessmentLink.objects.filter(pk=link.pk).update(assessment=assessment)
        link.used_at, link.assessment = now, assessment
        report = None
        if text:
            report = PatientReport.objects.create(
                clinic_id=link.clinic_id,
                patient_id=link.patient_id,
                link=link,
                text=text,
                reported_at=now,
            )
        assessment_recorded.send(sender=Assessment, assessment=assessment, by=None)
        record_event(
            action=Action.CREATE,
            clinic_id=link.clinic_id,
            object_type="assessment",
            object_id=assessment.pk,
            patient_id=link.patient_id,
            detail=f"{PATIENT_ACTOR} link={link.pk}"
            + (f" patient_report={report.pk}" if report is not None else ""),
        )
    crisis = shows_crisis_resources(result.flags)
    return SubmissionResult(
        instrument=result.instrument,
        total=result.total,
        max=result.max,
        severity=result.severity,
        flags=tuple(result.flags),
        crisis=crisis,
        assessment_id=assessment.pk,
        crisis_resources=CRISIS_RESOURCES if crisis else (),
    )


__all__ = [
    "CRISIS_RESOURCES",
    "CrisisResource",
    "LinkGone",
    "SubmissionResult",
    "TooManyRequests",
    "check_answers",
    "check_rate",
    "missing_items",
    "open_link",
    "submit_answers",
]
