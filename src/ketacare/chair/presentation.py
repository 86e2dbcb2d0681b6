"""What the chair pages show, arranged for the templates: minutes from the dose, vitals as one
line, the timeline of a session, the alerts and discharge criteria with their words.

No medical decision here: every judgement (alerts, the next reading due, discharge) is the
clinical core's, read through `ketacare.chair.state.judge`; this module only formats it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.html import escape

from ketacare.chair.models import AlertLevel, Reading, SessionAlert
from ketacare.clinical.adverse import GRADES, OTHER, TERMS
from ketacare.clinical.dosing import (
    DoseResult,
    EsketamineDoseOrder,
    IvDoseOrder,
    OralDoseOrder,
    compute_dose,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    SYMPTOMS,
    CriterionStatus,
    MonitorResult,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Route
from ketacare.treatment.models import SessionStatus

# The discharge criteria that are attestations made with the discharge itself, not facts the
# chart already holds (the form below the criteria asks for them).
# The board and the session page say the same of a session whose only unmet criterion is the
# clinician's attestation (both judge it with dissociation attested: `board.board_row`).
READY_ONCE_ATTESTED = "Ready once dissociation is attested"

ATTESTED_AT_DISCHARGE = {
    "DISCH-DISSOCIATION": "Attest below when you discharge.",
    "DISCH-ESCORT": "The no-driving instruction is attested below when you discharge.",
}

LEVEL_WORDS = {
    AlertLevel.CRITICAL: "Critical",
    AlertLevel.WARNING: "Warning",
    AlertLevel.INFO: "Note",
}


# A time as the clinical core writes it in its sentences (ISO 8601 with an offset).
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)")


def readable_times(text: str) -> str:
    """The core's sentence with each ISO time as the clinic's clock shows it (`11:00`)."""

    def local(match: re.Match[str]) -> str:
        try:
            moment = dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        except ValueError:
            return match.group(0)
        return timezone.localtime(moment).strftime("%H:%M")

    return _ISO_TIME.sub(local, text)


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from `start` to `end`, the part minute dropped (negative before `start`:
    checks 30 s before the dose are at 0 min, not -1)."""
    return int((end - start).total_seconds() / 60)


def signed_minutes(value: int | None) -> str:
    """`+40 min`, `-10 min`, `0 min`; empty without a dose."""
    if value is None:
        return ""
    return f"{value:+d} min" if value else "0 min"


def due_words(due: dt.datetime | None, now: dt.datetime) -> str:
    """`in 12 min`, `now`, `overdue by 3 min`: the countdown as the server renders it (the page's
    script then ticks it every second)."""
    if due is None:
        return ""
    seconds = (due - now).total_seconds()
    if seconds > 0:
        return f"in {math.ceil(seconds / 60)} min"
    late = math.floor(-seconds / 60)
    return f"overdue by {late} min" if late else "now"


def vitals_line(row: Any) -> str:
    """`BP 185/112 · HR 88 · SpO2 97 % · RR 14 · MOAA/S 5 · CADSS 10`: what was recorded."""
    parts: list[str] = []
    systolic, diastolic = getattr(row, "systolic", None), getattr(row, "diastolic", None)
    if systolic is not None or diastolic is not None:
        parts.append(f"BP {_or_dash(systolic)}/{_or_dash(diastolic)}")
    for name, label, unit in (
        ("heart_rate", "HR", ""),
        ("spo2", "SpO2", " %"),
        ("respiratory_rate", "RR", ""),
        ("moaas", "MOAA/S", ""),
        ("cadss", "CADSS", ""),
    ):
        value = getattr(row, name, None)
        if value is not None:
            parts.append(f"{label} {value}{unit}")
    return " · ".join(parts)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def symptom_words(keys: Iterable[str]) -> list[str]:
    return [SYMPTOMS.get(key, key) for key in keys]


def term_words(term: str, other_term: str = "") -> str:
    if term == OTHER:
        return other_term or TERMS[OTHER]
    return TERMS.get(term, term)


def grade_words(grade: int) -> str:
    return GRADES.get(grade, str(grade))


@dataclass
class TimelineEntry:
    """One line of the timeline: minutes from the dose (None before dosing), what happened."""

    at: dt.datetime
    minute: int | None
    kind: str
    text: str
    level: str = ""
    symptoms: list[str] = field(default_factory=list)
    alerts: list[SessionAlert] = field(default_factory=list)

    @property
    def minute_text(self) -> str:
        return signed_minutes(self.minute)


def timeline(chair: Any) -> list[TimelineEntry]:
    """The session in time order, in minutes from the dose: check-in and pre-dose vitals, the
    dose, every reading (with the alerts it raised), side effects, alerts about something
    missing, the discharge."""
    dose_at = chair.dose.at if chair.dose is not None else None

    def minute(at: dt.datetime) -> int | None:
        return minutes_between(dose_at, at) if dose_at is not None else None

    by_reading: dict[int, list[SessionAlert]] = {}
    loose: list[SessionAlert] = []
    for alert in chair.alerts:
        if alert.reading_id is not None:
            by_reading.setdefault(alert.reading_id, []).append(alert)
        else:
            loose.append(alert)
    entries: list[TimelineEntry] = []
    pre = chair.pre_dose
    if pre is not None:
        entries.append(
            TimelineEntry(pre.at, minute(pre.at), "pre_dose", f"Pre-dose: {vitals_line(pre)}")
        )
    if chair.dose is not None:
        entries.append(
            TimelineEntry(
                dose_at,
                0,
                "dose",
                f"Dose given: {_number(chair.dose.dose_mg)} mg",  # type: ignore[arg-type]
            )
        )
    for reading in chair.readings:
        entries.append(
            TimelineEntry(
                reading.at,
                minute(reading.at),
                "reading",
                vitals_line(reading) or "Reading",
                symptoms=symptom_words(reading.symptoms or ()),
                alerts=by_reading.get(reading.pk, []),
            )
        )
    for alert in loose:
        entries.append(
            TimelineEntry(
                alert.at,
                minute(alert.at),
                "alert",
                f"{alert.rule}: {alert.message}",
                level=alert.level,
            )
        )
    for effect in chair.side_effects:
        entries.append(
            TimelineEntry(
                effect.onset_at,
                minute(effect.onset_at),
                "side_effect",
                f"Side effect: {term_words(effect.term, effect.other_term)}, "
                f"CTCAE grade {effect.grade}" + (", serious" if effect.serious else ""),
            )
        )
    if chair.discharge is not None:
        entries.append(
            TimelineEntry(chair.discharge.at, minute(chair.discharge.at), "discharge", "Discharged")
        )
    order = {"pre_dose": 0, "dose": 1, "reading": 2, "alert": 3, "side_effect": 4, "discharge": 5}
    entries.sort(key=lambda e: (e.at, order[e.kind]))
    return entries


def _number(value: object) -> str:
    text = f"{value}"
    return text[:-2] if text.endswith(".0") else text


@dataclass
class CriterionView:
    rule: str
    status: str
    overridable: bool
    sentence: str
    hint: str = ""

    @property
    def holds(self) -> bool:
        return self.status == CriterionStatus.HOLDS.value

    @property
    def status_words(self) -> str:
        return {
            CriterionStatus.HOLDS.value: "Met",
            CriterionStatus.OVERRIDDEN.value: "Overridden",
        }.get(self.status, "Not met")


def criteria(result: MonitorResult, *, attesting: bool) -> list[CriterionView]:
    """Each DISCH-* criterion of the result as met / not met with its sentence; with
    `attesting` (before discharge) the criteria attested at discharge say so."""
    if result.discharge is None:
        return []
    return [
        CriterionView(
            rule=c.rule,
            status=c.status.value,
            overridable=c.overridable,
            sentence=readable_times(c.sentence),
            hint=ATTESTED_AT_DISCHARGE.get(c.rule, "")
            if attesting and c.status is not CriterionStatus.HOLDS
            else "",
        )
        for c in result.discharge.criteria
    ]


@dataclass
class PendingAlert:
    """An alert the rules raise now that is not kept yet (an overdue reading): shown, not
    acknowledged, until a service stores it."""

    rule: str
    level: str
    at: dt.datetime
    message: str


def pending_alerts(result: MonitorResult, kept: Iterable[SessionAlert]) -> list[PendingAlert]:
    """The result's alerts not among the kept ones (same rule and time, or same rule for an
    alert about something missing, which is kept once per session)."""
    kept_pairs = {(a.rule, a.at) for a in kept}
    kept_rules = {a.rule for a in kept}
    pending = []
    for alert in result.alerts:
        if (alert.rule, alert.at) in kept_pairs or alert.rule in kept_rules:
            continue
        pending.append(PendingAlert(alert.rule, alert.level.value, alert.at, alert.message))
    return pending


def last_reading_line(readings: list[Reading]) -> str:
    return vitals_line(readings[-1]) if readings else ""


@dataclass
class DosePreview:
    """The dose the order gives today, with the arithmetic, shown before it is given (the
    service computes it again, the same way, when the dose is recorded)."""

    summary: str
    steps: list[str]


def dose_preview(route: str, order: Any, weight_kg: float | None) -> DosePreview | None:
    """The clinical core's arithmetic (`compute_dose`) for the plan's signed order: IV from the
    chart's latest weight (the pump rate only when the order names the bag's concentration),
    esketamine with its device count. None without an order; a sentence when the core refuses."""
    if order is None:
        return None
    core: Any
    with_volume = True
    if route == IV_KETAMINE:
        if weight_kg is None:
            return DosePreview("The chart has no weight: weigh the patient and enter it below.", [])
        concentration = order.concentration_mg_per_ml
        with_volume = concentration is not None
        core = IvDoseOrder(
            weight_kg=weight_kg,
            dose_mg_per_kg=float(order.dose_mg_per_kg or 0),
            duration_min=order.duration_min or 0,
            # Without the bag's concentration only the dose in mg is shown, which does not
            # depend on it: the core's lowest allowed concentration stands in.
            concentration_mg_per_ml=float(concentration)
            if with_volume
            else float(DEFAULT_SETTINGS.value("DOSE-IV-CONC", "minimum_mg_per_ml")),
        )
    elif route == ESKETAMINE:
        core = EsketamineDoseOrder(dose_mg=order.dose_mg or 0)
    else:
        core = OralDoseOrder(dose_mg=order.dose_mg or 0)
    try:
        result: DoseResult = compute_dose(core, DEFAULT_SETTINGS)
    except ClinicalInputError as error:
        return DosePreview(f"The order cannot be given as it stands: {error.message}", [])
    steps = [
        f"{step.label.capitalize()}: {step.text}"
        for step in result.steps
        if with_volume or step.label == "dose"
    ]
    summary = f"Dose today: {_number(result.dose_mg)} mg"
    if result.devices is not None:
        summary += f" ({result.devices} device{'s' if result.devices != 1 else ''})"
    if with_volume and result.volume_ml is not None:
        summary += f", {_number(result.volume_ml)} mL at {_number(result.rate_ml_per_h)} mL/h"
    weight = f" for {_number(weight_kg)} kg" if route == IV_KETAMINE else ""
    return DosePreview(summary + weight + ".", steps)


# --- the nurse board's cards ---------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """A time as the pages write it: `iso` for `<time datetime>` and scripts, `clock` (`11:05`)
    to read, both in the clinic's time zone (as the templates' `date:'c'` and `date:'H:i'`)."""

    iso: str
    clock: str


def moment(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> Moment | None:
    """`value` in `tz` (the current time zone when None, as `timezone.localtime`)."""
    if value is None:
        return None
    local = value.astimezone(tz) if tz is not None else timezone.localtime(value)
    return Moment(local.isoformat(), f"{local.hour:02d}:{local.minute:02d}")


def _unmet_words(count: int) -> str:
    return f"{count} criterion not met" if count == 1 else f"{count} criteria not met"


_ROUTE_WORDS = {value: str(label) for value, label in Route.choices}
_STATUS_WORDS = {value: str(label) for value, label in SessionStatus.choices}


def _time(value: Moment) -> str:
    return f'<time datetime="{value.iso}">{value.clock}</time>'


def board_card(
    row: Any,
    *,
    now: dt.datetime,
    session_url: str,
    icons: dict[str, str],
    ready_words: str,
    tz: dt.tzinfo | None = None,
) -> str:
    """One chair of the nurse board as HTML (`row` is a `ketacare.chair.board.BoardRow`): its
    judgement in words. The board re-renders itself every 15 s for every chair, so the cards are
    written here in one pass (no template loop, includes, filters or lookups through the rows;
    see bench/results.md); every text from the chart is escaped as the templates escape it.
    `icons` holds the drawn `warning` and `critical` icons (HTML); times are written in `tz`
    (the current time zone when None)."""
    css = "chair-card"
    if row.overdue:
        css += " chair-card-overdue"
    if row.open_critical_alerts:
        css += " chair-card-critical"
    status = row.status
    status_words = _STATUS_WORDS.get(status, status)
    hold = (
        ' <span class="chair-pill chair-pill-hold">Hold</span>'
        if status == SessionStatus.IN_CHAIR and row.dosing == "hold"
        else ""
    )
    dose_at = moment(row.dose_at, tz)
    if dose_at is not None:
        since = (
            f"<strong>{row.minutes_since_dose} min</strong> "
            f'<span class="muted">(dosed {_time(dose_at)})</span>'
        )
    else:
        since = '<span class="muted">Not dosed yet</span>'
    last = row.last_reading
    if last is not None:
        vitals = (
            f"{escape(vitals_line(last) or 'no values')} "
            f'<span class="muted">at {_time(moment(last.at, tz))}</span>'  # type: ignore[arg-type]
        )
    elif row.pre_dose is not None and (pre_vitals := vitals_line(row.pre_dose)):
        vitals = f'{escape(pre_vitals)} <span class="muted">(pre-dose)</span>'
    else:
        vitals = '<span class="muted">None yet</span>'
    due = moment(row.next_reading_due, tz)
    if due is not None:
        tag = (
            f'<span class="chair-overdue-tag">{icons["warning"]} Overdue</span> '
            if row.overdue
            else ""
        )
        late = " chair-overdue" if row.overdue else ""
        next_reading = (
            f'{tag}{_time(due)} <span class="chair-countdown{late}" data-due="{due.iso}">'
            f"{due_words(row.next_reading_due, now)}</span>"
        )
    else:
        next_reading = '<span class="muted">After the dose</span>'
    if row.open_alerts:
        alerts = f'<span class="chair-open-count">{row.open_alerts} open</span>'
        if row.open_critical_alerts:
            alerts += (
                f' <span class="chair-critical-count">{icons["critical"]} '
                f"{row.open_critical_alerts} critical</span>"
            )
    else:
        alerts = '<span class="muted">None</span>'
    if row.discharge_ready is None:
        discharge = '<span class="muted">After the dose</span>'
    elif row.discharge_ready:
        discharge = f'<span class="tx-ok">{escape(ready_words)}</span>'
    else:
        earliest = moment(row.discharge_earliest, tz)
        discharge = "Not yet" + (f", not before {_time(earliest)}" if earliest else "")
        discharge += f' <span class="muted">({_unmet_words(len(row.discharge_unmet))})</span>'
    name = f"{row.family_name}, {row.given_name}"
    return (
        f'\n    <li class="{css}">\n'
        f'      <h2 class="chair-card-title"><span class="chair-card-chair">'
        f"{escape(row.chair or 'No chair')}</span> "
        f'<a href="{escape(session_url)}">{escape(name)}</a></h2>\n'
        f'      <p class="chair-card-route">{escape(_ROUTE_WORDS.get(row.route, row.route))} · '
        f'session {row.number} · <span class="tx-status tx-status-{escape(status)}">'
        f"{escape(status_words)}</span>{hold}</p>\n"
        '      <dl class="chair-card-facts">\n'
        "        <dt>Since dose</dt>\n"
        f"        <dd>{since}</dd>\n"
        "        <dt>Last vitals</dt>\n"
        f"        <dd>{vitals}</dd>\n"
        "        <dt>Next reading</dt>\n"
        f"        <dd>{next_reading}</dd>\n"
        "        <dt>Open alerts</dt>\n"
        f"        <dd>{alerts}</dd>\n"
        "        <dt>Discharge</dt>\n"
        f"        <dd>{discharge}</dd>\n"
        "      </dl>\n"
        "    </li>\n    "
    )
