"""Treatment protocols as versioned data, and the schedules made from them (reference 1.6).

Each protocol is a TOML file in `data/`, loaded and checked when this package is imported
(`loader`); `schedule` turns one into dated sessions on the clinic's days; `describe_protocols`
gives the listing of `ketacare protocols`; `moves` checks a planned session's new date;
`intervals` lists and checks a phase's choice of interval (the label's "weekly or every 2 weeks"
maintenance).
"""

from __future__ import annotations

from ketacare.clinical.protocols.intervals import choose_intervals, interval_options
from ketacare.clinical.protocols.listing import describe_protocol, describe_protocols, spacing_text
from ketacare.clinical.protocols.loader import (
    PROTOCOLS,
    ProtocolDataError,
    get_protocol,
    load_protocol,
)
from ketacare.clinical.protocols.model import (
    WEEKS_MAXIMUM,
    Phase,
    Protocol,
    SessionCount,
    Spacing,
    SpacingKind,
    Step,
    Titration,
)
from ketacare.clinical.protocols.moves import (
    MoveCheck,
    MoveFinding,
    PlannedSession,
    check_session_move,
    step_of,
)
from ketacare.clinical.protocols.schedule import (
    WEEKS_DEFAULT,
    WEEKS_MINIMUM,
    Schedule,
    ScheduledSession,
    ScheduleRequest,
    generate_schedule,
    parse_schedule_request,
    read_clinic_days,
    schedule_for,
)

__all__ = [
    "PROTOCOLS",
    "WEEKS_DEFAULT",
    "WEEKS_MAXIMUM",
    "WEEKS_MINIMUM",
    "MoveCheck",
    "MoveFinding",
    "Phase",
    "PlannedSession",
    "Protocol",
    "ProtocolDataError",
    "Schedule",
    "ScheduleRequest",
    "ScheduledSession",
    "SessionCount",
    "Spacing",
    "SpacingKind",
    "Step",
    "Titration",
    "check_session_move",
    "choose_intervals",
    "describe_protocol",
    "describe_protocols",
    "generate_schedule",
    "get_protocol",
    "interval_options",
    "load_protocol",
    "parse_schedule_request",
    "read_clinic_days",
    "schedule_for",
    "spacing_text",
    "step_of",
]
