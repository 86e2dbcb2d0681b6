"""The prescriber's choice of interval for a phase that offers one (reference 1.3 and 1.6).

A protocol lists each step's interval, and where its source allows another (the esketamine TRD
label's maintenance "every 2 weeks or weekly"), the alternatives as `every_days_options`. Only a
phase of one such step offers a choice. A plan picks one of those intervals per phase; nothing
outside the protocol's data can be picked, and a phase not picked keeps the protocol's default.
`generate_schedule` and `check_session_move` take the choice as `every_days` and check it here.
"""

from __future__ import annotations

from collections.abc import Mapping

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import describe, join, read_int
from ketacare.clinical.protocols.loader import get_protocol
from ketacare.clinical.protocols.model import Phase, Protocol, Step


def interval_options(protocol: Protocol | str) -> dict[str, tuple[int, ...]]:
    """The phases of `protocol` that offer a choice of interval, in the protocol's order, each
    with the intervals in days its source allows, the protocol's default first (esketamine TRD
    maintenance: 14, then 7). A phase without a choice is left out, so a protocol without any
    gives `{}`."""
    chosen = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    options: dict[str, tuple[int, ...]] = {}
    for phase in chosen.phases:
        step = _choice_step(phase)
        if step is not None:
            options[phase.name] = (step.interval_days, *step.every_days_options)
    return options


def choose_intervals(
    protocol: Protocol | str, every_days: Mapping[str, int] | None = None
) -> dict[str, int]:
    """The interval in days of every phase of `protocol` that offers a choice: the one
    `every_days` picks for it (phase name -> days), else the protocol's default.

    `every_days` that is not a mapping is an input error naming `every_days`; a key that is not
    a phase with a choice, a value that is not an integer, or an interval the source does not
    allow (not one of `interval_options`), one naming `every_days.<phase>`.
    """
    chosen = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    if every_days is None:
        every_days = {}
    if not isinstance(every_days, Mapping):
        raise ClinicalInputError(
            "every_days",
            f"every_days must map phase names to days; got {describe(every_days)}.",
        )
    options = interval_options(chosen)
    intervals = {name: allowed[0] for name, allowed in options.items()}
    for name, days in every_days.items():
        if not isinstance(name, str):
            raise ClinicalInputError(
                "every_days", f"every_days keys must be phase names; got {describe(name)}."
            )
        path = join("every_days", name)
        allowed = options.get(name)
        if allowed is None:
            raise ClinicalInputError(
                path,
                f"{path}: {chosen.id} has no phase {describe(name)} with a choice of interval.",
            )
        picked = read_int(days, path)
        if picked not in allowed:
            listed = ", ".join(str(d) for d in allowed)
            raise ClinicalInputError(path, f"{path} must be one of {listed}; got {picked}.")
        intervals[name] = picked
    return intervals


def _choice_step(phase: Phase) -> Step | None:
    """The step of a phase that offers a choice of interval: its only step, with options."""
    if len(phase.steps) == 1 and phase.steps[0].every_days_options:
        return phase.steps[0]
    return None
