"""Reading and checking the protocol data files (`data/<protocol id>.toml`).

The files are read once, at import, through importlib.resources (the one file read allowed in
`ketacare.clinical`). A file that does not parse, lacks a field, has an unknown field, a value of
the wrong type, or names a rule that is not in the registry stops the import with
`ProtocolDataError` naming the file and the field: a broken protocol must never reach a schedule.

Two more checks keep a file from contradicting what a clinic configures:
- a dose text (and a titration's `rise`) holds no literal number, and each of its placeholders
  names an existing threshold (`{DOSE-IV-MGKG.default_mg_per_kg}`) or a titration number of its
  phase (model.py);
- each step's frequency must stay possible whatever a clinic sets its spacing rule to within the
  rule's sane range: k sessions a week need a range that stops at floor(7 / k) days apart, every n
  days one that stops at n (a tolerance below n), and esketamine steps must fit
  DOSE-ESK-MAX-FREQUENCY. The ranges live in catalog/protocols.py; a file whose frequency one of
  them does not fit is refused here, so no spacing a clinic may set can turn "2/week" into weekly
  by itself. (Sparse clinic days still can: 2/week on Tuesday/Thursday with 3 days apart is
  weekly, a schedule spread out as schedule.py describes.)
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

from ketacare.clinical.catalog.protocols import WEEK_DAYS
from ketacare.clinical.dosing import Route
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import Fields, read_choice, read_int, read_str
from ketacare.clinical.protocols.model import (
    PLACEHOLDER,
    SESSIONS_THRESHOLD,
    SPACING_THRESHOLDS,
    TITRATION,
    TITRATION_NUMBERS,
    WEEKS_MAXIMUM,
    Phase,
    Protocol,
    SessionCount,
    Spacing,
    SpacingKind,
    Step,
    Titration,
)
from ketacare.clinical.rules import REGISTRY, Evidence, Rule

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ESK_FREQUENCY = "DOSE-ESK-MAX-FREQUENCY"


class ProtocolDataError(RuntimeError):
    """A protocol data file is invalid; the message names the file and the field."""


def load_protocols() -> dict[str, Protocol]:
    """Every protocol of the package's `data/` folder, by id (checked, see `load_protocol`)."""
    folder = resources.files(__package__ or "ketacare.clinical.protocols").joinpath("data")
    protocols: dict[str, Protocol] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            protocol = load_protocol(entry.read_text(encoding="utf-8"), entry.name)
            protocols[protocol.id] = protocol
    if not protocols:
        raise ProtocolDataError("No protocol data files found in ketacare/clinical/protocols/data.")
    return protocols


def load_protocol(text: str, filename: str) -> Protocol:
    """One protocol from the text of its TOML file; any defect raises ProtocolDataError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolDataError(f"{filename}: not valid TOML ({exc}).") from None
    try:
        return _protocol(data, filename)
    except ClinicalInputError as error:
        raise ProtocolDataError(f"{filename}: field {error.field}: {error.message}") from None


def _protocol(data: dict[str, Any], filename: str) -> Protocol:
    doc = Fields(data, "")
    protocol_id = doc.take("id", _name)
    if f"{protocol_id}.toml" != filename:
        raise ClinicalInputError("id", f"id {protocol_id!r} must match the file name {filename}.")
    protocol = Protocol(
        id=protocol_id,
        version=doc.take("version", read_int, minimum=1),
        title=doc.take("title", _text),
        route=Route(doc.take("route", read_choice, choices=[r.value for r in Route])),
        source=doc.take("source", _text),
        evidence=Evidence(doc.take("evidence", read_choice, choices=[e.value for e in Evidence])),
        section=doc.take("section", _text),
        spacing=doc.take("spacing", _spacing),
        phases=tuple(doc.items("phases", _phase, min_items=1)),
        note=doc.optional("note", _text, default=""),
    )
    doc.finish()
    _check_phases(protocol)
    _check_frequencies(protocol)
    return protocol


def _spacing(value: object, path: str) -> Spacing:
    doc = Fields(value, path)
    kind = SpacingKind(doc.take("kind", read_choice, choices=[k.value for k in SpacingKind]))
    rule = doc.take("rule", _rule_with, threshold=SPACING_THRESHOLDS[kind])
    spacing = Spacing(rule=rule, kind=kind)
    doc.finish()
    return spacing


def _phase(value: object, path: str) -> Phase:
    doc = Fields(value, path)
    name = doc.take("name", _name)
    titration = doc.optional("titration", _titration)
    phase = Phase(
        name=name,
        dose=doc.take("dose", _dose, titration=titration is not None),
        first_dose=doc.optional("first_dose", _dose, titration=titration is not None),
        titration=titration,
        start_week=doc.optional("start_week", read_int, minimum=1, maximum=WEEKS_MAXIMUM),
        steps=tuple(doc.items("steps", _step, min_items=1)),
    )
    doc.finish()
    return phase


def _dose(value: object, path: str, titration: bool) -> str:
    """A dose text whose numbers are all placeholders of existing thresholds (see model.py).

    `titration`: whether the text belongs to a phase with a titration, whose numbers it may name.
    """
    text = _text(value, path)
    for match in PLACEHOLDER.finditer(text):
        owner, dot, name = match.group(1).partition(".")
        shown = match.group(0)
        if owner == TITRATION:
            if not titration or name not in TITRATION_NUMBERS:
                listed = " or ".join(f"{{{TITRATION}.{n}}}" for n in TITRATION_NUMBERS)
                raise ClinicalInputError(
                    path, f"{path}: {shown} needs a phase with a titration and one of {listed}."
                )
            continue
        rule = REGISTRY.get(owner)
        if not dot or rule is None:
            raise ClinicalInputError(
                path,
                f"{path}: {shown} must name a registered rule and its threshold, as "
                f"{{RULE-ID.threshold}}; there is no rule {owner!r}.",
            )
        if name not in rule.defaults:
            raise ClinicalInputError(
                path, f"{path}: {shown} names no threshold of {owner}; it has {_names(rule)}."
            )
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise ClinicalInputError(path, f"{path} has a brace outside a {{RULE-ID.threshold}}.")
    literal = _DIGITS.search(rest)
    if literal is not None:
        raise ClinicalInputError(
            path,
            f"{path} must not hold the literal number {literal.group(0)}: name the threshold "
            "that holds it, as {RULE-ID.threshold}, so the clinic's value is shown.",
        )
    return text


def _names(rule: Rule) -> str:
    return ", ".join(t.name for t in rule.thresholds)


def _titration(value: object, path: str) -> Titration:
    doc = Fields(value, path)
    start_mg = doc.take("start_mg", read_int, minimum=1)
    step_mg = doc.take("step_mg", read_int, minimum=0)
    rise = doc.take("rise", _dose, titration=True)
    minimum_name = doc.take("minimum_name", _name)
    maximum_name = doc.take("maximum_name", _name)
    rule = doc.take("rule", _rule_with, threshold=minimum_name)
    _rule_with(rule, doc.path_of("rule"), threshold=maximum_name)
    doc.finish()
    return Titration(start_mg, step_mg, rule, minimum_name, maximum_name, rise)


def _step(value: object, path: str) -> Step:
    doc = Fields(value, path)
    sessions_path = doc.path_of("sessions")
    raw = doc.take("sessions", lambda v, p: v)
    sessions: int | None = None
    if isinstance(raw, str):
        count = SessionCount(
            read_choice(
                raw,
                sessions_path,
                [SessionCount.OPEN_ENDED.value, SessionCount.CLINIC_DEFINED.value],
            )
        )
    else:
        count = SessionCount.FIXED
        sessions = read_int(raw, sessions_path, minimum=1)
    rule = None
    if count is SessionCount.CLINIC_DEFINED:
        rule = doc.take("sessions_rule", _rule_with, threshold=SESSIONS_THRESHOLD)
    per_week = doc.optional("per_week", read_int, minimum=1, maximum=WEEK_DAYS)
    every_days = doc.optional("every_days", read_int, minimum=1, maximum=WEEK_DAYS * WEEKS_MAXIMUM)
    if (per_week is None) == (every_days is None):
        raise ClinicalInputError(path, f"{path} must give exactly one of per_week and every_days.")
    options: list[int] = []
    if every_days is not None:
        options = list(doc.items("every_days_options", _interval, required=False))
    doc.finish()
    return Step(count, sessions, rule, per_week, every_days, tuple(options))


def _check_phases(protocol: Protocol) -> None:
    names = [phase.name for phase in protocol.phases]
    steps = [
        (i, j, step)
        for i, phase in enumerate(protocol.phases)
        for j, step in enumerate(phase.steps)
    ]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ClinicalInputError(f"phases.{i}.name", f"phases.{i}.name {name!r} is repeated.")
    for i, j, step in steps[:-1]:
        if step.count is SessionCount.OPEN_ENDED:
            path = f"phases.{i}.steps.{j}.sessions"
            raise ClinicalInputError(path, f"{path}: only the last step may be open-ended.")
    weeks = [(i, p.start_week) for i, p in enumerate(protocol.phases) if p.start_week is not None]
    if protocol.phases[0].start_week not in (None, 1):
        raise ClinicalInputError("phases.0.start_week", "phases.0.start_week must be 1.")
    for (_, earlier), (i, later) in itertools.pairwise(weeks):
        if later <= earlier:
            path = f"phases.{i}.start_week"
            raise ClinicalInputError(path, f"{path} must be later than the previous phase's.")
    if protocol.spacing.kind is SpacingKind.INTERVAL_TOLERANCE:
        for i, j, step in steps:
            if step.every_days is None:
                path = f"phases.{i}.steps.{j}"
                raise ClinicalInputError(
                    path, f"{path} needs every_days: an interval tolerance needs an interval."
                )


def _check_frequencies(protocol: Protocol) -> None:
    """Every step's frequency must stay possible at any spacing a clinic may configure."""
    spacing = protocol.spacing
    name = spacing.threshold
    most = REGISTRY[spacing.rule].threshold(name).maximum
    limit = REGISTRY[_ESK_FREQUENCY]
    # The fewest sessions and the longest window a clinic could set: the strictest reading.
    allowed = limit.threshold("maximum_sessions").minimum
    window = limit.threshold("window_days").maximum
    for path, per_week, every_days in _frequencies(protocol):
        if per_week is not None:
            wording = f"{per_week} sessions a week"
            fits = WEEK_DAYS // per_week  # k a week can always be kept floor(7 / k) days apart
            in_window = math.ceil(window * per_week / WEEK_DAYS)
        else:
            wording = f"a session every {every_days} days"
            fits = every_days if spacing.kind is SpacingKind.MINIMUM_DAYS_APART else every_days - 1
            in_window = math.ceil(window / every_days)
        if most > fits:
            raise ClinicalInputError(
                path,
                f"{path}: {wording} needs {spacing.rule} {name} at most {fits}, but its range "
                f"lets a clinic set it up to {most:g}; narrow the range (catalog/protocols.py) "
                "or change the frequency.",
            )
        if protocol.route is Route.ESKETAMINE_NASAL and in_window > allowed:
            raise ClinicalInputError(
                path,
                f"{path}: {wording} puts {in_window} sessions in {window:g} days; "
                f"{_ESK_FREQUENCY} allows at most {allowed:g}.",
            )


def _frequencies(protocol: Protocol) -> Iterator[tuple[str, int | None, int]]:
    """Each frequency a step may run at: (path, per_week, 0) or (path, None, every_days).

    A step has exactly one of the two (`_step` refuses a file giving neither or both, and
    `Step` refuses to be built so), so `interval_days` never meets a missing interval.
    """
    for i, phase in enumerate(protocol.phases):
        for j, step in enumerate(phase.steps):
            path = f"phases.{i}.steps.{j}"
            if step.per_week is not None:
                yield f"{path}.per_week", step.per_week, 0
            else:
                yield f"{path}.every_days", None, step.interval_days
                for n, days in enumerate(step.every_days_options):
                    yield f"{path}.every_days_options.{n}", None, days


def _rule_with(value: object, path: str, threshold: str) -> str:
    rule_id = read_str(value, path)
    rule = REGISTRY.get(rule_id)
    if rule is None or threshold not in rule.defaults:
        raise ClinicalInputError(
            path,
            f"{path} must name a registered rule with a {threshold} threshold; got {rule_id!r}.",
        )
    return rule_id


def _name(value: object, path: str) -> str:
    text = read_str(value, path)
    if not _NAME.match(text):
        raise ClinicalInputError(path, f"{path} must be a lower-case identifier; got {text!r}.")
    return text


def _text(value: object, path: str) -> str:
    text = read_str(value, path).strip()
    if not text:
        raise ClinicalInputError(path, f"{path} must not be empty.")
    return text


def _interval(value: object, path: str) -> int:
    return read_int(value, path, minimum=1, maximum=WEEK_DAYS * WEEKS_MAXIMUM)


PROTOCOLS: Mapping[str, Protocol] = MappingProxyType(load_protocols())
"""Every protocol by id, loaded and checked when this package is imported."""


def get_protocol(protocol_id: object, path: str = "protocol") -> Protocol:
    """The protocol with this id; an unknown id is an input error naming `path`."""
    return PROTOCOLS[read_choice(protocol_id, path, PROTOCOLS)]
