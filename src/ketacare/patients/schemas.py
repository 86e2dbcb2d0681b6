"""API schemas of the chart (contracts.md 2.1): `…Create` in (unknown keys refused), `…Out` out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt, field_validator

from ketacare.api.schemas import Page, PageParams
from ketacare.patients.models import MedicationClass, TrialAdherence, TrialOutcome

Sex = Literal["female", "male", "unknown"]
DiagnosisId = Literal["mdd", "bipolar_depression", "other"]
PreferredContactId = Literal["phone", "email", "text"]
MedicationClassId = Literal[tuple(MedicationClass.values)]  # type: ignore[valid-type]
AdherenceId = Literal[tuple(TrialAdherence.values)]  # type: ignore[valid-type]
OutcomeId = Literal[tuple(TrialOutcome.values)]  # type: ignore[valid-type]
SeverityId = Literal["mild", "moderate", "severe", ""]

_IN = ConfigDict(extra="forbid")


class PatientListParams(PageParams):
    q: str = Field("", max_length=100)
    clinic_id: int | None = None

    @field_validator("q")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        # PostgreSQL cannot compare text holding a NUL character: a 422 naming `q`.
        if "\x00" in value:
            raise ValueError("Remove the NUL character from the search.")
        return value


# --- the patient ---------------------------------------------------------------------------


class _PatientFields(Schema):
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    address_line: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=2)
    zip_code: str | None = Field(None, max_length=5)
    preferred_contact: PreferredContactId | Literal[""] | None = None
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_relationship: str | None = Field(None, max_length=100)
    emergency_contact_phone: str | None = Field(None, max_length=30)
    diagnosis: DiagnosisId | None = None
    pregnant: StrictBool | None = None
    breastfeeding: StrictBool | None = None
    pregnancy_status_on: dt.date | None = None
    psychiatric_history: str | None = Field(None, max_length=20000)


class PatientCreate(_PatientFields):
    model_config = _IN

    clinic_id: int | None = None
    mrn: str = Field("", max_length=32)
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: dt.date
    sex_at_birth: Sex


class PatientUpdate(_PatientFields):
    model_config = _IN

    version: StrictInt = Field(..., ge=1)
    mrn: str | None = Field(None, max_length=32)
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    sex_at_birth: Sex | None = None
    is_active: StrictBool | None = None


class PatientListItem(Schema):
    id: int
    clinic_id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    is_active: bool


class PatientPage(Page[PatientListItem]):
    pass


class ChartOut(Schema):
    """The chart (contracts.md 2.1). For a role without view_clinical (a coordinator) the
    clinical fields are null: they were not read."""

    id: int
    clinic_id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    age: int
    sex_at_birth: str
    diagnosis: str | None
    pregnant: bool | None
    breastfeeding: bool | None
    pregnancy_status_on: dt.date | None
    weight_kg: float | None
    conditions: list[str] | None
    failed_adequate_trials: int | None
    psychiatric_history: str | None
    email: str
    phone: str
    address_line: str
    city: str
    state: str
    zip_code: str
    preferred_contact: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    is_active: bool
    intake_request_id: int | None
    consent_current: bool
    version: int


# --- chart records ---------------------------------------------------------------------------


class _Recorded(Schema):
    id: int
    recorded_by_id: int | None
    created_at: dt.datetime


class WeightCreate(Schema):
    model_config = _IN

    weight_kg: float
    measured_on: dt.date | None = None


class WeightOut(_Recorded):
    weight_kg: float
    measured_on: dt.date


class VitalsCreate(Schema):
    model_config = _IN

    at: dt.datetime | None = None
    systolic: StrictInt
    diastolic: StrictInt
    heart_rate: StrictInt | None = None
    spo2: StrictInt | None = None


class VitalsOut(_Recorded):
    at: dt.datetime
    systolic: int
    diastolic: int
    heart_rate: int | None
    spo2: int | None


class ConditionCreate(Schema):
    model_config = _IN

    code: str = Field(..., max_length=50)
    onset_on: dt.date | None = None
    note: str = Field("", max_length=300)


class ConditionOut(_Recorded):
    code: str
    onset_on: dt.date | None
    resolved_on: dt.date | None
    note: str
    active: bool
    version: int


class AllergyCreate(Schema):
    model_config = _IN

    substance: str = Field(..., min_length=1, max_length=200)
    reaction: str = Field("", max_length=200)
    severity: SeverityId = ""


class AllergyOut(_Recorded):
    substance: str
    reaction: str
    severity: str
    is_active: bool
    version: int


class MedicationCreate(Schema):
    model_config = _IN

    name: str = Field(..., min_length=1, max_length=200)
    medication_class: MedicationClassId
    dose: str = Field("", max_length=100)
    started_on: dt.date | None = None


class MedicationStop(Schema):
    model_config = _IN

    stopped_on: dt.date | None = None
    version: StrictInt | None = Field(None, ge=1)


class MedicationOut(_Recorded):
    name: str
    medication_class: str
    dose: str
    started_on: dt.date | None
    stopped_on: dt.date | None
    version: int


class ConsentCreate(Schema):
    model_config = _IN

    document: str = Field(..., min_length=1, max_length=100)
    version: str = Field(..., min_length=1, max_length=30)
    signed_on: dt.date | None = None
    signed_by: str = Field("", max_length=200)


class ConsentWithdraw(Schema):
    model_config = _IN

    withdrawn_on: dt.date | None = None


class ConsentOut(_Recorded):
    document: str
    version: str
    signed_on: dt.date
    signed_by: str
    withdrawn_on: dt.date | None


class ConsentStatusOut(Schema):
    document: str
    current: bool
    latest: ConsentOut | None


class TrialCreate(Schema):
    model_config = _IN

    drug: str = Field(..., min_length=1, max_length=100)
    daily_dose_mg: float | None = None
    weeks: StrictInt
    adherence: AdherenceId = "unknown"
    adequate: StrictBool
    outcome: OutcomeId
    current_episode: StrictBool


class TrialOut(_Recorded):
    drug: str
    daily_dose_mg: float | None
    weeks: int
    adherence: str
    adequate: bool
    outcome: str
    current_episode: bool
    version: int


class AssessmentCreate(Schema):
    model_config = _IN

    instrument: str = Field(..., max_length=20)
    answers: list[Any]
    completed_at: dt.datetime | None = None


class AssessmentOut(Schema):
    """As `ketacare score` answers, plus the record's id and time (contracts.md 2.1)."""

    id: int
    instrument: str
    total: int | None
    severity: str | None
    flags: list[str]
    completed_at: dt.datetime


class NoteCreate(Schema):
    model_config = _IN

    title: str = Field("", max_length=200)
    text: str = Field(..., max_length=20000)


class NoteAmend(Schema):
    model_config = _IN

    text: str = Field(..., max_length=20000)
    reason: str = Field(..., max_length=300)
    title: str | None = Field(None, max_length=200)


class NoteOut(_Recorded):
    thread_id: int | None
    number: int
    supersedes_id: int | None
    title: str
    text: str
    signed_at: dt.datetime
    amendment_reason: str


# Pages of each section: `{"items": [...], "count": N}` (contracts.md 2.0).


class WeightPage(Page[WeightOut]):
    pass


class VitalsPage(Page[VitalsOut]):
    pass


class ConditionPage(Page[ConditionOut]):
    pass


class AllergyPage(Page[AllergyOut]):
    pass


class MedicationPage(Page[MedicationOut]):
    pass


class ConsentPage(Page[ConsentOut]):
    pass


class TrialPage(Page[TrialOut]):
    pass


class AssessmentPage(Page[AssessmentOut]):
    pass


class NotePage(Page[NoteOut]):
    pass


def decimal_or_none(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
