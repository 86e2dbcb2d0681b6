"""A small physiological model for synthetic sessions: what the vitals do after a dose.

Each patient has a resting baseline; each session draws how much the blood pressure rises, how
deep any sedation goes and how strong the dissociation is, with time courses shaped on the
reference (3.3 for esketamine, 3.4 for IV ketamine; see `rates`). Values stay within the clinical
core's plausibility limits (MON-PLAUSIBILITY, reference 3.7), read from the settings, so that
every generated reading is one the chair would accept.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ketacare.clinical.monitoring import ESKETAMINE, IV_KETAMINE
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from ketacare.demo.seed import rates

PLAUSIBILITY = "MON-PLAUSIBILITY"


def _limits(settings: ClinicalSettings, name: str, unit: str) -> tuple[int, int]:
    low = settings.value(PLAUSIBILITY, f"{name}_at_least{unit}")
    high = settings.value(PLAUSIBILITY, f"{name}_at_most{unit}")
    return math.ceil(low), math.floor(high)


@dataclass(frozen=True)
class Limits:
    """MON-PLAUSIBILITY as whole numbers."""

    systolic: tuple[int, int]
    diastolic: tuple[int, int]
    heart_rate: tuple[int, int]
    spo2: tuple[int, int]
    respiratory_rate: tuple[int, int]
    moaas: tuple[int, int]
    cadss: tuple[int, int]

    @classmethod
    def of(cls, settings: ClinicalSettings = DEFAULT_SETTINGS) -> Limits:
        return cls(
            systolic=_limits(settings, "systolic", "_mmhg"),
            diastolic=_limits(settings, "diastolic", "_mmhg"),
            heart_rate=_limits(settings, "heart_rate", "_bpm"),
            spo2=_limits(settings, "spo2", "_percent"),
            respiratory_rate=_limits(settings, "respiratory_rate", "_per_min"),
            moaas=_limits(settings, "moaas", ""),
            cadss=_limits(settings, "cadss", ""),
        )


def clamp(value: float, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(bounds[1], round(value)))


@dataclass(frozen=True)
class Baseline:
    """A patient's resting vitals."""

    systolic: float
    diastolic: float
    heart_rate: float
    spo2: int
    respiratory_rate: float


def draw_baseline(rng: random.Random, *, hypertension: str | None, older: bool) -> Baseline:
    """Resting vitals [D]: adult outpatient norms, higher with hypertension and with age; the
    diastolic follows the systolic (a pulse pressure of ~40-50 mmHg)."""
    systolic = rng.gauss(117, 9) + (6 if older else 0)
    if hypertension == "controlled":
        systolic += 6
    elif hypertension == "uncontrolled":
        systolic += 20
    diastolic = 0.45 * systolic + rng.gauss(21, 3.5)
    return Baseline(
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=rng.gauss(74, 8),
        spo2=rng.choice((96, 97, 97, 98, 98, 98, 99, 99)),
        respiratory_rate=rng.gauss(15, 1.5),
    )


@dataclass(frozen=True)
class SessionCourse:
    """How one session goes: the blood-pressure rise, sedation and dissociation and their times.

    Times are minutes after the dose (`dose_at`).
    """

    route: str
    peak_min: float
    fade_min: float
    infusion_min: float
    systolic_rise: float
    diastolic_rise: float
    sedation_depth: int  # MOAA/S points below 5 at the worst
    sedation_ends_min: float
    dissociation_peak: int  # CADSS total at the worst
    dissociation_ends_min: float

    def rise(self, minutes: float) -> float:
        """The share of the peak rise at `minutes`: up to the peak, then fading exponentially."""
        if minutes <= 0:
            return 0.0
        if minutes <= self.peak_min:
            ratio = minutes / self.peak_min
            return ratio * math.exp(1 - ratio)
        return math.exp(-(minutes - self.peak_min) / self.fade_min)

    def sedation(self, minutes: float) -> int:
        """MOAA/S points below 5 at `minutes` (onset ~15 min, worst 25-50 min, then resolving)."""
        if self.sedation_depth == 0 or minutes < 10 or minutes >= self.sedation_ends_min:
            return 0
        if minutes < 25:
            return max(1, round(self.sedation_depth * (minutes - 10) / 15))
        if minutes <= 50:
            return self.sedation_depth
        share = (self.sedation_ends_min - minutes) / (self.sedation_ends_min - 50)
        return max(0, math.ceil(self.sedation_depth * share))

    def dissociation(self, minutes: float) -> int:
        """CADSS total at `minutes`: worst around the blood-pressure peak, gone by its end."""
        if self.dissociation_peak == 0 or minutes >= self.dissociation_ends_min:
            return 0
        if minutes <= self.peak_min:
            return max(1, round(self.dissociation_peak * minutes / self.peak_min))
        share = (self.dissociation_ends_min - minutes) / (
            self.dissociation_ends_min - self.peak_min
        )
        return max(0, round(self.dissociation_peak * share))


def _weighted(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_course(
    rng: random.Random, *, route: str, older: bool, infusion_min: float
) -> SessionCourse:
    """One session's course (see `rates.BP_RISE` and the sedation and dissociation rates)."""
    groups = rates.BP_RISE[route]
    _share, mean, sd = rng.choices(groups, weights=[g[0] for g in groups])[0]
    systolic_rise = max(0.0, rng.gauss(mean, sd)) * (rates.OLDER_RISE_FACTOR if older else 1.0)
    diastolic_rise = max(0.0, systolic_rise * 0.6 + rng.gauss(0, 2))
    if route == ESKETAMINE:
        peak, sedation_percent = 40.0, rates.ESKETAMINE_SEDATION_PERCENT
    elif route == IV_KETAMINE:
        peak, sedation_percent = infusion_min * 0.85, rates.IV_SEDATION_PERCENT
    else:
        peak, sedation_percent = 35.0, rates.ORAL_SEDATION_PERCENT
    sedated = rng.random() * 100 < sedation_percent
    dissociated = rng.random() * 100 < rates.DISSOCIATION_PERCENT[route]
    return SessionCourse(
        route=route,
        peak_min=peak,
        fade_min=rates.RISE_FADE_MIN[route],
        infusion_min=infusion_min,
        systolic_rise=systolic_rise,
        diastolic_rise=diastolic_rise,
        sedation_depth=_weighted(rng, rates.SEDATION_DEPTH_WEIGHTS) if sedated else 0,
        sedation_ends_min=rng.uniform(peak + 20, peak + 50),
        dissociation_peak=max(1, round(rng.lognormvariate(2.4, 0.6))) if dissociated else 0,
        dissociation_ends_min=rng.uniform(peak + 25, peak + 60),
    )


@dataclass(frozen=True)
class Values:
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    respiratory_rate: int
    moaas: int
    cadss: int


def values_at(
    rng: random.Random,
    *,
    baseline: Baseline,
    pre_systolic: int,
    pre_diastolic: int,
    course: SessionCourse,
    minutes: float,
    limits: Limits,
) -> Values:
    """The vitals `minutes` after the dose, with measurement noise, within MON-PLAUSIBILITY."""
    share = course.rise(minutes)
    sedation = course.sedation(minutes)
    systolic = clamp(pre_systolic + course.systolic_rise * share + rng.gauss(0, 3), limits.systolic)
    diastolic = clamp(
        pre_diastolic + course.diastolic_rise * share + rng.gauss(0, 2), limits.diastolic
    )
    if diastolic >= systolic:
        diastolic = max(limits.diastolic[0], systolic - 20)
    spo2 = baseline.spo2 - (1 if sedation >= 2 else 0) - (1 if rng.random() < 0.2 else 0)
    if rng.random() * 100 < rates.SPO2_DIP_PER_READING_PERCENT:
        spo2 -= rng.choice((3, 4, 4, 5, 5, 6, 6, 7, 8, 9))
    respiratory_rate = baseline.respiratory_rate - sedation / 2 + rng.gauss(0, 1)
    if rng.random() * 100 < rates.RR_LOW_PER_READING_PERCENT:
        respiratory_rate = rng.choice((8, 9))
    return Values(
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=clamp(
            baseline.heart_rate + course.systolic_rise * share * 0.3 + rng.gauss(0, 4),
            limits.heart_rate,
        ),
        spo2=clamp(spo2, limits.spo2),
        respiratory_rate=clamp(respiratory_rate, limits.respiratory_rate),
        moaas=clamp(limits.moaas[1] - sedation, limits.moaas),
        cadss=clamp(course.dissociation(minutes), limits.cadss),
    )
