"""Schemas of the chair's JSON API (contracts.md 2.3): what the routes of `ketacare.chair.api`
read and answer. Inputs forbid unknown keys; numbers and ids are strict (`"120"` or `true` is a 422,
never 120 or 1), vitals whole numbers; their plausibility is the clinical core's (reference 3.7, a
422 naming the field)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictFloat, StrictInt

from ketacare.api.schemas import ConflictOut, Error, Invalid

RouteId = Literal["iv_ketamine", "esketamine_nasal", "oral_ketamine"]
SessionStatusId = Literal["scheduled", "in_chair", "dosed", "discharged", "cancelled"]
LevelId = Literal["info", "warning", "critical"]

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ConflictOut}

CHECKLIST_KEYS = (
    "identity_confirmed",
    "consent_current",
    "rems_setting_certified",
    "rems_patient_enrolled",
    "pregnancy_status_documented",
    "escort_confirmed",
    "escort_phone",
    "last_food_at",
    "last_liquid_at",
    "nasal_medication_at",
)
ATTESTATION_KEYS = ("dissociation_resolved", "no_driving_instructed")


# --- input --------------------------------------------------------------------------------


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ChecklistIn(_In):
    """The checklist keys of `ketacare monitor` plus identity and consent; a flag left out is
    "not recorded". `rems_setting_certified` left out is the clinic's REMS certification."""

    identity_confirmed: StrictBool = False
    consent_current: StrictBool = False
    rems_setting_certified: StrictBool | None = None
    rems_patient_enrolled: StrictBool | None = None
    pregnancy_status_documented: StrictBool | None = None
    escort_confirmed: StrictBool | None = None
    escort_phone: str = Field("", max_length=30, description="The escort's phone number.")
    last_food_at: dt.datetime | None = None
    last_liquid_at: dt.datetime | None = None
    nasal_medication_at: dt.datetime | None = None


class PreDoseIn(_In):
    at: dt.datetime | None = Field(None, description="When the vitals were taken; default now.")
    chair: str = Field("", max_length=40, description="Chair or room.")
    nurse_id: StrictInt | None = Field(
        None, description="User id of the responsible nurse; default the caller."
    )
    systolic: StrictInt
    diastolic: StrictInt
    heart_rate: StrictInt
    spo2: StrictInt
    respiratory_rate: StrictInt | None = None
    checklist: ChecklistIn = Field(default_factory=ChecklistIn)
    version: StrictInt | None = Field(None, description="The session's version as read.")


class ProceedIn(_In):
    reason: str = Field(max_length=500, description="The prescriber's benefit/risk decision.")
    version: StrictInt | None = None


class DoseIn(_In):
    at: dt.datetime | None = Field(
        None, description="First esketamine device, IV infusion start or oral dose; default now."
    )
    lot_number: str = Field(max_length=40)
    weight_kg: StrictFloat | None = Field(
        None, description="IV: today's weight; default the chart's latest weight."
    )
    concentration_mg_per_ml: StrictFloat | None = Field(
        None,
        description="IV, when the order names none: the bag's concentration (for the volume and "
        "pump rate; without it they are null).",
    )
    drawn_mg: StrictFloat | None = Field(None, description="IV count: amount drawn.")
    wasted_mg: StrictFloat | None = Field(None, description="IV count: amount wasted.")
    witness_id: StrictInt | None = Field(None, description="IV count: user id of the witness.")
    version: StrictInt | None = None


class CountIn(_In):
    drawn_mg: StrictFloat
    wasted_mg: StrictFloat
    witness_id: StrictInt
    version: StrictInt | None = None


class ReadingIn(_In):
    at: dt.datetime | None = Field(None, description="Default now; not before the dose.")
    systolic: StrictInt | None = None
    diastolic: StrictInt | None = None
    heart_rate: StrictInt | None = None
    spo2: StrictInt | None = None
    respiratory_rate: StrictInt | None = None
    moaas: StrictInt | None = None
    cadss: StrictInt | None = None
    symptoms: list[str] = Field(
        default_factory=list, description="Symptom codes of MON-HTN-SYMPTOMS."
    )
    version: StrictInt | None = None


class AcknowledgeIn(_In):
    note: str = Field(max_length=500)
    version: StrictInt | None = Field(None, description="The alert's version as read.")


class SideEffectIn(_In):
    term: str = Field(max_length=40, description="A term of the reference 4.1 list, or `other`.")
    other_term: str = Field("", max_length=120, description="The words, when `term` is other.")
    grade: StrictInt = Field(description="CTCAE grade 1-5.")
    serious: StrictBool
    onset_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    action: str = Field("", max_length=500, description="Action taken.")


class SideEffectUpdate(_In):
    resolved_at: dt.datetime | None = Field(description="When it resolved (null: not resolved).")
    action: str | None = Field(None, max_length=500)
    version: StrictInt = Field(description="The side effect's version as read.")


class AttestationsIn(_In):
    dissociation_resolved: StrictBool
    no_driving_instructed: StrictBool


class DischargeIn(_In):
    at: dt.datetime | None = None
    attestations: AttestationsIn
    override_reason: str | None = Field(
        None, max_length=1000, description="A prescriber's written reason (DISCH-OVERRIDE)."
    )
    ready_without_minimum_min: StrictInt | None = Field(
        None,
        description="REMS evaluation question: minutes after the dose at which the patient "
        "would have been ready to leave without the minimum observation time.",
    )
    version: StrictInt | None = None


class AmendmentIn(_In):
    text: str = Field(max_length=2000)


# --- output -------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    rule: str
    level: LevelId
    at: dt.datetime
    message: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    note: str
    reading_id: int | None
    raised_at: dt.datetime
    version: int


class PendingAlertOut(Schema):
    """An alert the rules raise now that no write stored yet (e.g. an overdue 40-min BP)."""

    rule: str
    level: LevelId
    at: dt.datetime
    message: str


class ProceedOut(Schema):
    by_id: int
    at: dt.datetime
    reason: str


class PreDoseOut(Schema):
    id: int
    at: dt.datetime
    checked_in_at: dt.datetime
    chair: str
    nurse_id: int
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    respiratory_rate: int | None
    checklist: dict[str, Any]
    dosing: Literal["go", "hold"]
    proceed: ProceedOut | None
    recorded_by_id: int
    recorded_at: dt.datetime


class DoseAlertOut(Schema):
    rule: str
    level: LevelId
    message: str


class DoseOut(Schema):
    id: int
    at: dt.datetime
    lot_number: str
    order_id: int
    weight_kg: float | None
    dose_mg: float
    volume_ml: float | None
    rate_ml_per_h: float | None
    devices: int | None
    infusion_duration_min: int | None
    steps: list[str]
    given_by_id: int
    drawn_mg: float | None
    wasted_mg: float | None
    witness_id: int | None
    witness_confirmed_at: dt.datetime | None


class ReadingOut(Schema):
    id: int
    at: dt.datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    moaas: int | None
    cadss: int | None
    symptoms: list[str]
    recorded_by_id: int


class SideEffectOut(Schema):
    id: int
    term: str
    term_text: str
    other_term: str
    grade: int
    serious: bool
    onset_at: dt.datetime
    resolved_at: dt.datetime | None
    action: str
    recorded_by_id: int
    version: int


class CriterionOut(Schema):
    rule: str
    status: Literal["holds", "does_not_hold", "overridden"]
    overridable: bool
    sentence: str


class DischargeStateOut(Schema):
    """The DISCH-* criteria at the time of the request (at discharge, once discharged)."""

    ready: bool
    earliest: dt.datetime
    reasons: list[str]
    criteria: list[CriterionOut]


class DischargedOut(Schema):
    at: dt.datetime
    by_id: int
    dissociation_resolved: bool
    no_driving_instructed: bool
    overridden: list[str]
    override_reason: str
    ready_without_minimum_min: int | None


class AmendmentOut(Schema):
    id: int
    text: str
    by_id: int
    at: dt.datetime


class RemsFormOut(Schema):
    id: int
    due_on: dt.date
    submitted_at: dt.datetime | None


class OrderSummaryOut(Schema):
    id: int
    number: int
    summary: str
    dose_mg_per_kg: float | None
    duration_min: int | None
    concentration_mg_per_ml: float | None
    dose_mg: int | None


class ChairOut(Schema):
    id: int
    patient_id: int
    plan_id: int
    number: int
    date: dt.date
    route: RouteId
    status: SessionStatusId
    phase: str
    order: OrderSummaryOut | None
    pre_dose: PreDoseOut | None
    dosing: Literal["go", "hold"] | None = Field(
        description="The pre-dose decision as the rules judge it now (null before check-in)."
    )
    dose: DoseOut | None
    readings: list[ReadingOut]
    alerts: list[AlertOut]
    pending_alerts: list[PendingAlertOut]
    side_effects: list[SideEffectOut]
    next_reading_due: dt.datetime | None
    discharge: DischargeStateOut | None
    discharged: DischargedOut | None
    amendments: list[AmendmentOut]
    rems_form: RemsFormOut | None
    sedation_banner: list[str] = Field(
        description="Interacting medication classes on the chart (SAFE-CNS-DEP)."
    )
    version: int


class PreDoseAnswer(Schema):
    session_id: int
    status: SessionStatusId
    version: int
    dosing: Literal["go", "hold"]
    reasons: list[str] = Field(description="The hold rules that fired, as `RULE-ID: sentence`.")
    alerts: list[AlertOut] = Field(description="The alerts of this pre-dose record.")
    pre_dose: PreDoseOut


class DoseAnswer(DoseOut):
    session_id: int
    status: SessionStatusId
    version: int
    dose_alerts: list[DoseAlertOut]
    alerts: list[AlertOut]


class ReadingAnswer(ReadingOut):
    session_id: int
    version: int
    alerts: list[AlertOut] = Field(description="The alerts this reading raised.")
    next_reading_due: dt.datetime | None


class AlertAnswer(AlertOut):
    session_id: int
    session_version: int


class SideEffectAnswer(SideEffectOut):
    session_id: int
    session_version: int
    alert: AlertOut | None = Field(description="The SAFE-AE-GRADE alert it raised, if any.")


class WitnessAnswer(DoseOut):
    session_id: int
    version: int
