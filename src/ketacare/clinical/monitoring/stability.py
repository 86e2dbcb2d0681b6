"""Until when a judgement holds: the first moment after `now` at which `evaluate` of the same
session state may judge dosing, the next reading or discharge otherwise.

A screen that asks again and again (the nurse board, every 15 s) may keep a judgement of an
unchanged state until then instead of judging it afresh. For a dosed session the rules compare
`now` only against these moments, so between two of them those parts of the result are equal:

- the minimum observation time's end (DISCH-ESK-MIN-TIME, DISCH-IV-MIN-TIME,
  DISCH-ORAL-MIN-TIME: `earliest_discharge`);
- the moment a reading grows too old for DISCH-BP, DISCH-SEDATION or DISCH-RESP (its time plus the
  rule's `reading_within_min`, then stale): every reading's is listed, the latest of each kind
  among them, so no "latest" rule is repeated here;
- MON-BP-40MIN's due time and the end of its window (a warning: it does not decide discharge,
  listed so that the alerts' levels are equal too).

The pre-dose rules judge the state at `dose_at`, the schedule (`next_reading_due`) never reads
`now`, and MON-PLAUSIBILITY only refuses times after `now`, which stays so later. The alerts'
own times are not promised equal: MON-BP-40MIN is stamped with `now` while it is open.
"""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring.discharge import earliest_discharge
from ketacare.clinical.monitoring.postdose import forty_minute_window
from ketacare.clinical.monitoring.readings import ESKETAMINE, SessionState
from ketacare.clinical.monitoring.units import minutes
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

# The discharge criteria that need a reading of the last `reading_within_min`.
_FRESH_READING_RULES = ("DISCH-BP", "DISCH-SEDATION", "DISCH-RESP")
# A reading is stale once `now - at > within`: the first moment that holds is one tick later.
_TICK = dt.timedelta(microseconds=1)


def judgement_changes(
    state: SessionState, *, now: dt.datetime, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> dt.datetime | None:
    """The first moment after `now` at which `evaluate(state, now=...)` may give another
    `dosing`, `next_reading_due` or `discharge` (and alert levels) than at `now`; None when no
    later moment can (every such moment is past). For a dosed state only: before the dose the
    pre-dose rules judge fasting and medication times against `now` itself (`ClinicalInputError`
    on field `dose_at`)."""
    if state.dose_at is None:
        raise ClinicalInputError(
            "dose_at", "dose_at: a judgement before the dose holds only at its own moment."
        )
    moments = [earliest_discharge(state, state.dose_at, settings)]
    for rule_id in _FRESH_READING_RULES:
        within = minutes(settings.value(rule_id, "reading_within_min"))
        moments.extend(reading.at + within + _TICK for reading in state.readings)
    if state.route == ESKETAMINE:
        due = state.dose_at + minutes(
            settings.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
        )
        _opens, closes = forty_minute_window(state.dose_at, settings)
        # The warning starts once `now > due` and turns "missed" once `now > closes`.
        moments.extend((due + _TICK, closes + _TICK))
    later = [moment for moment in moments if moment > now]
    return min(later) if later else None
