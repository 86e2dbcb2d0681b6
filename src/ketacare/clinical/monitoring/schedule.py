"""When the next reading is due (reference 3.5, "Reading schedule").

The schedule follows blood pressure, which is what every source times (the label's 40-minute
check, EMORY-2018's every 10 / 15 min): "the latest reading" is the latest reading with a blood
pressure value, even a single one (values charted at the same minute are taken together). Due =
that reading's time + the route's interval; with no such reading yet, the route's first scheduled
time. Four additions, each making a reading earlier, never later:

- while the latest blood pressure is elevated (MON-BP-ELEVATED) the interval is at most its
  recheck interval, on every route (the rule applies to all routes); the alert names the same
  interval (`intervals.elevated_interval`);
- a blood pressure with one value only is completed at once (due at that reading's time):
  DISCH-BP and MON-BP-40MIN need both values;
- esketamine: until a complete blood pressure falls in the MON-BP-40MIN window, the +40 reading
  stays due (at once, if the latest reading is already past +40 and the window is still open);
- "always one reading within the 15 min before discharge": when the next reading would come
  after the earliest discharge time and the latest one is older than the discharge window at that
  time, the next reading is due when that window opens (earliest discharge - 15 min), so a
  patient can leave on time. The window is the narrowest of DISCH-BP's, DISCH-SEDATION's and
  DISCH-RESP's `reading_within_min`: that reading's MOAA/S and SpO2 must count too. Applied on
  every route, since those criteria ask for that reading on every route; on an on-time schedule
  it only moves esketamine's +130 reading to +105.
"""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.monitoring.discharge import earliest_discharge
from ketacare.clinical.monitoring.discharge_vitals import latest_blood_pressure
from ketacare.clinical.monitoring.intervals import (
    elevated_interval,
    first_interval,
    route_interval,
)
from ketacare.clinical.monitoring.postdose import (
    forty_minute_check_done,
    forty_minute_window,
    is_elevated,
)
from ketacare.clinical.monitoring.readings import ESKETAMINE, SessionState
from ketacare.clinical.monitoring.units import minutes
from ketacare.clinical.rules import ClinicalSettings


def next_reading_due(state: SessionState, settings: ClinicalSettings) -> dt.datetime | None:
    """The time the next reading is due under MON-SCHEDULE-ESK, MON-SCHEDULE-IV or
    MON-SCHEDULE-ORAL, shortened by MON-BP-ELEVATED, MON-BP-40MIN, an incomplete blood pressure
    and the DISCH-BP window before the earliest discharge (DISCH-*-MIN-TIME); None before
    dosing."""
    dose_at = state.dose_at
    if dose_at is None:
        return None
    readings = state.readings_in_time_order()
    latest = latest_blood_pressure(readings)
    if latest is None:
        return dose_at + minutes(first_interval(state.route, settings))
    latest_at, pressure = latest
    elapsed = latest_at - dose_at
    if is_elevated(pressure, settings):
        due = latest_at + minutes(elevated_interval(state, elapsed, settings))
    else:
        due = latest_at + minutes(route_interval(state, elapsed, settings))
    if not pressure.has_full_blood_pressure:
        due = latest_at
    if state.route == ESKETAMINE:
        _, closes = forty_minute_window(dose_at, settings)
        if latest_at <= closes and not forty_minute_check_done(dose_at, readings, settings):
            first = settings.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
            due = min(due, max(dose_at + minutes(first), latest_at))
    earliest = earliest_discharge(state, dose_at, settings)
    # The reading before discharge must count for DISCH-BP, DISCH-SEDATION and DISCH-RESP
    # alike, so it is booked in the narrowest of their windows.
    within = min(
        settings.value(rule_id, "reading_within_min")
        for rule_id in ("DISCH-BP", "DISCH-SEDATION", "DISCH-RESP")
    )
    window_opens = earliest - minutes(within)
    if due > earliest and latest_at < window_opens:
        due = window_opens
    return due
