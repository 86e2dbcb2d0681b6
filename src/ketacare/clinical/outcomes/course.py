"""The course of one series after its baseline: response, remission, relapse and recovery.

Reference 6.1 defines relapse only "after response/remission", and the contract's status says
"relapse if relapse met and not since recovered". The course is therefore followed in date order
as episodes:

- An episode of benefit starts at the first assessment after the baseline that meets OUT-RESPONSE
  or OUT-REMISSION-* (and, after a relapse, at the next such assessment below the relapse total:
  that is the recovery).
- Within an episode, relapse (OUT-RELAPSE-*) completes at an assessment that ends a run of
  assessments at or above the relapse total, all after the episode's start, containing the
  definition's number of assessments with each step between them inside its day window. An
  assessment below the total breaks the run; one that is closer than the window's minimum does
  not (a re-test 3 days later must not hide a relapse that a later assessment confirms), so for
  MADRS two totals >= 22 only 4 or 16 days apart with nothing else between are not a relapse.
- Relapse means a return to illness, so a run counts only once the episode has had an
  assessment below the relapse total (the one that opened the episode, or a later one): PHQ-9
  27 -> 12, 12, 12 met response at 12 but never left the moderate band, and is no relapse.
- A charted event (OUT-RELAPSE-EVENT) within an episode is a relapse on its date; events before
  any response or remission are not relapses. On one day, assessments are read before events.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from ketacare.clinical.outcomes.definitions import (
    RelapseDefinition,
    reduction_reaches,
    relapse_definition,
    remission_at_most,
)
from ketacare.clinical.outcomes.series import Assessment, RelapseEvent
from ketacare.clinical.rules import ClinicalSettings


@dataclass(frozen=True, slots=True)
class Course:
    """What happened after the baseline; `relapse_date` is the most recent relapse."""

    response_date: dt.date | None
    remission_date: dt.date | None
    relapse_date: dt.date | None
    in_relapse: bool
    episode_start: dt.date | None


def follow_course(
    instrument: str,
    baseline: Assessment,
    after: tuple[Assessment, ...],
    events: Iterable[RelapseEvent],
    settings: ClinicalSettings,
) -> Course:
    """Follow `after` (assessments after the baseline, by date) and events through episodes.

    Rules: OUT-RESPONSE, OUT-REMISSION-*, OUT-RELAPSE-MADRS / -PHQ9 / -QIDS / -GAD7 and
    OUT-RELAPSE-EVENT, as the module docstring reads them.
    """
    remission_limit = remission_at_most(instrument, settings)
    relapse = relapse_definition(instrument, settings)
    timeline: list[tuple[dt.date, int, Assessment | RelapseEvent]] = [(a.date, 0, a) for a in after]
    timeline += [(e.date, 1, e) for e in events if e.date > baseline.date]
    timeline.sort(key=lambda entry: (entry[0], entry[1]))

    response_date: dt.date | None = None
    remission_date: dt.date | None = None
    relapse_date: dt.date | None = None
    in_relapse = False
    episode_start: dt.date | None = None
    improved = False  # the episode has had an assessment below the relapse total
    chains = _Chains(relapse)

    for date, _order, item in timeline:
        if isinstance(item, RelapseEvent):
            if episode_start is not None and not in_relapse:
                in_relapse, relapse_date = True, date
                chains.clear()
            continue
        responded = reduction_reaches(baseline.total, item.total, "OUT-RESPONSE", settings)
        remitted = item.total <= remission_limit
        if responded and response_date is None:
            response_date = date
        if remitted and remission_date is None:
            remission_date = date
        high = item.total >= relapse.total_at_least
        if (responded or remitted) and (episode_start is None or (in_relapse and not high)):
            episode_start, in_relapse, improved = date, False, not high
            chains.clear()
            continue
        if episode_start is None or in_relapse:
            continue
        if not high:
            improved = True
            chains.clear()
            continue
        if improved and chains.add(item) >= relapse.consecutive:
            in_relapse, relapse_date = True, date
            chains.clear()

    return Course(response_date, remission_date, relapse_date, in_relapse, episode_start)


def _days_apart(earlier: Assessment, later: Assessment) -> int:
    return (later.date - earlier.date).days


class _Chains:
    """The longest chain of in-window steps ending at each high assessment of the current run.

    A sliding-window maximum: as assessments arrive in date order, an earlier one becomes usable
    once it is `minimum_days_apart` old and stops being usable past `maximum_days_apart`, so each
    assessment enters and leaves the window once and a series of n assessments costs O(n), not
    the O(n^2) of comparing every pair (8,000 MADRS assessments are a few milliseconds).
    """

    def __init__(self, relapse: RelapseDefinition) -> None:
        self.relapse = relapse
        self.waiting: deque[tuple[Assessment, int]] = deque()  # too recent to chain from yet
        self.usable: deque[tuple[Assessment, int]] = deque()  # chain lengths strictly falling

    def clear(self) -> None:
        self.waiting.clear()
        self.usable.clear()

    def add(self, item: Assessment) -> int:
        """The longest chain ending at `item` (a high assessment later than all before it)."""
        minimum, maximum = self.relapse.minimum_days_apart, self.relapse.maximum_days_apart
        while self.waiting and _days_apart(self.waiting[0][0], item) >= minimum:
            entry = self.waiting.popleft()
            # An older entry with a chain no longer than this one's is never the best again.
            while self.usable and self.usable[-1][1] <= entry[1]:
                self.usable.pop()
            self.usable.append(entry)
        if maximum is not None:
            while self.usable and _days_apart(self.usable[0][0], item) > maximum:
                self.usable.popleft()
        chain = 1 + (self.usable[0][1] if self.usable else 0)
        self.waiting.append((item, chain))
        return chain
