"""The protocol listing of `ketacare protocols`: ids, phases, spacing, dose text, sources.

contracts.md only says that protocol ids and phases are listed; the document is
`{"protocols": [...]}` sorted by id, each protocol with its data version, route, source keys,
evidence grade, its spacing rule (rule id, wording built from the clinic's current number, that
number) and its phases
in order. A phase gives its total `sessions` (null when open-ended), its steps (sessions and
frequency), its dose text and the first-session dose where it differs. Numbers that a clinic may
configure (spacing, a clinic-defined session count, the thresholds a dose text names, a
titration's first dose and maximum) are shown as the clinic's settings have them.
"""

from __future__ import annotations

from ketacare.clinical.protocols.loader import PROTOCOLS
from ketacare.clinical.protocols.model import (
    Phase,
    Protocol,
    Spacing,
    SpacingKind,
    Step,
    frequency_text,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


def describe_protocols(settings: ClinicalSettings = DEFAULT_SETTINGS) -> dict[str, object]:
    """Every protocol of reference 1.6 as one JSON-ready document, sorted by id."""
    return {"protocols": [describe_protocol(PROTOCOLS[key], settings) for key in sorted(PROTOCOLS)]}


def describe_protocol(
    protocol: Protocol, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> dict[str, object]:
    """One protocol as a JSON-ready document, its spacing numbers from `settings` (PROT-*)."""
    spacing = protocol.spacing
    return {
        "id": protocol.id,
        "version": protocol.version,
        "title": protocol.title,
        "route": protocol.route.value,
        "source": protocol.source,
        "evidence": protocol.evidence.value,
        "section": protocol.section,
        "note": protocol.note,
        "spacing": {
            "rule": spacing.rule,
            "text": spacing_text(spacing, settings),
            spacing.threshold: settings.value(spacing.rule, spacing.threshold),
        },
        "phases": [_phase(phase, settings) for phase in protocol.phases],
    }


def spacing_text(spacing: Spacing, settings: ClinicalSettings = DEFAULT_SETTINGS) -> str:
    """The spacing rule in words, from the clinic's current number (PROT-*-SPACING)."""
    days = spacing.days(settings)
    plural = "" if days == 1 else "s"
    if spacing.kind is SpacingKind.INTERVAL_TOLERANCE:
        return (
            f"each session within {days} day{plural} of its nominal interval after the previous one"
        )
    free = days - 1
    return (
        f"sessions at least {days} calendar day{plural} apart "
        f"({free} free day{'' if free == 1 else 's'} between)"
    )


def _phase(phase: Phase, settings: ClinicalSettings) -> dict[str, object]:
    counts = [step.session_count(settings) for step in phase.steps]
    total = None if phase.open_ended else sum(count or 0 for count in counts)
    titration = phase.titration
    return {
        "name": phase.name,
        "sessions": total,
        "open_ended": phase.open_ended,
        "start_week": phase.start_week,
        "frequency": ", then ".join(step.frequency for step in phase.steps),
        "dose": phase.dose_text(settings),
        "first_dose": phase.first_dose_text(settings),
        "titration": None
        if titration is None
        else {
            "start_mg": titration.first_mg(settings),
            "step_mg": titration.step_mg,
            "maximum_mg": titration.maximum_mg(settings),
            "maximum_rule": titration.rule,
        },
        "steps": [_step(step, count) for step, count in zip(phase.steps, counts, strict=True)],
    }


def _step(step: Step, sessions: int | None) -> dict[str, object]:
    return {
        "sessions": sessions,
        "count": step.count.value,
        "sessions_rule": step.sessions_rule,
        "frequency": step.frequency,
        "per_week": step.per_week,
        "every_days": step.every_days,
        "every_days_options": [
            {"every_days": days, "frequency": frequency_text(per_week=None, every_days=days)}
            for days in step.every_days_options
        ],
    }
