"""Esketamine label rules used by plans and sessions (reference 1.3; SAFE-ESK-DOSE).

First doses (DOSE-ESK-FIRST-TRD, DOSE-ESK-FIRST-MDSI), the lower starts reported for older adults
(DOSE-ESK-ELDERLY-EU, DOSE-ESK-ESCAPE, information only) and the twice-weekly maximum
(DOSE-ESK-MAX-FREQUENCY).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ketacare.clinical.dosing.compute import allowed_esketamine_doses_mg, compute_dose
from ketacare.clinical.dosing.model import DoseAlert, EsketamineDoseOrder, EsketamineIndication
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import check_date, describe, read_bool, read_int
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


def _check_indication(indication: object) -> EsketamineIndication:
    # `is` comparisons below must never read a plain "trd" string as the MDSI branch.
    if not isinstance(indication, EsketamineIndication):
        listed = ", ".join(i.value for i in EsketamineIndication)
        raise ClinicalInputError(
            "indication",
            f"indication must be an EsketamineIndication ({listed}); got {describe(indication)}.",
        )
    return indication


def esketamine_first_dose_mg(
    indication: EsketamineIndication, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> int:
    """The US-label dose of the first session: TRD 56 mg (DOSE-ESK-FIRST-TRD), MDSI 84 mg
    (DOSE-ESK-FIRST-MDSI)."""
    if _check_indication(indication) is EsketamineIndication.TRD:
        return int(settings.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
    return int(settings.value("DOSE-ESK-FIRST-MDSI", "dose_mg"))


@dataclass(frozen=True, slots=True)
class EsketamineDoseCheck:
    """Whether a session dose keeps to the label (`allowed`), and the alerts to show."""

    allowed: bool
    alerts: tuple[DoseAlert, ...]


def check_esketamine_dose(
    dose_mg: int,
    *,
    indication: EsketamineIndication,
    first_session: bool,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> EsketamineDoseCheck:
    """Check one esketamine session dose against the label rules of SAFE-ESK-DOSE.

    A dose outside DOSE-ESK-ALLOWED raises ClinicalInputError (field `dose_mg`). TRD: the first
    session must be DOSE-ESK-FIRST-TRD's 56 mg; a lower first dose (28 mg, the EU start for
    older adults) is allowed with an info alert, a higher one is not. MDSI: DOSE-ESK-FIRST-MDSI,
    84 mg with 56 mg allowed for tolerability; 28 mg is not a label MDSI dose and is refused
    (the conservative reading of SAFE-ESK-DOSE). 28 mg always carries DOSE-ESK-ALLOWED's info.
    """
    _check_indication(indication)
    read_bool(first_session, "first_session")
    alerts = list(compute_dose(EsketamineDoseOrder(dose_mg), settings).alerts)
    allowed = True
    if indication is EsketamineIndication.TRD:
        first = int(settings.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
        if first_session and dose_mg > first:
            allowed = False
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-TRD",
                    "critical",
                    f"The first TRD dose is {first} mg (US label); "
                    f"{dose_mg} mg is too high for session 1.",
                )
            )
        elif first_session and dose_mg < first:
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-TRD",
                    "info",
                    f"The US-label first TRD dose is {first} mg; {dose_mg} mg "
                    "is a lower start (see DOSE-ESK-ELDERLY-EU).",
                )
            )
    else:
        full = int(settings.value("DOSE-ESK-FIRST-MDSI", "dose_mg"))
        reduced = int(settings.value("DOSE-ESK-FIRST-MDSI", "reduced_dose_mg"))
        if dose_mg == reduced:
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-MDSI",
                    "info",
                    f"MDSI dosing is {full} mg; {reduced} mg is allowed for tolerability.",
                )
            )
        elif dose_mg != full:
            allowed = False
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-MDSI",
                    "critical",
                    f"MDSI dosing is {full} mg ({reduced} mg allowed for "
                    f"tolerability); {dose_mg} mg is not a label MDSI dose.",
                )
            )
    return EsketamineDoseCheck(allowed=allowed, alerts=tuple(alerts))


def esketamine_population_notes(
    *,
    age_years: int,
    japanese_ancestry: bool = False,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> tuple[DoseAlert, ...]:
    """Information for the prescriber about a lower esketamine start (never a block).

    DOSE-ESK-ELDERLY-EU: the EU/HK SmPC starts patients aged 65 or over at 28 mg, then any dose
    of DOSE-ESK-ALLOWED. DOSE-ESK-ESCAPE: ESCAPE-TRD started ages 65-74 and adults of Japanese
    ancestry at 28 mg. The notes' numbers are read from `settings`.
    """
    read_int(age_years, "age_years")
    read_bool(japanese_ancestry, "japanese_ancestry")
    notes: list[DoseAlert] = []
    elderly_from = settings.value("DOSE-ESK-ELDERLY-EU", "age_at_least_years")
    if age_years >= elderly_from:
        start = int(settings.value("DOSE-ESK-ELDERLY-EU", "starting_dose_mg"))
        *lower, highest = (str(mg) for mg in allowed_esketamine_doses_mg(settings))
        then = f"{', '.join(lower)} or {highest}" if lower else highest
        notes.append(
            DoseAlert(
                "DOSE-ESK-ELDERLY-EU",
                "info",
                f"EU/HK SmPC: from age {elderly_from:g} start at {start} mg, then {then} mg "
                "(not in the US label as located).",
            )
        )
    escape_from = settings.value("DOSE-ESK-ESCAPE", "age_from_years")
    escape_to = settings.value("DOSE-ESK-ESCAPE", "age_to_years")
    if escape_from <= age_years <= escape_to or japanese_ancestry:
        start = int(settings.value("DOSE-ESK-ESCAPE", "starting_dose_mg"))
        notes.append(
            DoseAlert(
                "DOSE-ESK-ESCAPE",
                "info",
                f"ESCAPE-TRD used a {start}-mg start for ages {escape_from:g}-{escape_to:g} "
                "and adults of Japanese ancestry.",
            )
        )
    return tuple(notes)


def check_esketamine_frequency(
    session_dates: Iterable[dt.date],
    proposed: dt.date,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> DoseAlert | None:
    """A critical alert if an esketamine session on `proposed` breaks DOSE-ESK-MAX-FREQUENCY.

    `session_dates` are the patient's other sessions (past or booked). The proposed session is
    refused when it shares a date with one of them, or when any 7 consecutive calendar days that
    contain it would hold more than 2 sessions (SAFE-ESK-DOSE); None when it is allowed.
    """
    check_date(proposed, "proposed")
    if isinstance(session_dates, str | bytes) or not isinstance(session_dates, Iterable):
        raise ClinicalInputError("session_dates", "session_dates must be a list of dates.")
    checked = [check_date(day, f"session_dates.{i}") for i, day in enumerate(session_dates)]
    return frequency_alert(checked, proposed, settings)


def frequency_alert(
    session_dates: Iterable[dt.date], proposed: dt.date, settings: ClinicalSettings
) -> DoseAlert | None:
    """`check_esketamine_frequency` on dates already checked by the caller (the schedule
    planner, whose dates may run a little past the input years but never near `date.max`)."""
    most = int(settings.value("DOSE-ESK-MAX-FREQUENCY", "maximum_sessions"))
    window = int(settings.value("DOSE-ESK-MAX-FREQUENCY", "window_days"))
    others = sorted(session_dates)
    if proposed in others:
        return DoseAlert(
            "DOSE-ESK-MAX-FREQUENCY",
            "critical",
            f"An esketamine session is already booked on {proposed.isoformat()}.",
        )
    for offset in range(window):
        first = proposed - dt.timedelta(days=offset)
        last = first + dt.timedelta(days=window - 1)
        if sum(first <= day <= last for day in others) + 1 > most:
            return DoseAlert(
                "DOSE-ESK-MAX-FREQUENCY",
                "critical",
                f"At most {most} esketamine sessions in any {window} days; "
                f"{first.isoformat()} to {last.isoformat()} would hold more.",
            )
    return None
