"""What every part of the generator shares: the run's settings and one clinic's staff."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from ketacare.demo.seed.vitals import Limits


@dataclass(frozen=True)
class Run:
    """One seed run. `now` is the start of `today` in the clinic's time zone: everything the
    seed charts happened before it, sessions from `today` on are still scheduled."""

    seed: int
    today: dt.date
    months: int
    tz: ZoneInfo
    settings: ClinicalSettings = DEFAULT_SETTINGS

    @property
    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.today, dt.time(0, 0), tzinfo=self.tz)

    @property
    def first_day(self) -> dt.date:
        """The earliest day a synthetic patient registered."""
        return self.today - dt.timedelta(days=self.months * 30 + 60)

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def rng(self, *parts: object) -> random.Random:
        """A generator of its own for one part of the data (a clinic, a patient), so that each
        part is the same whatever else the run makes: deterministic from the seed alone."""
        key = ":".join(str(p) for p in (self.seed, *parts))
        return random.Random(key)  # noqa: S311 - synthetic data, not security


@dataclass(frozen=True)
class ClinicStaff:
    """One synthetic clinic and the user ids of its staff."""

    id: int
    index: int
    name: str
    city: str
    state: str
    zip_code: str
    routes: tuple[str, ...]
    clinic_days: tuple[int, ...]
    rems_certified: bool
    chairs: int
    prescribers: tuple[int, ...]
    nurses: tuple[int, ...]
    coordinators: tuple[int, ...]
    admins: tuple[int, ...]


LIMITS = Limits.of(DEFAULT_SETTINGS)


@dataclass(frozen=True)
class RunSpec:
    """What a worker process needs to rebuild the run (picklable, no Django import)."""

    seed: int
    today: dt.date
    months: int
    tz: str

    def run(self) -> Run:
        return Run(seed=self.seed, today=self.today, months=self.months, tz=ZoneInfo(self.tz))


@dataclass(frozen=True)
class Chunk:
    """Patients `first` to `last` of one clinic, generated and written together."""

    clinic: ClinicStaff
    first: int
    last: int

    @property
    def patients(self) -> int:
        return self.last - self.first + 1
