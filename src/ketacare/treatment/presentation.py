"""What the plan pages show: the clinic's protocols with their summaries, the eligibility of each
route, a schedule preview, and the help texts of the order fields.

Everything medical comes from `ketacare.clinical` (protocol listing, schedules, dose limits); this
module only arranges it for the templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from django.urls import reverse
from django.utils.http import urlencode

from ketacare.clinical.dosing import allowed_esketamine_doses_mg
from ketacare.clinical.protocols import (
    PROTOCOLS,
    ScheduledSession,
    describe_protocol,
    generate_schedule,
    interval_options,
)
from ketacare.clinical.protocols.model import frequency_text, number_text
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Route
from ketacare.patients.models import Patient
from ketacare.screening.models import EligibilityReview, ReviewDecision
from ketacare.screening.queries import latest_signed_review

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class RouteEligibility:
    """One route the clinic offers, with the patient's latest signed review for it."""

    route: str
    label: str
    review: EligibilityReview | None
    review_url: str

    @property
    def eligible(self) -> bool:
        return self.review is not None and self.review.decision == ReviewDecision.ELIGIBLE


def review_url(patient_id: int, route: str) -> str:
    """The eligibility page of one route (the screening app's)."""
    base = reverse("screening:review", args=[patient_id])
    return f"{base}?{urlencode({'route': route})}"


def route_eligibility(patient: Patient, routes: Sequence[str]) -> list[RouteEligibility]:
    """The latest signed review of each route (contracts 2.2: a plan needs it `eligible`)."""
    return [
        RouteEligibility(
            route=route,
            label=Route(route).label,
            review=latest_signed_review(patient, route),
            review_url=review_url(patient.pk, route),
        )
        for route in routes
    ]


def protocol_summaries(
    routes: Sequence[str], every_days: Mapping[str, int] | None = None
) -> list[dict[str, object]]:
    """The clinic's protocols (those of its routes), each as `ketacare protocols` lists it, with a
    one-line summary of its phases; `every_days` (a plan's intervals) gives the frequency of the
    phases it names, where the protocol's listing gives its default."""
    summaries = []
    for protocol_id in sorted(PROTOCOLS):
        protocol = PROTOCOLS[protocol_id]
        if protocol.route.value not in routes:
            continue
        document = describe_protocol(protocol)
        phases = cast(list[Mapping[str, object]], document["phases"])
        document["phase_lines"] = [_phase_line(phase, every_days or {}) for phase in phases]
        document["route_label"] = Route(protocol.route.value).label
        summaries.append(document)
    return summaries


def _phase_line(phase: Mapping[str, object], every_days: Mapping[str, int]) -> str:
    count = phase["sessions"]
    sessions = "open-ended" if count is None else f"{count} sessions"
    frequency = phase["frequency"]
    chosen = every_days.get(str(phase["name"]))
    if chosen is not None:
        frequency = frequency_text(per_week=None, every_days=chosen)
    line = f"{phase['name']}: {sessions}, {frequency}; {phase['dose']}"
    if phase.get("first_dose"):
        line += f" (session 1: {phase['first_dose']})"
    return line


def preview_schedule(
    protocol_id: str,
    start: dt.date,
    clinic_days: Sequence[int],
    every_days: Mapping[str, int] | None = None,
) -> tuple[ScheduledSession, ...]:
    """The sessions a plan would get (the clinical core's schedule), nothing saved."""
    return generate_schedule(
        protocol_id, start=start, clinic_days=clinic_days, every_days=every_days
    ).sessions


@dataclass(frozen=True, slots=True)
class IntervalChoice:
    """A phase of a protocol whose interval the prescriber picks: the intervals in days its
    source allows (the protocol's default first), each with its words."""

    protocol: str
    phase: str
    options: tuple[int, ...]

    @property
    def default(self) -> int:
        return self.options[0]

    @property
    def choices(self) -> list[tuple[int, str]]:
        """`(14, "every 2 weeks (the protocol's default)"), (7, "weekly")`."""
        choices = []
        for days in self.options:
            words = frequency_text(per_week=None, every_days=days)
            choices.append(
                (days, f"{words} (the protocol's default)" if days == self.default else words)
            )
        return choices


def interval_choices(protocol_ids: Sequence[str]) -> list[IntervalChoice]:
    """The phases of these protocols that offer a choice of interval (the clinical core's
    `interval_options`), in the order given."""
    return [
        IntervalChoice(protocol_id, phase, options)
        for protocol_id in protocol_ids
        for phase, options in interval_options(protocol_id).items()
    ]


def interval_lines(protocol_id: str, every_days: Mapping[str, int]) -> list[str]:
    """A plan's intervals in words, beside the protocol's default: `maintenance: weekly (the
    protocol's default: every 2 weeks)`, `maintenance: every 2 weeks (the protocol's default)`."""
    options = interval_options(protocol_id)
    return [
        f"{phase}: {_interval_text(days, options[phase][0])}"
        for phase, days in every_days.items()
        if phase in options
    ]


def _interval_text(days: int, default: int) -> str:
    words = frequency_text(per_week=None, every_days=days)
    if days == default:
        return f"{words} (the protocol's default)"
    return f"{words} (the protocol's default: {frequency_text(per_week=None, every_days=default)})"


def dose_help() -> dict[str, str]:
    """Help texts of the order fields, their numbers from the registry (DOSE-*)."""
    value = DEFAULT_SETTINGS.value
    doses = allowed_esketamine_doses_mg()
    return {
        "dose_mg_per_kg": (
            f"IV: {number_text(value('DOSE-IV-MGKG', 'minimum_mg_per_kg'))}-"
            f"{number_text(value('DOSE-IV-MGKG', 'maximum_mg_per_kg'))} mg/kg; a warning above "
            f"{number_text(value('DOSE-IV-MGKG', 'warn_above_mg_per_kg'))} mg/kg (DOSE-IV-MGKG)."
        ),
        "duration_min": (
            f"IV: {number_text(value('DOSE-IV-DURATION', 'minimum_min'))}-"
            f"{number_text(value('DOSE-IV-DURATION', 'maximum_min'))} minutes (DOSE-IV-DURATION)."
        ),
        "concentration_mg_per_ml": (
            f"IV, optional: {number_text(value('DOSE-IV-CONC', 'minimum_mg_per_ml'))}-"
            f"{number_text(value('DOSE-IV-CONC', 'maximum_mg_per_ml'))} mg/mL (DOSE-IV-CONC)."
        ),
        "dose_mg": (
            f"Esketamine: {', '.join(str(mg) for mg in doses)} mg (DOSE-ESK-ALLOWED); the first "
            f"TRD dose is {number_text(value('DOSE-ESK-FIRST-TRD', 'first_dose_mg'))} mg "
            f"(DOSE-ESK-FIRST-TRD). Oral: {number_text(value('DOSE-ORAL-RANGE', 'minimum_mg'))}-"
            f"{number_text(value('DOSE-ORAL-RANGE', 'maximum_mg'))} mg (DOSE-ORAL-RANGE)."
        ),
    }


def order_defaults() -> dict[str, object]:
    """The order form's first values: the registry's IV defaults (DOSE-IV-MGKG, -DURATION)."""
    value = DEFAULT_SETTINGS.value
    return {
        "dose_mg_per_kg": value("DOSE-IV-MGKG", "default_mg_per_kg"),
        "duration_min": value("DOSE-IV-DURATION", "default_min"),
    }
