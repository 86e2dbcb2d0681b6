"""The chair's part of the API role matrix's world (tests/api/test_role_matrix.py): one IV plan of
its own patient with a session, dated today, at each step the chair's routes act on. Rows are
written directly (no service), so building it costs a few inserts per test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    SessionAlert,
    SideEffect,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS

MG_PER_KG = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg")
DURATION_MIN = DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")
WEIGHT_KG = 70


@dataclass
class ChairWorld:
    """Sessions of one IV plan, all dated today."""

    scheduled: Any  # no check-in yet: pre-dose
    held: Any  # checked in, blood pressure hold: a prescriber's decision
    ready: Any  # checked in, go: the dose
    dosed: Any  # dosed 3 h ago, ready to leave: readings, side effects, count, discharge
    counted: Any  # dosed, its count names the caller as witness: the witness confirms
    discharged: Any  # amendments
    alert: Any  # an open warning of `dosed`
    side_effect: Any  # of `dosed`
    colleague_id: int  # a second nurse, the count's witness


def build_chair_world(clinic: Any, *, giver: Any, witness: Any, colleague: Any) -> ChairWorld:
    """`giver` gave the doses; `witness` is named on the count of `counted` (the caller, so the
    role matrix's allowed roles may confirm it); `colleague` witnesses new counts."""
    from tests.factories import (
        ConsentFactory,
        DoseOrderFactory,
        PatientFactory,
        TreatmentPlanFactory,
        TreatmentSessionFactory,
        WeightMeasurementFactory,
    )

    now = timezone.now().replace(microsecond=0)
    patient = PatientFactory(clinic=clinic, date_of_birth=dt.date(1982, 2, 3), diagnosis="mdd")
    WeightMeasurementFactory(patient=patient, weight_kg=WEIGHT_KG)
    ConsentFactory(patient=patient, signed_on=timezone.localdate() - dt.timedelta(days=2))
    plan = TreatmentPlanFactory(patient=patient)
    order = DoseOrderFactory(
        plan=plan, dose_mg_per_kg=MG_PER_KG, duration_min=DURATION_MIN, concentration_mg_per_ml=1
    )
    sessions = [
        TreatmentSessionFactory(plan=plan, number=n, date=timezone.localdate(), status=status)
        for n, status in enumerate(
            ("scheduled", "in_chair", "in_chair", "dosed", "dosed", "discharged"), start=1
        )
    ]
    scheduled, held, ready, dosed, counted, discharged = sessions
    user = giver.user
    dose_at = now - dt.timedelta(hours=3)

    def pre_dose(session: Any, at: dt.datetime, systolic: int = 124) -> None:
        PreDose.objects.create(
            clinic=clinic,
            patient=patient,
            session=session,
            checked_in_at=at,
            chair="Chair 1",
            nurse=user,
            at=at,
            systolic=systolic,
            diastolic=80,
            heart_rate=70,
            spo2=98,
            identity_confirmed=True,
            consent_current=True,
            pregnancy_status_documented=True,
            escort_confirmed=True,
            dosing="hold" if systolic > 140 else "go",
            recorded_by=user,
            recorded_at=at,
        )

    def dose(session: Any, **count: Any) -> None:
        pre_dose(session, dose_at - dt.timedelta(minutes=10))
        DoseGiven.objects.create(
            clinic=clinic,
            patient=patient,
            session=session,
            order=order,
            at=dose_at,
            lot_number="MATRIX",
            weight_kg=WEIGHT_KG,
            dose_mg=WEIGHT_KG * MG_PER_KG,
            volume_ml=WEIGHT_KG * MG_PER_KG,
            rate_ml_per_h=WEIGHT_KG * MG_PER_KG * 60 / DURATION_MIN,
            infusion_duration_min=DURATION_MIN,
            steps=["Dose"],
            given_by=user,
            recorded_at=dose_at,
            **count,
        )
        Reading.objects.create(
            clinic=clinic,
            patient=patient,
            session=session,
            at=now - dt.timedelta(minutes=2),
            systolic=124,
            diastolic=78,
            heart_rate=72,
            spo2=98,
            moaas=5,
            recorded_by=user,
            recorded_at=now,
        )

    pre_dose(held, now - dt.timedelta(minutes=5), systolic=150)
    pre_dose(ready, now - dt.timedelta(minutes=5))
    dose(dosed)
    dose(counted, drawn_mg=WEIGHT_KG * MG_PER_KG, wasted_mg=0, witness=witness.user)
    dose(discharged)
    Discharge.objects.create(
        clinic=clinic,
        patient=patient,
        session=discharged,
        at=now,
        by=user,
        dissociation_resolved=True,
        no_driving_instructed=True,
        recorded_at=now,
    )
    earlier = Reading.objects.create(
        clinic=clinic,
        patient=patient,
        session=dosed,
        at=dose_at + dt.timedelta(minutes=20),
        systolic=150,
        diastolic=88,
        recorded_by=user,
        recorded_at=dose_at,
    )
    alert = SessionAlert.objects.create(
        clinic=clinic,
        patient=patient,
        session=dosed,
        rule="MON-BP-ELEVATED",
        level="warning",
        at=earlier.at,
        message="Blood pressure 150/88 is above 140/90.",
        reading=earlier,
        raised_at=earlier.at,
    )
    side_effect = SideEffect.objects.create(
        clinic=clinic,
        patient=patient,
        session=dosed,
        term="nausea",
        grade=1,
        onset_at=dose_at + dt.timedelta(minutes=30),
        recorded_by=user,
        recorded_at=dose_at,
    )
    return ChairWorld(
        scheduled=scheduled,
        held=held,
        ready=ready,
        dosed=dosed,
        counted=counted,
        discharged=discharged,
        alert=alert,
        side_effect=side_effect,
        colleague_id=colleague.user_id,
    )
