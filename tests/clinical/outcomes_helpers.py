"""Series builders shared by the `ketacare.clinical.outcomes` tests (no database)."""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.outcomes import Assessment, OutcomeSeries

START = dt.date(2026, 1, 5)
# The scale rule of each outcome instrument (docs/clinical-rules.md): its bands and maximum.
SCALE_RULE = {
    "gad7": "SCALE-GAD7",
    "madrs": "SCALE-MADRS",
    "phq9": "SCALE-PHQ9",
    "qids_sr16": "SCALE-QIDS",
}


def day(n: int) -> dt.date:
    """The date `n` days after START, the usual baseline."""
    return START + dt.timedelta(days=n)


def weekly(instrument: str, *totals: int, start: dt.date = START) -> OutcomeSeries:
    """A series with one assessment a week, the first being the baseline."""
    return OutcomeSeries(
        instrument,
        tuple(Assessment(start + dt.timedelta(weeks=i), t) for i, t in enumerate(totals)),
    )
