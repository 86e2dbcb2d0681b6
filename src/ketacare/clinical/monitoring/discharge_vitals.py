"""The vital-sign discharge criteria of reference 3.6: DISCH-BP, DISCH-SEDATION, DISCH-RESP.

Each judges the latest value of its kind (values charted at the same minute taken together, the
worse one counting) and returns whether it holds and one sentence for `reasons`.

Evidence must also be recent: DISCH-BP, DISCH-SEDATION and DISCH-RESP each judge only a value
charted within their `reading_within_min` before `now`. An older MOAA/S or SpO2 (say one taken
5 min after the dose, before the 30-45 min sedation peak of reference 3.3) does not hold: a fresh
reading is needed.

DISCH-BP operationalises the verified "BP decreasing and clinically stable" [V ESK-SMPC] as the
reference 3.6 form (at or below 140/90, or below the post-dose peak in both values and below
180/110) plus KetaCare's conservative reading of "decreasing" [D]: a latest blood pressure above
140/90 must also be no higher than the previous value, systolic and diastolic each, so a pressure
that falls and then rises again (170/100, 145/92, 165/98) does not hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ketacare.clinical.monitoring.readings import Reading, SessionState, Vitals
from ketacare.clinical.monitoring.units import blood_pressure_text, minutes, pair
from ketacare.clinical.rules import ClinicalSettings


def latest_readings(
    readings: tuple[Reading, ...], has_value: Callable[[Reading], bool]
) -> tuple[Reading, ...]:
    """The readings (in time order) at the latest time one of them has the value asked for.

    Usually one reading; several when charted at the same minute, and then they are taken
    together, the worse value counting: a later reading is never passed over for an earlier one
    that looks better (DISCH-BP, DISCH-SEDATION, DISCH-RESP).
    """
    with_value = [r for r in readings if has_value(r)]
    if not with_value:
        return ()
    last = with_value[-1].at
    return tuple(r for r in with_value if r.at == last)


def latest_blood_pressure(readings: tuple[Reading, ...]) -> tuple[dt.datetime, Vitals] | None:
    """The latest blood pressure (readings in time order) and its time, or None before any.

    The latest reading with any blood pressure value counts, so a later single value (say
    systolic 185 alone) never leaves an earlier complete pair in charge; values charted at that
    same minute are taken together, the higher of each kept. Shared by DISCH-BP and the reading
    schedule (MON-SCHEDULE-*, MON-BP-ELEVATED).
    """
    latest = latest_readings(readings, lambda r: r.has_blood_pressure)
    if not latest:
        return None
    pressure = Vitals(
        systolic=max((r.systolic for r in latest if r.systolic is not None), default=None),
        diastolic=max((r.diastolic for r in latest if r.diastolic is not None), default=None),
    )
    return latest[-1].at, pressure


def _latest_value(
    readings: tuple[Reading, ...],
    value_of: Callable[[Reading], int | None],
    worse: Callable[[list[int]], int],
) -> tuple[dt.datetime, int] | None:
    # The latest value of one kind and its time; of several charted at that minute, the worse.
    latest = latest_readings(readings, lambda r: value_of(r) is not None)
    if not latest:
        return None
    return latest[-1].at, worse([v for r in latest if (v := value_of(r)) is not None])


def blood_pressure_criterion(
    readings: tuple[Reading, ...], now: dt.datetime, settings: ClinicalSettings
) -> tuple[bool, str]:
    """DISCH-BP: a complete blood pressure within `reading_within_min`, at or below the normal
    limit, or below the post-dose peak in both values, below the cap and no higher than the
    previous value of each kind (decreasing, not rising again)."""
    within = settings.value("DISCH-BP", "reading_within_min")
    latest = latest_blood_pressure(readings)
    if latest is None or now - latest[0] > minutes(within):
        return False, (
            f"No complete blood pressure reading in the last {within:g} min; measure it before "
            "discharge."
        )
    at, pressure = latest
    if pressure.systolic is None or pressure.diastolic is None:
        return False, _incomplete_sentence(at, pressure, settings)
    earlier = tuple(r for r in readings if r.at < at)
    previous = Vitals(
        systolic=_previous_value(earlier, lambda r: r.systolic),
        diastolic=_previous_value(earlier, lambda r: r.diastolic),
    )
    return _judge_pressure(pressure.systolic, pressure.diastolic, previous, readings, settings)


def _previous_value(
    earlier: tuple[Reading, ...], value_of: Callable[[Reading], int | None]
) -> int | None:
    # The previous value of one kind (systolic or diastolic): the latest one charted before the
    # latest blood pressure, the higher one when several share that minute (DISCH-BP,
    # "decreasing"). A single value charted in between counts: 150 alone after 170/100 makes a
    # later 165/98 a rise.
    found = _latest_value(earlier, value_of, max)
    return None if found is None else found[1]


def _incomplete_sentence(at: dt.datetime, pressure: Vitals, settings: ClinicalSettings) -> str:
    sentence = (
        f"The latest blood pressure reading ({at.isoformat()}) has only "
        f"{blood_pressure_text(pressure)}; a complete blood pressure, systolic and diastolic, "
        "is needed before discharge"
    )
    cap_s = settings.value("DISCH-BP", "systolic_below_mmhg")
    cap_d = settings.value("DISCH-BP", "diastolic_below_mmhg")
    if pressure.systolic is not None and pressure.systolic >= cap_s:
        sentence += f", and its systolic {pressure.systolic} mmHg is not below {cap_s:g}"
    if pressure.diastolic is not None and pressure.diastolic >= cap_d:
        sentence += f", and its diastolic {pressure.diastolic} mmHg is not below {cap_d:g}"
    return sentence + "."


def _judge_pressure(
    sbp: int,
    dbp: int,
    previous: Vitals,
    readings: tuple[Reading, ...],
    settings: ClinicalSettings,
) -> tuple[bool, str]:
    value = settings.value
    bp = f"{sbp}/{dbp} mmHg"
    normal_s = value("DISCH-BP", "systolic_at_or_below_mmhg")
    normal_d = value("DISCH-BP", "diastolic_at_or_below_mmhg")
    if sbp <= normal_s and dbp <= normal_d:
        return True, f"Blood pressure {bp} is at or below {pair(normal_s, normal_d)}."
    peak_s = max(r.systolic for r in readings if r.systolic is not None)
    peak_d = max(r.diastolic for r in readings if r.diastolic is not None)
    cap_s = value("DISCH-BP", "systolic_below_mmhg")
    cap_d = value("DISCH-BP", "diastolic_below_mmhg")
    if not (sbp < peak_s and dbp < peak_d):
        return False, (
            f"Blood pressure {bp} is above {pair(normal_s, normal_d)} and not below the post-dose "
            f"peak {peak_s}/{peak_d} in both values."
        )
    if not (sbp < cap_s and dbp < cap_d):
        return False, f"Blood pressure {bp} is not below {pair(cap_s, cap_d)}."
    # Strictly below the peak in both values, so an earlier systolic and an earlier diastolic
    # exist: `previous` is complete here.
    before = blood_pressure_text(previous)
    rising = [
        name
        for name, latest, then in (
            ("systolic", sbp, previous.systolic),
            ("diastolic", dbp, previous.diastolic),
        )
        if then is not None and latest > then
    ]
    if rising:
        return False, (
            f"Blood pressure {bp} is above {pair(normal_s, normal_d)} and its "
            f"{' and '.join(rising)} is higher than the previous reading ({before}): it must be "
            "decreasing, not rising again, before discharge."
        )
    return True, (
        f"Blood pressure {bp} is below the post-dose peak {peak_s}/{peak_d} in both values, "
        f"no higher than the previous reading ({before}) and below {pair(cap_s, cap_d)}."
    )


def sedation_criterion(
    state: SessionState,
    readings: tuple[Reading, ...],
    now: dt.datetime,
    settings: ClinicalSettings,
) -> tuple[bool, str]:
    """DISCH-SEDATION: the latest MOAA/S, charted within `reading_within_min`, is at least
    `moaas_at_or_above` or at least the pre-dose score."""
    latest = _latest_value(readings, lambda r: r.moaas, min)
    if latest is None:
        return False, "No MOAA/S recorded after dosing; sedation must be shown to have resolved."
    at, score = latest
    stale = _stale_sentence("DISCH-SEDATION", "MOAA/S", f"{score}", at, now, settings)
    if stale:
        return False, stale
    wanted = settings.value("DISCH-SEDATION", "moaas_at_or_above")
    baseline = state.pre_dose.moaas
    if score >= wanted or (baseline is not None and score >= baseline):
        return True, f"Latest MOAA/S is {score}: sedation has resolved."
    before = f" or the pre-dose score {baseline}" if baseline is not None else ""
    return False, f"Latest MOAA/S is {score}; discharge needs {wanted:g}{before}."


def respiration_criterion(
    readings: tuple[Reading, ...], now: dt.datetime, settings: ClinicalSettings
) -> tuple[bool, str]:
    """DISCH-RESP: the latest SpO2, charted within `reading_within_min`, is at or above the
    discharge level and no respiratory alert (MON-SPO2-LOW, MON-SPO2-CRITICAL, MON-RR-LOW) is
    still open on the latest values."""
    value = settings.value
    latest = _latest_value(readings, lambda r: r.spo2, min)
    if latest is None:
        return False, "No SpO2 recorded after dosing; respiration must be shown to be stable."
    at, spo2 = latest
    stale = _stale_sentence("DISCH-RESP", "SpO2", f"{spo2}%", at, now, settings)
    if stale:
        return False, stale
    # "No open respiratory alert": the latest values must not still trigger MON-SPO2-LOW,
    # MON-SPO2-CRITICAL or MON-RR-LOW, whatever a clinic configured for them.
    wanted = max(
        value("DISCH-RESP", "spo2_at_or_above_percent"),
        value("MON-SPO2-LOW", "spo2_below_percent"),
        value("MON-SPO2-CRITICAL", "spo2_below_percent"),
    )
    if spo2 < wanted:
        return False, f"Latest SpO2 {spo2}% is below {wanted:g}%."
    rate = _latest_value(readings, lambda r: r.respiratory_rate, min)
    rate_below = value("MON-RR-LOW", "respiratory_rate_below_per_min")
    if rate is not None and rate[1] < rate_below:
        return False, (
            f"Latest respiratory rate {rate[1]}/min is below {rate_below:g}/min (MON-RR-LOW)."
        )
    return True, f"Latest SpO2 is {spo2}% and no respiratory alert is open."


def _stale_sentence(
    rule_id: str,
    label: str,
    shown: str,
    at: dt.datetime,
    now: dt.datetime,
    settings: ClinicalSettings,
) -> str:
    # DISCH-SEDATION / DISCH-RESP: like DISCH-BP, only a value of the last `reading_within_min`
    # shows the state at discharge; an older one (even a good one) does not hold.
    within = settings.value(rule_id, "reading_within_min")
    if now - at <= minutes(within):
        return ""
    return (
        f"The latest {label} ({shown}, at {at.isoformat()}) is older than {within:g} min; "
        f"a fresh {label} is needed before discharge."
    )
