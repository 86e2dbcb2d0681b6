"""Early warning (OUT-EARLY-WARNING, SAFE-RELAPSE-WARN): a patient in response or remission
worsens, and the prescriber is told "consider booster/maintenance".

Called for every recorded scale by `receivers.on_assessment_recorded`, after the answer's
timepoint is assigned (the baseline may be it), it reads the patient's series of the instrument,
asks the clinical core (`early_warning`) and, when it fires, raises one OutcomeAlert per episode
of benefit: later answers in the same episode add nothing, and a new episode (a recovery after a
relapse, in the core's reading) may warn again. It runs in the transaction that saved the
answer, so an answer is never stored without its warning; the alert is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.outcomes import OUTCOME_INSTRUMENTS, early_warning
from ketacare.clinical.outcomes.chart_lines import current_episode_start
from ketacare.outcomes.models import AlertKind, OutcomeAlert
from ketacare.outcomes.trajectory import outcome_rows, trajectory_of
from ketacare.patients.models.assessments import INSTRUMENT_CHOICES

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Assessment, Patient

RULE_ID = "OUT-EARLY-WARNING"
ALERT = "outcome_alert"
MESSAGE_MAX_CHARS = 500
_TITLES = dict(INSTRUMENT_CHOICES)


def warning_message(instrument: str, reasons: tuple[str, ...]) -> str:
    """ "PHQ-9: consider booster/maintenance. <the core's reasons>", cut to the column's size."""
    text = f"{_TITLES[instrument]}: consider booster/maintenance. " + " ".join(reasons)
    if len(text) > MESSAGE_MAX_CHARS:
        text = text[: MESSAGE_MAX_CHARS - 1].rstrip() + "…"
    return text


def _already_warned(assessment: Assessment, since: dt.date) -> bool:
    """An early warning of this instrument raised on an answer dated within the episode."""
    answered = OutcomeAlert.objects.filter(
        clinic_id=assessment.clinic_id,
        patient_id=assessment.patient_id,
        kind=AlertKind.EARLY_WARNING,
        rule_id=RULE_ID,
        assessment__instrument=assessment.instrument,
    ).values_list("assessment__completed_at", flat=True)
    return any(timezone.localdate(at) >= since for at in answered)


def raise_early_warning(
    assessment: Assessment, *, by: Membership | None = None
) -> OutcomeAlert | None:
    """The early warning `assessment` completes, if the core says the series warns and this
    episode has none yet; None otherwise (a scale without outcome definitions, no response or
    remission yet, still well, or already warned)."""
    if assessment.instrument not in OUTCOME_INSTRUMENTS or assessment.total is None:
        return None
    rows = outcome_rows(assessment.patient_id, assessment.clinic_id, [assessment.instrument])
    trajectory = trajectory_of(assessment.instrument, rows)
    series = trajectory.series
    verdict = early_warning(series)
    if not verdict.fires:
        return None
    episode = current_episode_start(series)
    if episode is None or _already_warned(assessment, episode):
        return None
    alert = OutcomeAlert.objects.create(
        clinic_id=assessment.clinic_id,
        patient_id=assessment.patient_id,
        kind=AlertKind.EARLY_WARNING,
        rule_id=RULE_ID,
        urgency="",
        message=warning_message(assessment.instrument, verdict.reasons),
        # The answer that made the latest total (the one just recorded, unless back-dated).
        assessment_id=trajectory.days[-1].assessment_id,
        raised_at=timezone.now(),
    )
    record_event(
        action=Action.CREATE,
        membership=by,
        clinic_id=assessment.clinic_id,
        object_type=ALERT,
        object_id=alert.pk,
        patient_id=assessment.patient_id,
        detail=f"early_warning rule={RULE_ID} instrument={assessment.instrument} "
        f"episode={episode.isoformat()}",
    )
    return alert


def open_early_warnings(patient: Patient) -> list[OutcomeAlert]:
    """The patient's early warnings not yet acknowledged, newest first, each with
    `instrument_title` and `booster_date` for the page (one query)."""
    alerts = list(
        OutcomeAlert.objects.filter(
            clinic_id=patient.clinic_id,
            patient_id=patient.pk,
            kind=AlertKind.EARLY_WARNING,
            acknowledged_at__isnull=True,
        ).select_related("assessment", "booster_session")
    )
    for alert in alerts:
        alert.instrument_title = _TITLES.get(alert.assessment.instrument, "")  # type: ignore[attr-defined]
        booster = alert.booster_session
        alert.booster_date = booster.date if booster is not None else None  # type: ignore[attr-defined]
    return alerts
