"""Small shared helpers: minutes as time spans, and vitals written the way charts write them."""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.monitoring.readings import Vitals
from ketacare.clinical.rules import Number


def minutes(value: Number) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def whole_minutes(span: dt.timedelta) -> int:
    """A time span in whole minutes, rounded down (a chart says "119 min", not "119.5")."""
    return int(span.total_seconds() // 60)


def blood_pressure_text(vitals: Vitals) -> str:
    """`165/100 mmHg`, or the one value recorded (`systolic 165 mmHg`)."""
    if vitals.systolic is not None and vitals.diastolic is not None:
        return f"{vitals.systolic}/{vitals.diastolic} mmHg"
    if vitals.systolic is not None:
        return f"systolic {vitals.systolic} mmHg"
    return f"diastolic {vitals.diastolic} mmHg"


def pair(systolic: Number, diastolic: Number) -> str:
    """A threshold pair as the reference writes it (`140/90`)."""
    return f"{systolic:g}/{diastolic:g}"


def sentence_start(text: str) -> str:
    """`text` with its first letter in capitals and the rest untouched: `str.capitalize` would
    lower-case "SPRAVATO REMS" inside it."""
    return text[:1].upper() + text[1:]
