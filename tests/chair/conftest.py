"""Shared pieces of the chair tests: a patient with an eligible review, a plan and its first
session dated today for each route (made by the treatment services, as alice), good pre-dose
values, and the API caller of the treatment tests (reused, not copied)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.treatment.conftest import ESK_ORDER, IV_ORDER, api, review_for  # noqa: F401

ESK = "esketamine_nasal"
IV = "iv_ketamine"
ORAL = "oral_ketamine"
ROUTES = (ESK, IV, ORAL)
ORAL_ORDER = {"dose_mg": DEFAULT_SETTINGS.value("DOSE-ORAL-RANGE", "minimum_mg")}
PROTOCOLS: dict[str, tuple[str, dict[str, Any]]] = {
    ESK: ("esketamine_trd_label", ESK_ORDER),
    IV: ("iv_induction_3x_weekly", IV_ORDER),
    ORAL: ("oral_titration_example", ORAL_ORDER),
}
# Every day a clinic day, so a plan started today has its first session today.
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
WEIGHT_KG = 70
ESK_MIN_TIME = dt.timedelta(
    minutes=DEFAULT_SETTINGS.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min")
)


@pytest.fixture(autouse=True)
def _at_midday() -> Any:
    """Every chair test runs from midday of today, the clock going on from there: the tests
    dose today's sessions up to three hours before now, which in the small hours would be
    yesterday, and a session is charted on its own date only. Tests that set their own moment
    travel again from here."""
    midday = dt.datetime.combine(
        timezone.localdate(), dt.time(12), tzinfo=timezone.get_current_timezone()
    )
    with time_machine.travel(midday, tick=True):
        yield


def pre_dose_values(**changes: Any) -> Any:
    """A pre-dose record that is `go` on every route (normal vitals, checklist complete)."""
    from ketacare.chair.services import PreDoseInput

    values: dict[str, Any] = {
        "systolic": 128,
        "diastolic": 80,
        "heart_rate": 72,
        "spo2": 98,
        "respiratory_rate": 14,
        "identity_confirmed": True,
        "consent_current": True,
        "rems_setting_certified": True,
        "rems_patient_enrolled": True,
        "pregnancy_status_documented": True,
        "escort_confirmed": True,
        "escort_phone": "617-555-0199",
        "chair": "Chair 2",
    }
    values.update(changes)
    return PreDoseInput(**values)


def reading_values(**changes: Any) -> Any:
    """A reading with normal values (MON-*: no alert; DISCH-*: BP, sedation, SpO2 hold)."""
    from ketacare.chair.services import ReadingInput

    values: dict[str, Any] = {
        "systolic": 126,
        "diastolic": 78,
        "heart_rate": 74,
        "spo2": 98,
        "respiratory_rate": 14,
        "moaas": 5,
    }
    values.update(changes)
    return ReadingInput(**values)


@pytest.fixture
def chair_clinic(clinic_a: Any) -> Any:
    """Clinic A, REMS-certified and offering every route."""
    clinic_a.offers_oral_ketamine = True
    clinic_a.esketamine_rems_certified = True
    clinic_a.save()
    return clinic_a


@pytest.fixture
def session_today(
    chair_clinic: Any,
    alice: Any,
    review_for: Callable[..., Any],  # noqa: F811
) -> Callable[..., Any]:
    """`session_today(route)`: a new patient (weight and a current treatment consent on the
    chart), an eligible review signed by alice, a plan started today on every weekday, and its
    first session, dated today."""
    from ketacare.treatment.models import TreatmentSession
    from ketacare.treatment.services import create_plan
    from tests.factories import ConsentFactory, PatientFactory, WeightMeasurementFactory

    def make(route: str = ESK, patient: Any = None) -> Any:
        if patient is None:
            patient = PatientFactory(
                clinic=chair_clinic, date_of_birth=dt.date(1980, 1, 1), diagnosis="mdd"
            )
            # A current treatment consent (the dose checks the chart's latest, CHECK-CONSENT).
            ConsentFactory(patient=patient, signed_on=timezone.localdate() - dt.timedelta(days=2))
        WeightMeasurementFactory(patient=patient, weight_kg=WEIGHT_KG)
        review_for(patient, route)
        protocol, order = PROTOCOLS[route]
        plan = create_plan(
            patient=patient,
            protocol=protocol,
            start=timezone.localdate(),
            clinic_days=EVERY_DAY,
            order=order,
            by=alice,
        )
        return TreatmentSession.objects.get(plan=plan, number=1)

    return make


@pytest.fixture
def esk_session(session_today: Callable[..., Any]) -> Any:
    return session_today(ESK)


@pytest.fixture
def iv_session(session_today: Callable[..., Any]) -> Any:
    return session_today(IV)


@pytest.fixture
def oral_session(session_today: Callable[..., Any]) -> Any:
    return session_today(ORAL)


@pytest.fixture
def dosed(nora: Any) -> Callable[..., Any]:
    """`dosed(session, at=...)`: pre-dose checks and the dose by nora (`at` default: now)."""
    from ketacare.chair.services import record_dose, record_pre_dose

    def give(session: Any, at: dt.datetime | None = None, **dose: Any) -> Any:
        when = at or timezone.now()
        record_pre_dose(session=session, values=pre_dose_values(at=when), by=nora, now=when)
        return record_dose(session=session, lot_number="LOT-1", at=when, by=nora, now=when, **dose)

    return give


def fresh(session: Any) -> Any:
    """The session as stored now."""
    session.refresh_from_db()
    return session


def stored(session: Any) -> dict[str, Any]:
    """What the chair has stored for `session`: its status and version and every chair-side
    row's count (a refused request leaves this unchanged)."""
    from ketacare.chair.models import (
        Amendment,
        Discharge,
        DoseGiven,
        PreDose,
        Reading,
        RemsForm,
        SessionAlert,
        SideEffect,
    )
    from ketacare.treatment.models import TreatmentSession

    row = TreatmentSession.objects.values("status", "version").get(pk=session.pk)
    models = (PreDose, DoseGiven, Reading, SessionAlert, SideEffect, Discharge, Amendment, RemsForm)
    return {
        **row,
        **{m.__name__: m.objects.filter(session_id=session.pk).count() for m in models},
        "pre_dose_values": list(PreDose.objects.filter(session_id=session.pk).values()),
        "dose_values": list(DoseGiven.objects.filter(session_id=session.pk).values()),
        "alert_values": list(SessionAlert.objects.filter(session_id=session.pk).values()),
    }
