"""A varied board for the board's tests: every route, before and after the dose, readings normal,
hypertensive, incomplete or with symptoms, alerts open, acknowledged or critical, a hold, a
missing chair name and a name that needs escaping. Rows are made directly with the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketacare.chair.models import DoseGiven, PreDose, Reading, SessionAlert
from tests.factories import (
    DoseOrderFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
    UserFactory,
)

PROTOCOL = {
    "esketamine_nasal": "esketamine_trd_label",
    "iv_ketamine": "iv_induction_3x_weekly",
    "oral_ketamine": "oral_titration_example",
}


def seat_any(
    clinic: Any,
    now: dt.datetime,
    *,
    route: str = "esketamine_nasal",
    chair: str = "Chair 1",
    dosed_min_ago: int | None = 30,
    readings: list[dict[str, Any]] = (),  # type: ignore[assignment]
    alerts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    family_name: str = "Seated",
    dosing: str = "go",
    escort: bool | None = True,
    infusion_min: int | None = None,
    respiratory_rate: int | None = 14,
) -> Any:
    """A session of `clinic` in `chair`; `readings` are Reading fields plus `min` (minutes after
    the dose), `alerts` SessionAlert fields plus `min` and `ack` (acknowledged)."""
    patient = PatientFactory(clinic=clinic, family_name=family_name, given_name="Ann")
    plan = TreatmentPlanFactory(patient=patient, route=route, protocol=PROTOCOL[route])
    if route == "iv_ketamine":
        order = DoseOrderFactory(plan=plan)
    else:
        order = DoseOrderFactory(plan=plan, dose_mg_per_kg=None, duration_min=None, dose_mg=56)
    dosed = dosed_min_ago is not None
    session = TreatmentSessionFactory(
        plan=plan, date=now.date(), number=1, status="dosed" if dosed else "in_chair"
    )
    nurse = UserFactory()
    start = now - dt.timedelta(minutes=(dosed_min_ago or 0) + 20)
    PreDose.objects.create(
        clinic=clinic, patient=patient, session=session, checked_in_at=start, chair=chair,
        nurse=nurse, at=start, systolic=128, diastolic=80, heart_rate=72, spo2=98,
        respiratory_rate=respiratory_rate, identity_confirmed=True, consent_current=True,
        rems_setting_certified=True, rems_patient_enrolled=True, escort_confirmed=escort,
        pregnancy_status_documented=True, dosing=dosing, recorded_by=nurse, recorded_at=start,
    )  # fmt: skip
    if not dosed:
        return session
    dose_at = now - dt.timedelta(minutes=dosed_min_ago)
    DoseGiven.objects.create(
        clinic=clinic, patient=patient, session=session, order=order, at=dose_at,
        lot_number="LOT-1", dose_mg=56, devices=2, given_by=nurse, recorded_at=dose_at,
        infusion_duration_min=infusion_min,
    )  # fmt: skip
    for values in readings:
        values = dict(values)
        at = dose_at + dt.timedelta(minutes=values.pop("min"))
        Reading.objects.create(
            clinic=clinic, patient=patient, session=session, at=at, recorded_by=nurse,
            recorded_at=at, **values,
        )  # fmt: skip
    for values in alerts:
        values = dict(values)
        at = dose_at + dt.timedelta(minutes=values.pop("min"))
        ack = values.pop("ack", False)
        SessionAlert.objects.create(
            clinic=clinic, patient=patient, session=session, at=at, message="Alert.",
            raised_at=at, acknowledged_at=at + dt.timedelta(minutes=1) if ack else None, **values,
        )  # fmt: skip
    return session


NORMAL = {"systolic": 126, "diastolic": 78, "heart_rate": 74, "spo2": 98, "respiratory_rate": 14,
          "moaas": 5}  # fmt: skip


def every(step: int, until: int, **changes: Any) -> list[dict[str, Any]]:
    return [{**NORMAL, **changes, "min": m} for m in range(step, until + 1, step)]


def fill_board(clinic: Any, now: dt.datetime) -> list[Any]:
    """About twenty sessions of `clinic` in every state the board shows."""
    s = []
    s.append(seat_any(clinic, now, chair="Chair 1", dosed_min_ago=None, family_name="Waiting"))
    s.append(seat_any(clinic, now, chair="Chair 2", dosed_min_ago=None, dosing="hold",
                      family_name="Held"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="", dosed_min_ago=None, family_name="O'Brien <b>&"))
    s.append(seat_any(clinic, now, chair="Chair 3", dosed_min_ago=10, family_name="Early"))
    s.append(seat_any(clinic, now, chair="Chair 4", dosed_min_ago=45, family_name="Late40"))
    s.append(seat_any(clinic, now, chair="Chair 5", dosed_min_ago=50,
                      readings=every(10, 50), family_name="OnTime"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 6", dosed_min_ago=115,
                      readings=every(15, 105), family_name="NearlyReady"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 7", dosed_min_ago=125,
                      readings=every(15, 120), family_name="Ready"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 8", dosed_min_ago=130,
                      readings=every(15, 90), family_name="Stale"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 9", dosed_min_ago=60,
                      readings=[*every(15, 30), {**NORMAL, "systolic": 185, "diastolic": 112,
                                                 "min": 45}],
                      alerts=[{"rule": "MON-BP-SEVERE", "level": "critical", "min": 45}],
                      family_name="Severe"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 10", dosed_min_ago=140,
                      readings=[*every(15, 135), {**NORMAL, "systolic": 185, "diastolic": 112,
                                                  "min": 45}],
                      alerts=[{"rule": "MON-BP-SEVERE", "level": "critical", "min": 45,
                               "ack": True}],
                      family_name="Acked"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 11", dosed_min_ago=70,
                      readings=[{"systolic": 150, "min": 40},
                                {**NORMAL, "symptoms": ["severe_headache"], "min": 55},
                                {"moaas": 3, "cadss": 12, "min": 65}],
                      alerts=[{"rule": "MON-HR", "level": "warning", "min": 55},
                              {"rule": "MON-SEDATION", "level": "info", "min": 65}],
                      family_name="Odd"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 12", dosed_min_ago=160, escort=False,
                      readings=every(15, 150), family_name="NoEscort"))  # fmt: skip
    s.append(seat_any(clinic, now, route="iv_ketamine", chair="Chair 13", dosed_min_ago=20,
                      readings=every(5, 15), family_name="Drip"))  # fmt: skip
    s.append(seat_any(clinic, now, route="iv_ketamine", chair="Chair 14", dosed_min_ago=95,
                      infusion_min=45, readings=every(15, 90), family_name="DripDone"))  # fmt: skip
    s.append(seat_any(clinic, now, route="iv_ketamine", chair="Chair 15", dosed_min_ago=35,
                      readings=[{**NORMAL, "systolic": 165, "diastolic": 100, "min": 30}],
                      family_name="DripHigh"))  # fmt: skip
    s.append(seat_any(clinic, now, route="oral_ketamine", chair="Chair 16", dosed_min_ago=25,
                      readings=every(20, 20), respiratory_rate=None,
                      family_name="Tablet"))  # fmt: skip
    s.append(seat_any(clinic, now, route="oral_ketamine", chair="Chair 17", dosed_min_ago=200,
                      readings=every(30, 180), family_name="TabletDone"))  # fmt: skip
    s.append(seat_any(clinic, now, chair="Chair 1", dosed_min_ago=5, family_name="SameChair"))
    return s
