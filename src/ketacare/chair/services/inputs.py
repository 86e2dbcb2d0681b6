"""What the chair's forms and the API hand to the services: plain values, checked there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class PreDoseInput:
    """Check-in, the pre-dose checklist and vitals (contracts.md 2.3 `POST .../pre-dose`).

    `at` None is now; `nurse_id` None is the person recording. `rems_setting_certified` None is
    the clinic's certification for esketamine. Checklist items left None are "not recorded".
    """

    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    identity_confirmed: bool
    consent_current: bool
    respiratory_rate: int | None = None
    at: dt.datetime | None = None
    chair: str = ""
    nurse_id: int | None = None
    rems_setting_certified: bool | None = None
    rems_patient_enrolled: bool | None = None
    pregnancy_status_documented: bool | None = None
    escort_confirmed: bool | None = None
    escort_phone: str = ""
    last_food_at: dt.datetime | None = None
    last_liquid_at: dt.datetime | None = None
    nasal_medication_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadingInput:
    """One post-dose reading; every value optional but at least one (`at` None is now).

    `symptoms` are keys of `ketacare.clinical.monitoring.SYMPTOMS` (MON-HTN-SYMPTOMS).
    """

    at: dt.datetime | None = None
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    moaas: int | None = None
    cadss: int | None = None
    symptoms: Sequence[str] = ()

    def has_values(self) -> bool:
        values = (
            self.systolic,
            self.diastolic,
            self.heart_rate,
            self.spo2,
            self.respiratory_rate,
            self.moaas,
            self.cadss,
        )
        return any(value is not None for value in values) or bool(self.symptoms)
