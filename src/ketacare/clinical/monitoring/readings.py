"""What a monitored session records: pre-dose vitals, post-dose readings, checklist, attestations.

Everything but the route is optional, because a rule whose data is absent raises no alert while
a discharge criterion whose data is absent does not hold (contracts.md `ketacare monitor`).
Values are checked against the plausibility limits of reference 3.7 (MON-PLAUSIBILITY) by
`ketacare.clinical.monitoring.plausibility` before any rule looks at them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ESKETAMINE = "esketamine_nasal"
IV_KETAMINE = "iv_ketamine"
ORAL_KETAMINE = "oral_ketamine"
ROUTES = (IV_KETAMINE, ESKETAMINE, ORAL_KETAMINE)

# Symptom flags of hypertensive crisis or encephalopathy (MON-HTN-SYMPTOMS, reference 3.1 / 3.5).
SYMPTOMS: dict[str, str] = {
    "chest_pain": "chest pain",
    "shortness_of_breath": "shortness of breath",
    "severe_headache": "sudden severe headache",
    "visual_change": "visual change",
    "seizure": "seizure",
    "reduced_consciousness": "reduced consciousness",
    "focal_deficit": "focal neurological deficit",
}

VITAL_FIELDS = (
    "systolic",
    "diastolic",
    "heart_rate",
    "spo2",
    "respiratory_rate",
    "moaas",
    "cadss",
)

# The checklist fields that are times; the others are yes/no flags.
CHECKLIST_TIMES = ("last_food_at", "last_liquid_at", "nasal_medication_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class Vitals:
    """Vital signs and scale scores taken at one moment; each one may be missing.

    Units: blood pressure in mmHg, heart rate per minute, SpO2 in percent, respiratory rate per
    minute, MOAA/S 0-5, CADSS total 0-92.
    """

    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    moaas: int | None = None
    cadss: int | None = None

    @property
    def has_blood_pressure(self) -> bool:
        return self.systolic is not None or self.diastolic is not None

    @property
    def has_full_blood_pressure(self) -> bool:
        return self.systolic is not None and self.diastolic is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading(Vitals):
    """One post-dose reading at time `at`, with any symptom flags charted then (SYMPTOMS keys)."""

    at: dt.datetime
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Checklist:
    """The pre-dose checklist; `None` means not recorded (no alert, no discharge evidence)."""

    rems_setting_certified: bool | None = None
    rems_patient_enrolled: bool | None = None
    pregnancy_status_documented: bool | None = None
    escort_confirmed: bool | None = None
    last_food_at: dt.datetime | None = None
    last_liquid_at: dt.datetime | None = None
    nasal_medication_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attestations:
    """Clinician statements that discharge needs (DISCH-DISSOCIATION, DISCH-ALERTS)."""

    dissociation_resolved: bool | None = None
    critical_alerts_acknowledged: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionState:
    """Everything recorded about one session so far.

    `dose_at` is the first esketamine device, the IV infusion start or the oral dose time; `None`
    before dosing. `readings` keep their input order (error paths name `readings.<index>`); the
    rules take them in time order. `infusion_duration_min` applies to `iv_ketamine` only; `None`
    means the default of DOSE-IV-DURATION (`default_min`, 40 as in the contract).
    """

    route: str
    dose_at: dt.datetime | None = None
    pre_dose: Vitals = field(default_factory=Vitals)
    readings: tuple[Reading, ...] = ()
    infusion_duration_min: int | None = None
    checklist: Checklist = field(default_factory=Checklist)
    attestations: Attestations = field(default_factory=Attestations)

    def readings_in_time_order(self) -> tuple[Reading, ...]:
        # Stable: readings charted at the same minute keep their input order.
        return tuple(sorted(self.readings, key=lambda reading: reading.at))
