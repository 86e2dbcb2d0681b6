"""One session's chair-side rows, loaded once, and the clinical core's judgement of them.

`load_chair` reads everything the chair page, the API and the PDF show about one session in a
fixed number of queries whatever the number of readings; `monitor_state` turns it into the
clinical core's `SessionState`; `judge` asks `ketacare.clinical.monitoring.evaluate` at `now`.
No medical logic here: only the mapping of rows to the core's input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from ketacare.chair.models import (
    AlertLevel,
    Amendment,
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SessionAlert,
    SideEffect,
)
from ketacare.clinical.monitoring import (
    Attestations,
    Checklist,
    MonitorResult,
    SessionState,
    Vitals,
    evaluate,
    needs_acknowledgement,
)
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from ketacare.clinics.compiled import CompiledRead
from ketacare.treatment.models import TreatmentSession


@dataclass
class Chair:
    """Everything recorded about one session at the chair."""

    session: TreatmentSession
    pre_dose: PreDose | None
    dose: DoseGiven | None
    readings: list[Reading]
    alerts: list[SessionAlert]
    side_effects: list[SideEffect]
    discharge: Discharge | None
    rems_form: RemsForm | None
    amendments: list[Amendment] = field(default_factory=list)

    @property
    def route(self) -> str:
        return self.session.plan.route

    @property
    def open_critical_alerts(self) -> list[SessionAlert]:
        return [
            a for a in self.alerts if a.level == AlertLevel.CRITICAL and a.acknowledged_at is None
        ]

    @property
    def open_alerts(self) -> list[SessionAlert]:
        """The alerts still waiting for someone's acknowledgement (info alerts never do)."""
        return [
            a for a in self.alerts if a.acknowledged_at is None and needs_acknowledgement(a.level)
        ]


def _one(session: TreatmentSession, name: str) -> object | None:
    try:
        return getattr(session, name)
    except AttributeError:
        return None
    except Exception as error:  # RelatedObjectDoesNotExist subclasses ObjectDoesNotExist
        if error.__class__.__name__.endswith("DoesNotExist"):
            return None
        raise


def chair_queryset() -> object:
    """Sessions with every chair-side row: joins for the one-to-one rows, one prefetch each for
    readings, alerts, side effects and amendments (a fixed number of queries)."""
    return TreatmentSession.objects.select_related(
        "plan",
        "patient",
        "pre_dose",
        "pre_dose__nurse",
        "pre_dose__proceed_by",
        "dose",
        "dose__order",
        "dose__given_by",
        "dose__witness",
        "discharge",
        "discharge__by",
        "rems_form",
        "rems_form__submitted_by",
    ).prefetch_related(
        Prefetch("readings", queryset=Reading.objects.order_by("at", "pk")),
        Prefetch(
            "alerts",
            queryset=SessionAlert.objects.select_related("acknowledged_by").order_by(
                "at", "rule", "pk"
            ),
        ),
        Prefetch("side_effects", queryset=SideEffect.objects.order_by("onset_at", "pk")),
        Prefetch(
            "amendments", queryset=Amendment.objects.select_related("by").order_by("at", "pk")
        ),
    )


def judging_queryset() -> object:
    """Sessions with only what the monitoring rules judge and the services check: the plan (its
    route), the patient, the pre-dose, the dose, the discharge, the readings and the alerts (5
    joins, 2 prefetches). The chair-side services lock and load the session through this; the
    pages and the API's answers read `chair_queryset`."""
    return TreatmentSession.objects.select_related(
        "plan", "patient", "pre_dose", "dose", "discharge"
    ).prefetch_related(
        Prefetch("readings", queryset=Reading.objects.order_by("at", "pk")),
        Prefetch("alerts", queryset=SessionAlert.objects.order_by("at", "rule", "pk")),
    )


def chair_of(session: TreatmentSession) -> Chair:
    """The rows of a session read through `chair_queryset` (no further query)."""
    return Chair(
        session=session,
        pre_dose=_one(session, "pre_dose"),  # type: ignore[arg-type]
        dose=_one(session, "dose"),  # type: ignore[arg-type]
        readings=list(session.readings.all()),  # type: ignore[attr-defined]
        alerts=list(session.alerts.all()),  # type: ignore[attr-defined]
        side_effects=list(session.side_effects.all()),  # type: ignore[attr-defined]
        discharge=_one(session, "discharge"),  # type: ignore[arg-type]
        rems_form=_one(session, "rems_form"),  # type: ignore[arg-type]
        amendments=list(session.amendments.all()),  # type: ignore[attr-defined]
    )


def judging_of(session: TreatmentSession) -> Chair:
    """The rows of a session read through `judging_queryset` (no further query). The side
    effects, the REMS form and the amendments are not loaded: empty here, whatever is stored."""
    return Chair(
        session=session,
        pre_dose=_one(session, "pre_dose"),  # type: ignore[arg-type]
        dose=_one(session, "dose"),  # type: ignore[arg-type]
        readings=list(session.readings.all()),  # type: ignore[attr-defined]
        alerts=list(session.alerts.all()),  # type: ignore[attr-defined]
        side_effects=[],
        discharge=_one(session, "discharge"),  # type: ignore[arg-type]
        rems_form=None,
    )


def _only(queryset: object, session_id: int, clinic_id: int) -> TreatmentSession | None:
    # No ORDER BY (`.first()` would order the wide select by the model's ordering): at most one
    # row has this id.
    rows = list(queryset.filter(pk=session_id, clinic_id=clinic_id).order_by()[:1])  # type: ignore[attr-defined]
    return rows[0] if rows else None


def load_chair(session_id: int, clinic_id: int) -> Chair | None:
    """One session of the clinic with all its chair-side rows, or None."""
    session = _only(chair_queryset(), session_id, clinic_id)
    return None if session is None else chair_of(session)


def load_judging(session_id: int, clinic_id: int) -> Chair | None:
    """One session of the clinic with the rows the monitoring rules judge (`judging_of`), or
    None."""
    session = _only(judging_queryset(), session_id, clinic_id)
    return None if session is None else judging_of(session)


# What a reading is judged by (`services.base.lock_for_reading`), and nothing else: the
# session's own columns that the service checks and answers with, the plan's route, the
# pre-dose vitals and checklist, the dose's time and infusion duration, and of the patient only
# its id (its row is locked).
_READING_SESSION = ("id", "clinic_id", "patient_id", "plan_id", "number", "status", "version")
_READING_PRE_DOSE = (
    "id", "at", "systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate",
    "rems_setting_certified", "rems_patient_enrolled", "pregnancy_status_documented",
    "escort_confirmed", "last_food_at", "last_liquid_at", "nasal_medication_at",
)  # fmt: skip
_READING_DOSE = ("id", "at", "infusion_duration_min")
_READING_VALUES = (
    "id", "at", "systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas",
    "cadss", "symptoms",
)  # fmt: skip
# An alert is judged by its rule, moment, level and acknowledgement (`persist_alerts` stores
# each rule and moment once; DISCH-ALERTS counts the open critical ones).
_READING_ALERTS = ("id", "rule", "level", "at", "acknowledged_at")


def reading_queryset(*, lock: bool) -> QuerySet[TreatmentSession]:
    """The session row with what a reading is judged by, as one statement; with `lock`, the
    patient's and the session's rows locked, in that order (`FOR NO KEY UPDATE OF patient,
    session`: PostgreSQL takes the locks of one statement in the order of its OF list)."""
    queryset = (
        TreatmentSession.objects.order_by()  # one row by id: no ORDER BY
        .select_related("plan", "patient", "pre_dose", "dose")
        .only(
            *_READING_SESSION,
            "plan__route",
            "patient__id",
            *(f"pre_dose__{name}" for name in _READING_PRE_DOSE),
            *(f"dose__{name}" for name in _READING_DOSE),
        )
    )
    if lock:
        queryset = queryset.select_for_update(of=("patient", "self"), no_key=True)
    return queryset


def _session_readings(session_id: int) -> QuerySet[Reading]:
    return Reading.objects.filter(session_id=session_id).order_by("at", "pk").only(*_READING_VALUES)


def _session_alerts(session_id: int) -> QuerySet[SessionAlert]:
    return SessionAlert.objects.filter(session_id=session_id).order_by().only(*_READING_ALERTS)


# The two reads of every reading: compiled once per connection (bench/write_path.py).
_READINGS = CompiledRead("chair.reading.readings", Reading, _session_readings, 1)
_ALERTS = CompiledRead("chair.reading.alerts", SessionAlert, _session_alerts, 1)


def reading_chair(session: TreatmentSession) -> Chair:
    """The chair of a session read through `reading_queryset`: its readings (time order, as
    the core numbers them) and alerts read now, two statements. Only a dosed session takes
    readings, and a dosed one has no discharge: the discharge, side effects, REMS form and
    amendments are not read (empty here)."""
    return Chair(
        session=session,
        pre_dose=_one(session, "pre_dose"),  # type: ignore[arg-type]
        dose=_one(session, "dose"),  # type: ignore[arg-type]
        readings=_READINGS.objects(session.pk),
        alerts=_ALERTS.objects(session.pk),
        side_effects=[],
        discharge=None,
        rems_form=None,
    )


def _vitals(row: PreDose | None) -> Vitals:
    if row is None:
        return Vitals()
    return Vitals(
        systolic=row.systolic,
        diastolic=row.diastolic,
        heart_rate=row.heart_rate,
        spo2=row.spo2,
        respiratory_rate=row.respiratory_rate,
    )


def _checklist(row: PreDose | None) -> Checklist:
    if row is None:
        return Checklist()
    return Checklist(
        rems_setting_certified=row.rems_setting_certified,
        rems_patient_enrolled=row.rems_patient_enrolled,
        pregnancy_status_documented=row.pregnancy_status_documented,
        escort_confirmed=row.escort_confirmed,
        last_food_at=row.last_food_at,
        last_liquid_at=row.last_liquid_at,
        nasal_medication_at=row.nasal_medication_at,
    )


def core_reading(row: Reading) -> CoreReading:
    return CoreReading(
        at=row.at,
        systolic=row.systolic,
        diastolic=row.diastolic,
        heart_rate=row.heart_rate,
        spo2=row.spo2,
        respiratory_rate=row.respiratory_rate,
        moaas=row.moaas,
        cadss=row.cadss,
        symptoms=tuple(row.symptoms or ()),
    )


def monitor_state(
    chair: Chair,
    *,
    dissociation_resolved: bool | None = None,
    extra_readings: Collection[CoreReading] = (),
) -> SessionState:
    """The clinical core's view of the session. DISCH-ALERTS holds when every critical alert
    kept for the session was acknowledged; `dissociation_resolved` is the clinician's
    attestation at discharge (unknown before)."""
    dose = chair.dose
    if chair.discharge is not None and dissociation_resolved is None:
        dissociation_resolved = chair.discharge.dissociation_resolved
    return SessionState(
        route=chair.route,
        dose_at=dose.at if dose is not None else None,
        pre_dose=_vitals(chair.pre_dose),
        readings=(*(core_reading(r) for r in chair.readings), *extra_readings),
        infusion_duration_min=dose.infusion_duration_min if dose is not None else None,
        checklist=_checklist(chair.pre_dose),
        attestations=Attestations(
            dissociation_resolved=dissociation_resolved,
            critical_alerts_acknowledged=not chair.open_critical_alerts,
        ),
    )


def judge(
    chair: Chair,
    *,
    now: dt.datetime,
    dissociation_resolved: bool | None = None,
    overrides: Collection[str] = frozenset(),
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> MonitorResult:
    """The monitoring rules at `now`: dosing, alerts, next reading due, discharge.

    A discharged session is judged at its discharge time (its record no longer changes).
    """
    if chair.discharge is not None:
        now = chair.discharge.at
        overrides = tuple(chair.discharge.overridden)
    return evaluate(
        monitor_state(chair, dissociation_resolved=dissociation_resolved),
        now=now,
        settings=settings,
        overrides=overrides,
    )
