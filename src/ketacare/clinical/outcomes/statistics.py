"""Statistics of a clinic's outcomes: Wilson intervals for rates, Kaplan-Meier for relapse.

Pure arithmetic over counts the database has already aggregated (reference 6.4 asks for rates
with their 95 % Wilson interval and n; issue 10 for time to relapse as a Kaplan-Meier curve with
its confidence band and median). No patient is ever passed in, only counts.

- Wilson score interval (Wilson 1927) at 95 %: the interval of p whose score test does not
  reject k successes out of n; it stays inside [0, 1] and is usable at k = 0 and k = n, which
  the plain normal interval is not.
- Kaplan-Meier (1958) from (day, events, censored) rows: on a day with both, the events come
  first (the censored were still at risk that day), the usual convention.
- Its pointwise 95 % band: Greenwood's variance on the log(-log) scale (Kalbfleisch and Prentice;
  the default of R's `survival` package is "log", of SAS PROC LIFETEST "loglog"): the band
  stays inside [0, 1] and is asymmetric near the ends, where the plain band leaves [0, 1].
- The median: the first day the survival is at most 0.5; none when it never falls that far.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# The standard normal quantile of 0.975, for two-sided 95 % intervals.
Z_95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Proportion:
    """k of n, with its rate and 95 % Wilson interval; rate and interval None when n is 0."""

    n: int
    k: int
    rate: float | None
    ci95: tuple[float, float] | None


def wilson(k: int, n: int, *, z: float = Z_95) -> Proportion:
    """k successes of n as a rate with its Wilson score interval."""
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return Proportion(n=0, k=0, rate=None, ci95=None)
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At k = 0 (k = n) the lower (upper) end is exactly 0 (1); rounding must not move it.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Proportion(n=n, k=k, rate=p, ci95=(low, high))


@dataclass(frozen=True, slots=True)
class SurvivalRow:
    """Of the patients followed, how many relapsed (`events`) and how many were last seen
    without relapse (`censored`) on `day` (days since the start of follow-up)."""

    day: int
    events: int
    censored: int


@dataclass(frozen=True, slots=True)
class SurvivalPoint:
    day: int
    survival: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """The curve as steps: day 0, each day with an event, and the last day anyone was followed."""

    followed: int
    events: int
    median_days: int | None
    curve: tuple[SurvivalPoint, ...]


def kaplan_meier(rows: Iterable[SurvivalRow], *, z: float = Z_95) -> KaplanMeier:
    """Kaplan-Meier estimate with Greenwood log(-log) 95 % band from aggregate rows.

    Rows on the same day are added up; days must not be negative.
    """
    by_day: dict[int, list[int]] = {}
    for row in rows:
        if row.day < 0 or row.events < 0 or row.censored < 0:
            raise ValueError(f"negative day or count in {row}")
        counts = by_day.setdefault(row.day, [0, 0])
        counts[0] += row.events
        counts[1] += row.censored
    at_risk = sum(e + c for e, c in by_day.values())
    followed, events_total = at_risk, sum(e for e, _ in by_day.values())
    survival, greenwood = 1.0, 0.0
    curve = [SurvivalPoint(0, 1.0, 1.0, 1.0)]
    median: int | None = None
    last_day = max(by_day, default=0)
    for day in sorted(by_day):
        events, censored = by_day[day]
        if events:
            survival *= 1 - events / at_risk
            if events < at_risk:
                greenwood += events / (at_risk * (at_risk - events))
            low, high = _loglog_band(survival, greenwood, z)
            point = SurvivalPoint(day, survival, low, high)
            if curve[-1].day == day:  # events on day 0 replace the starting point
                curve[-1] = point
            else:
                curve.append(point)
            if median is None and survival <= 0.5:
                median = day
        at_risk -= events + censored
    if last_day > curve[-1].day:
        end = curve[-1]
        curve.append(SurvivalPoint(last_day, end.survival, end.low, end.high))
    return KaplanMeier(
        followed=followed, events=events_total, median_days=median, curve=tuple(curve)
    )


def _loglog_band(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    """The 95 % band of S on the log(-log) scale: S ** exp(+-z * se), se of log(-log S)."""
    if survival <= 0.0:
        return 0.0, 0.0
    if survival >= 1.0:
        return 1.0, 1.0
    log_s = math.log(survival)
    se = math.sqrt(greenwood) / abs(log_s)
    return survival ** math.exp(z * se), survival ** math.exp(-z * se)
