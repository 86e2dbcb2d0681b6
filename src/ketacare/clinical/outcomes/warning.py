"""OUT-EARLY-WARNING: a prescriber alert "consider booster/maintenance" (SAFE-RELAPSE-WARN).

Reference 6.1: the patient is in response or remission and the latest total is at least the MCID
above the nadir, or no longer at least 50 % below baseline. Read conservatively: "in response or
remission" means the current episode reached it (a relapse does not silence the warning), and
"no longer" applies once a response (not a remission alone) was reached. Only the PHQ-9 has a
verified MCID in points (+5, LOWE-2004; reference 6.2): for GAD-7, MADRS and QIDS-SR16 the MCID
branch does not exist, and only "no longer at least 50 % below baseline" can fire the warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ketacare.clinical.outcomes.course import follow_course
from ketacare.clinical.outcomes.definitions import reduction_reaches, rise_at_least
from ketacare.clinical.outcomes.series import OutcomeSeries, RelapseEvent, checked_events
from ketacare.clinical.outcomes.summary import baseline_view
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

RULE_ID = "OUT-EARLY-WARNING"


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """Whether OUT-EARLY-WARNING fires, and one sentence per reason (or why it does not)."""

    fires: bool
    reasons: tuple[str, ...]


def early_warning(
    series: OutcomeSeries,
    *,
    events: Iterable[RelapseEvent] = (),
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> EarlyWarning:
    """Evaluate OUT-EARLY-WARNING (and so SAFE-RELAPSE-WARN) on one instrument's series.

    Fires when the current episode reached OUT-RESPONSE or OUT-REMISSION-* and either the latest
    total is at least the instrument's rise above the nadir, or a response was reached and the
    latest total no longer meets OUT-RESPONSE. Each reason starts with the rule id.
    """
    view = baseline_view(series, settings=settings)
    events = checked_events(events)
    if view is None:
        return EarlyWarning(False, (f"{RULE_ID}: the series has no baseline (OUT-NO-BASELINE).",))
    course = follow_course(series.instrument, view.baseline, view.after, events, settings)
    if course.episode_start is None:
        return EarlyWarning(
            False, (f"{RULE_ID}: response or remission has not been reached since baseline.",)
        )
    latest, nadir, baseline = view.latest.total, view.nadir, view.baseline.total
    rise = rise_at_least(series.instrument, settings)
    reasons: list[str] = []
    if rise is not None and latest - nadir >= rise:
        reasons.append(
            f"{RULE_ID}: the latest total {latest} is {latest - nadir} points above the nadir "
            f"{nadir} (alert at a rise of {rise}); consider a booster or maintenance."
        )
    percent = settings.value("OUT-RESPONSE", "reduction_at_least_percent")
    if course.response_date is not None and not reduction_reaches(
        baseline, latest, "OUT-RESPONSE", settings
    ):
        reasons.append(
            f"{RULE_ID}: the latest total {latest} is no longer at least {percent:g}% below the "
            f"baseline {baseline}; consider a booster or maintenance."
        )
    if reasons:
        return EarlyWarning(True, tuple(reasons))
    if rise is None:
        why = (
            f"{RULE_ID}: the latest total {latest} still meets response or remission "
            f"({series.instrument} has no verified MCID, so only a loss of the {percent:g}% "
            "reduction fires the warning)."
        )
    else:
        why = (
            f"{RULE_ID}: the latest total {latest} is less than {rise} points above the nadir "
            f"{nadir} and still meets response or remission."
        )
    return EarlyWarning(False, (why,))
