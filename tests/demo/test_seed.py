"""`ketacare seed`: synthetic clinics at scale, deterministic from the seed, every medical
decision the clinical core's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Min

from ketacare.audit.models import AuditEvent
from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SessionAlert,
    SideEffect,
)
from ketacare.chair.state import judge, load_chair, monitor_state
from ketacare.clinical.adverse import TERMS, notification_message
from ketacare.clinical.monitoring import (
    PREDOSE_RULES,
    SessionState,
    evaluate,
    next_reading_due,
    side_effect_alert_level,
)
from ketacare.clinical.monitoring.decisions import SIDE_EFFECT_RULE
from ketacare.clinical.monitoring.plausibility import check_plausible
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Clinic, Membership
from ketacare.demo.seed.context import Chunk, ClinicStaff, RunSpec
from ketacare.demo.seed.run import SEED_OBJECT, SeedOptions, clinic_name, run_seed
from ketacare.demo.seed.sink import MODELS, tables
from ketacare.demo.seed.work import generate
from ketacare.patients.models import (
    AntidepressantTrial,
    Assessment,
    Patient,
    WeightMeasurement,
)
from ketacare.screening.models import EligibilityReview
from ketacare.treatment.models import SessionStatus, TreatmentPlan, TreatmentSession

TODAY = dt.date(2026, 11, 20)
CLINIC = ClinicStaff(
    id=1,
    index=1,
    name="Synthetic Clinic 5-1",
    city="Springfield",
    state="IL",
    zip_code="62701",
    routes=("iv_ketamine", "esketamine_nasal", "oral_ketamine"),
    clinic_days=(0, 1, 2, 3, 4),
    rems_certified=True,
    chairs=6,
    prescribers=(10, 11),
    nurses=(20, 21, 22, 23),
    coordinators=(30,),
    admins=(40,),
)


def _digest(sink) -> str:
    return hashlib.sha256(repr(sorted(sink.rows.items())).encode()).hexdigest()


def _seed(patients=40, clinics=2, seed=5, **kwargs):
    return run_seed(
        SeedOptions(patients=patients, clinics=clinics, seed=seed, today=TODAY, months=3),
        **kwargs,
    )


# --- the generator alone ----------------------------------------------------------------------


def test_the_same_seed_generates_the_same_rows_and_another_seed_others(db):
    chunk = Chunk(CLINIC, 1, 30)
    first = generate(RunSpec(seed=5, today=TODAY, months=3, tz="UTC"), chunk)
    again = generate(RunSpec(seed=5, today=TODAY, months=3, tz="UTC"), chunk)
    other = generate(RunSpec(seed=6, today=TODAY, months=3, tz="UTC"), chunk)

    assert _digest(first) == _digest(again)
    assert _digest(first) != _digest(other)


def test_a_patient_is_the_same_whichever_chunk_generates_it(db):
    spec = RunSpec(seed=5, today=TODAY, months=3, tz="UTC")
    whole = generate(spec, Chunk(CLINIC, 1, 20))
    second_half = generate(spec, Chunk(CLINIC, 11, 20))

    mrns = [row["mrn"] for row in whole.rows["patients.Patient"]][10:]
    assert mrns == [row["mrn"] for row in second_half.rows["patients.Patient"]]
    births = [row["date_of_birth"] for row in whole.rows["patients.Patient"]][10:]
    assert births == [row["date_of_birth"] for row in second_half.rows["patients.Patient"]]


def test_every_required_column_of_every_seeded_table_is_filled(db):
    sink = generate(RunSpec(seed=9, today=TODAY, months=6, tz="UTC"), Chunk(CLINIC, 1, 60))
    ids = {label: range(1, count + 1) for label, count in sink.ids.items()}

    for label, table in tables().items():
        rows = sink.rows[label]
        assert rows, f"no {label} rows in 60 patients"
        assert table.copy_text(rows, ids)  # a required column left out raises KeyError
        assert set(table.columns) == {f.attname for f in table.model._meta.concrete_fields}


# --- a seed run ---------------------------------------------------------------------------------


@pytest.fixture
def seeded(db):
    report = _seed(workers=0)
    clinics = list(Clinic.objects.filter(pk__in=report.clinics))
    return report, clinics


def test_the_run_makes_the_clinics_their_staff_and_the_patients_asked_for(seeded):
    report, clinics = seeded

    assert [c.name for c in clinics] == [clinic_name(5, 1), clinic_name(5, 2)]
    for clinic in clinics:
        assert clinic.latitude is not None  # a real ZIP, placed by the offline data
        roles = set(Membership.objects.filter(clinic=clinic).values_list("role", flat=True))
        assert roles == {"clinic_admin", "prescriber", "nurse", "coordinator", "auditor"}
    assert Patient.objects.filter(clinic__in=clinics).count() == 40
    assert report.counts["patients_patient"] == 40
    for model in MODELS:
        table = model._meta.db_table
        assert model.objects.filter(clinic__in=clinics).count() == report.counts[table], table


def test_every_chart_is_complete_and_most_patients_meet_trd(seeded):
    _report, clinics = seeded
    patients = Patient.objects.filter(clinic__in=clinics)

    for patient in patients:
        assert WeightMeasurement.objects.filter(patient=patient).exists()
        assert Assessment.objects.filter(patient=patient, instrument="phq9").exists()
    failed = [
        AntidepressantTrial.objects.filter(
            patient=p, adequate=True, outcome="nonresponse", current_episode=True
        ).count()
        for p in patients
    ]
    assert sum(1 for n in failed if n >= 2) > len(failed) / 2


def test_reviews_follow_the_screen_and_plans_only_the_eligible(seeded):
    _report, clinics = seeded

    reviews = EligibilityReview.objects.filter(clinic__in=clinics)
    assert reviews.exists()
    assert not reviews.filter(decision="eligible", screen_decision="not_eligible").exists()
    for review in reviews.filter(screen_decision="needs_review"):
        assert review.note
    for plan in TreatmentPlan.objects.filter(clinic__in=clinics):
        assert plan.review.decision == "eligible" and plan.review.route == plan.route


def test_past_sessions_are_charted_to_discharge_and_later_ones_scheduled(seeded):
    _report, clinics = seeded
    sessions = TreatmentSession.objects.filter(clinic__in=clinics)

    assert sessions.filter(status=SessionStatus.DISCHARGED).exists()
    assert not sessions.filter(date__gte=TODAY).exclude(status=SessionStatus.SCHEDULED).exists()
    assert not sessions.filter(date__lt=TODAY, status=SessionStatus.SCHEDULED).exists()
    for session in sessions.filter(status=SessionStatus.DISCHARGED).select_related("plan"):
        assert PreDose.objects.filter(session=session).exists()
        assert DoseGiven.objects.filter(session=session).exists()
        assert Reading.objects.filter(session=session).exists()
        assert Discharge.objects.filter(session=session).exists()
        rems = RemsForm.objects.filter(session=session).exists()
        assert rems == (session.plan.route == "esketamine_nasal")


def test_readings_are_plausible_and_taken_at_the_schedules_times(seeded):
    _report, clinics = seeded

    for session in TreatmentSession.objects.filter(
        clinic__in=clinics, status=SessionStatus.DISCHARGED
    ):
        chair = load_chair(session.pk, session.clinic_id)
        state = monitor_state(chair)
        check_plausible(state, now=chair.discharge.at, settings=DEFAULT_SETTINGS)
        for index, reading in enumerate(chair.readings):
            earlier = SessionState(
                route=state.route,
                dose_at=state.dose_at,
                pre_dose=state.pre_dose,
                readings=state.readings[:index],
                infusion_duration_min=state.infusion_duration_min,
                checklist=state.checklist,
            )
            due = next_reading_due(earlier, DEFAULT_SETTINGS)
            late = reading.at - due
            assert dt.timedelta(0) <= late <= dt.timedelta(minutes=15), (session.pk, index)
            assert chair.dose.at <= reading.at <= chair.discharge.at


def _expected_alerts(chair) -> set[tuple[str, dt.datetime, str, str]]:
    """What the chair services store for the session: the pre-dose rules as judged at
    check-in, the rest as judged over the whole session at discharge (persist_alerts)."""
    state = monitor_state(chair)
    pre_at = chair.pre_dose.at
    at_check_in = evaluate(
        SessionState(route=state.route, pre_dose=state.pre_dose, checklist=state.checklist),
        now=pre_at,
    )
    final = judge(chair, now=chair.discharge.at)
    expected: dict[tuple[str, dt.datetime], tuple[str, str]] = {}
    missing_rules: set[str] = set()
    readings = {r.at for r in chair.readings}
    for alert in (*at_check_in.alerts, *final.alerts):
        if alert.rule in PREDOSE_RULES:
            key = (alert.rule, pre_at)
        elif alert.at in readings:
            key = (alert.rule, alert.at)
        elif alert.rule in missing_rules:
            continue
        else:
            missing_rules.add(alert.rule)
            key = (alert.rule, alert.at)
        expected.setdefault(key, (alert.level.value, alert.message))
    return {(rule, at, level, message) for (rule, at), (level, message) in expected.items()}


def test_alerts_are_what_the_monitoring_rules_say_of_each_session(seeded):
    _report, clinics = seeded
    sessions = TreatmentSession.objects.filter(clinic__in=clinics, status="discharged")

    for session in sessions:
        chair = load_chair(session.pk, session.clinic_id)
        stored = {
            (a.rule, a.at, a.level, a.message) for a in chair.alerts if a.rule != SIDE_EFFECT_RULE
        }
        assert stored == _expected_alerts(chair), session.pk
        assert not chair.open_alerts  # acknowledged before discharge
        result = judge(chair, now=chair.discharge.at)
        assert result.discharge.ready
        assert chair.discharge.criteria == [
            {
                "rule": c.rule,
                "status": c.status.value,
                "overridable": c.overridable,
                "sentence": c.sentence,
            }
            for c in result.discharge.criteria
        ]


def test_side_effects_alert_the_prescriber_as_safe_ae_grade_says(seeded):
    _report, clinics = seeded

    side_effects = SideEffect.objects.filter(clinic__in=clinics).select_related("session__plan")
    assert side_effects.exists()
    for side_effect in side_effects:
        assert side_effect.term in TERMS
        level = side_effect_alert_level(side_effect.grade, side_effect.serious)
        alerts = SessionAlert.objects.filter(
            session=side_effect.session, rule=SIDE_EFFECT_RULE, at__gte=side_effect.onset_at
        )
        message = notification_message(
            TERMS[side_effect.term],
            side_effect.grade,
            side_effect.serious,
            side_effect.session.plan.route,
        )
        if level is None:
            assert not alerts.filter(message=message).exists()
        else:
            assert alerts.filter(message=message, level=level.value).exists()


def test_one_audit_event_records_the_whole_run_and_the_chain_holds(seeded):
    report, _clinics = seeded

    events = AuditEvent.objects.filter(object_type=SEED_OBJECT)
    assert events.count() == 1
    event = events.get()
    assert event.channel in {"cli", "system"} and event.object_id == "5"
    assert "patients=40" in event.detail and f"rows={report.rows}" in event.detail
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_records_with_a_history_have_their_creation_in_it(seeded):
    _report, clinics = seeded

    for patient in Patient.objects.filter(clinic__in=clinics):
        assert [h.history_type for h in patient.history.all()] == ["+"]
    session = TreatmentSession.objects.filter(clinic__in=clinics, status="discharged").first()
    assert session.history.get().status == "discharged"


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "sentence"),
    [
        (["--patients", "-1"], "--patients must be a whole number from 0"),
        (["--patients", "5", "--clinics", "0"], "--clinics must be a whole number from 1"),
        (["--patients", "5", "--seed", "-2"], "--seed must be a whole number"),
        (["--patients", "5", "--today", "2026-13-01"], "--today must be a date as YYYY-MM-DD"),
        (["--patients", "5", "--today", "2999-01-01"], "--today must not be after today"),
        (["--patients", "5", "--workers", "-1"], "--workers must be a whole number"),
    ],
)
def test_bad_arguments_stop_with_exit_status_2_and_one_sentence(db, arguments, sentence):
    with pytest.raises(CommandError) as refused:
        call_command("seed", *arguments, "--quiet")

    assert refused.value.returncode == 2
    assert sentence in str(refused.value)
    assert not Clinic.objects.exists() and not AuditEvent.objects.exists()


def test_a_seed_whose_clinics_exist_is_refused_and_nothing_is_added(db):
    call_command("seed", "--patients", "3", "--seed", "8", "--quiet", stdout=io.StringIO())
    counts = (Patient.objects.count(), AuditEvent.objects.count())

    with pytest.raises(CommandError) as refused:
        call_command("seed", "--patients", "3", "--seed", "8", "--quiet")

    assert refused.value.returncode == 2
    assert "Clinics of seed 8 exist already" in str(refused.value)
    assert (Patient.objects.count(), AuditEvent.objects.count()) == counts


def test_the_command_prints_the_rows_and_the_rate(db):
    out = io.StringIO()
    call_command("seed", "--patients", "12", "--clinics", "2", "--seed", "4", "--quiet", stdout=out)

    text = out.getvalue()
    assert "patients_patient" in text and "chair_reading" in text
    assert "rows/s" in text and "patients/s" in text


# --- the same seed, the same data ------------------------------------------------------------


def _fingerprint(clinic_ids: list[int]) -> str:
    """The seeded rows of these clinics, ids taken relative to the run (so two runs compare),
    staff by user name and clinics by name."""
    users = dict(
        Membership.objects.filter(clinic_id__in=clinic_ids).values_list("user_id", "user__username")
    )
    clinics = dict(Clinic.objects.filter(pk__in=clinic_ids).values_list("pk", "name"))
    by_label = {t.model._meta.label: t for t in tables().values()}
    firsts = {
        label: t.model.objects.filter(clinic_id__in=clinic_ids).aggregate(first=Min("id"))["first"]
        for label, t in by_label.items()
    }
    digest = hashlib.sha256()
    for table in by_label.values():
        fields = table.model._meta.concrete_fields
        users_at = [i for i, f in enumerate(fields) if f.is_relation and f.related_model is User]
        clinic_at = table.columns.index("clinic_id")
        rows = (
            table.model.objects.filter(clinic_id__in=clinic_ids)
            .order_by("id")
            .values_list(*table.columns)
        )
        for row in rows:
            values = list(row)
            for index, label in table.local_refs:
                if values[index] is not None:
                    values[index] -= firsts[label]
            for index in users_at:
                values[index] = users.get(values[index])
            values[clinic_at] = clinics[values[clinic_at]]
            digest.update(repr(values).encode())
    return digest.hexdigest()


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_writes_the_same_data_whatever_the_workers():
    first = _seed(patients=30, clinics=2, seed=12, workers=0)
    before = _fingerprint(first.clinics)
    call_command("flush", interactive=False, verbosity=0)

    again = _seed(patients=30, clinics=2, seed=12, workers=2)

    assert _fingerprint(again.clinics) == before
    assert again.counts == first.counts


# --- questionnaire answers and their timepoints -------------------------------------------


def test_answers_are_tied_to_their_timepoints_and_scored_by_the_core(seeded):
    from ketacare.clinical.instruments.scoring import score
    from ketacare.outcomes.models import Timepoint

    _report, clinics = seeded
    timepoints = Timepoint.objects.filter(clinic__in=clinics).select_related("assessment", "plan")
    assert timepoints.filter(kind="baseline").exists()
    assert timepoints.filter(kind="before_session").exists()
    for timepoint in timepoints:
        assert timepoint.due_on < TODAY and timepoint.instrument == "phq9"
        assert timepoint.patient_id == timepoint.plan.patient_id
        answer = timepoint.assessment
        if answer is None:
            continue
        assert answer.patient_id == timepoint.patient_id and answer.instrument == "phq9"
        assert answer.completed_at.date() == timepoint.due_on
        assert answer.total == score("phq9", answer.answers).total
        by_link = timepoint.kind in ("weekly", "monthly")
        assert answer.source == ("patient_link" if by_link else "staff")
    # Every plan with a given session has its baseline; one answer per timepoint at most.
    given = TreatmentSession.objects.filter(
        clinic__in=clinics, status__in=("dosed", "discharged")
    ).values("plan_id")
    assert set(given.values_list("plan_id", flat=True)) == set(
        timepoints.filter(kind="baseline").values_list("plan_id", flat=True)
    )


def test_a_year_of_answers_gives_rates_near_the_trials(db):
    from ketacare.outcomes.clinic_outcomes import OutcomeFilters, compute_clinic_outcomes

    report = run_seed(
        SeedOptions(patients=400, clinics=1, seed=9, today=TODAY, months=12), workers=0
    )
    filters = OutcomeFilters(TODAY - dt.timedelta(days=420), TODAY)
    result = compute_clinic_outcomes(report.clinics[0], filters)
    assert result.response.n >= 60
    assert 0.35 <= (result.response.rate or 0) <= 0.70
    assert 0.15 <= (result.remission.rate or 0) <= 0.45
    assert 0 < result.relapse.events < result.relapse.followed
