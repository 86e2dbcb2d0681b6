"""What a trajectory chart draws besides the scores: the severity bands of the instrument and the
outcome thresholds of one series (reference 5 and 6.1), and the start of the current episode.

Pure functions over the registry and the instrument table, so the chart, the page and the tests
read the same numbers: the bands come from the instrument's SCALE-* rule (`INSTRUMENTS`), the
response line from OUT-RESPONSE, the remission line from OUT-REMISSION-*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.outcomes.course import follow_course
from ketacare.clinical.outcomes.definitions import remission_at_most, total_range
from ketacare.clinical.outcomes.series import OutcomeSeries, RelapseEvent, checked_events
from ketacare.clinical.outcomes.summary import baseline_view
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


@dataclass(frozen=True, slots=True)
class BandSpan:
    """One severity band as a stripe of the y axis: totals `minimum` to `maximum` inclusive,
    shaded from `minimum - 0.5` to `maximum + 0.5` so each whole total sits inside its band."""

    label: str
    minimum: int
    maximum: int

    @property
    def low(self) -> float:
        return self.minimum - 0.5

    @property
    def high(self) -> float:
        return self.maximum + 0.5


@dataclass(frozen=True, slots=True)
class ChartLines:
    """The horizontal lines of one series' chart.

    `response_at_most` is the total at exactly the OUT-RESPONSE reduction below the baseline (a
    total at or below it is a response); None without a baseline or with a baseline of 0, which
    cannot fall by any percent. `remission_at_most` is the instrument's OUT-REMISSION-* total.
    """

    total_minimum: int
    total_maximum: int
    baseline: int | None
    response_at_most: Fraction | None
    remission_at_most: int


def severity_bands(instrument: str) -> tuple[BandSpan, ...]:
    """The instrument's severity bands (SCALE-*), lowest first; empty for one without bands."""
    definition = INSTRUMENTS[instrument]
    return tuple(BandSpan(band.label, band.minimum, band.maximum) for band in definition.bands)


def response_at_most(
    baseline: int, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> Fraction | None:
    """The highest total that is at least the OUT-RESPONSE reduction below `baseline` (exact:
    13.5 for a baseline of 27), or None for a baseline of 0 or less."""
    if baseline <= 0:
        return None
    percent = Fraction(settings.value("OUT-RESPONSE", "reduction_at_least_percent"))
    return Fraction(baseline) * (100 - percent) / 100


def chart_lines(
    series: OutcomeSeries, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> ChartLines:
    """Baseline, response and remission lines of a checked series (OUT-NO-BASELINE: no baseline
    and no response line)."""
    view = baseline_view(series, settings=settings)
    low, high = total_range(series.instrument, settings)
    baseline = view.baseline.total if view is not None else None
    return ChartLines(
        total_minimum=low,
        total_maximum=high,
        baseline=baseline,
        response_at_most=response_at_most(baseline, settings) if baseline is not None else None,
        remission_at_most=remission_at_most(series.instrument, settings),
    )


def current_episode_start(
    series: OutcomeSeries,
    *,
    events: Iterable[RelapseEvent] = (),
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> dt.date | None:
    """The date the current episode of benefit began (the first response or remission, or the
    recovery after the latest relapse; see `course`), or None when none was reached. One
    OUT-EARLY-WARNING alert per episode is keyed by it."""
    view = baseline_view(series, settings=settings)
    if view is None:
        return None
    course = follow_course(
        series.instrument, view.baseline, view.after, checked_events(events), settings
    )
    return course.episode_start
