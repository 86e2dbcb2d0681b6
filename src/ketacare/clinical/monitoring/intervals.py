"""Reading intervals of the schedule of reference 3.5 (MON-SCHEDULE-*, MON-BP-ELEVATED).

Shared by the schedule (`next_reading_due`) and the MON-BP-ELEVATED alert, so the interval the
alert tells the nurse is the one the schedule books: during an IV infusion an elevated reading is
re-checked every 10 min (MON-SCHEDULE-IV), not every 15.
"""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.monitoring.discharge import infusion_duration
from ketacare.clinical.monitoring.readings import ESKETAMINE, IV_KETAMINE, SessionState
from ketacare.clinical.monitoring.units import minutes
from ketacare.clinical.rules import ClinicalSettings


def first_interval(route: str, settings: ClinicalSettings) -> float:
    """Minutes from the dose to the first post-dose reading: MON-SCHEDULE-ESK's first reading,
    MON-SCHEDULE-IV's infusion interval or MON-SCHEDULE-ORAL's early interval."""
    if route == ESKETAMINE:
        return settings.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
    if route == IV_KETAMINE:
        return settings.value("MON-SCHEDULE-IV", "during_infusion_interval_min")
    return settings.value("MON-SCHEDULE-ORAL", "early_interval_min")


def route_interval(state: SessionState, elapsed: dt.timedelta, settings: ClinicalSettings) -> float:
    """Minutes from a reading taken `elapsed` after the dose to the next one, under
    MON-SCHEDULE-ESK, MON-SCHEDULE-IV or MON-SCHEDULE-ORAL."""
    # The phase of the reading sets the interval: a reading taken during the IV infusion (or the
    # first oral hour) is followed by the shorter interval, the conservative choice.
    if state.route == ESKETAMINE:
        return settings.value("MON-SCHEDULE-ESK", "interval_min")
    if state.route == IV_KETAMINE:
        if elapsed < minutes(infusion_duration(state, settings)):
            return settings.value("MON-SCHEDULE-IV", "during_infusion_interval_min")
        return settings.value("MON-SCHEDULE-IV", "after_infusion_interval_min")
    if elapsed < minutes(settings.value("MON-SCHEDULE-ORAL", "early_period_min")):
        return settings.value("MON-SCHEDULE-ORAL", "early_interval_min")
    return settings.value("MON-SCHEDULE-ORAL", "late_interval_min")


def elevated_interval(
    state: SessionState, elapsed: dt.timedelta, settings: ClinicalSettings
) -> float:
    """Minutes to the re-check after an elevated blood pressure (MON-BP-ELEVATED): the shorter
    of the route's interval at that reading and the rule's `recheck_interval_min`."""
    recheck = settings.value("MON-BP-ELEVATED", "recheck_interval_min")
    return min(route_interval(state, elapsed, settings), recheck)
