"""Who may decide what at the chair (`ketacare.clinical.monitoring.decisions`): the pre-dose
rules, the holds a prescriber may dose over, DISCH-ESCORT with the no-driving instruction, and the
level of SAFE-AE-GRADE's alert at every grade."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.catalog.monitoring import RULES
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    HOLD_RULES,
    PREDOSE_RULES,
    PRESCRIBER_DECIDABLE_HOLDS,
    Alert,
    Attestations,
    Checklist,
    CriterionStatus,
    Level,
    Reading,
    SessionState,
    Vitals,
    evaluate,
    hold_alerts,
    needs_acknowledgement,
    overridable_unmet,
    side_effect_alert_level,
    undecidable_holds,
    with_driving_instruction,
)
from ketacare.clinical.rules import ClinicalSettings

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def alert(rule: str) -> Alert:
    return Alert(rule, Level.WARNING, T0, "message")


# --- pre-dose rules and holds ----------------------------------------------------------------


def test_the_pre_dose_rules_are_those_of_reference_3_5() -> None:
    assert {
        "MON-REMS-ENROLLED",
        "MON-BP-HOLD",
        "MON-BP-PREDOSE-SEVERE",
        "MON-SPO2-HOLD",
        "MON-HR-PREDOSE",
        "MON-FASTING",
        "MON-NASAL-MEDS",
        "MON-PREG-TEST",
        "MON-ESCORT",
    } == PREDOSE_RULES
    assert HOLD_RULES <= PREDOSE_RULES
    assert {rule.id for rule in RULES} >= PREDOSE_RULES


def test_every_alert_of_a_pre_dose_state_is_a_pre_dose_rule() -> None:
    state = SessionState(
        route=ESKETAMINE,
        pre_dose=Vitals(systolic=190, diastolic=115, heart_rate=130, spo2=90),
        checklist=Checklist(
            rems_setting_certified=False,
            rems_patient_enrolled=False,
            pregnancy_status_documented=False,
            escort_confirmed=False,
            last_food_at=at(-10),
            nasal_medication_at=at(-10),
        ),
    )

    result = evaluate(state, now=T0)

    assert {a.rule for a in result.alerts} == PREDOSE_RULES


def test_a_prescriber_decides_over_the_blood_pressure_and_spo2_holds_only() -> None:
    assert frozenset({"MON-BP-HOLD", "MON-SPO2-HOLD"}) == PRESCRIBER_DECIDABLE_HOLDS
    assert PRESCRIBER_DECIDABLE_HOLDS < HOLD_RULES


@pytest.mark.parametrize(
    ("rules", "never"),
    [
        ((), ()),
        (("MON-BP-HOLD",), ()),
        (("MON-SPO2-HOLD", "MON-FASTING"), ()),
        (("MON-BP-HOLD", "MON-BP-PREDOSE-SEVERE"), ("MON-BP-PREDOSE-SEVERE",)),
        (("MON-REMS-ENROLLED",), ("MON-REMS-ENROLLED",)),
        (("MON-ESCORT", "MON-HR-PREDOSE"), ()),
    ],
)
def test_undecidable_holds(rules: tuple[str, ...], never: tuple[str, ...]) -> None:
    alerts = [alert(rule) for rule in rules]

    assert tuple(a.rule for a in undecidable_holds(alerts)) == never
    assert {a.rule for a in hold_alerts(alerts)} == set(rules) & HOLD_RULES


# --- discharge ---------------------------------------------------------------------------------


def ready_state(**attestations: bool) -> SessionState:
    """An esketamine session that may leave at +121 min (every criterion holds)."""
    return SessionState(
        route=ESKETAMINE,
        dose_at=T0,
        pre_dose=Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=98, moaas=5),
        readings=(
            Reading(at=at(40), systolic=130, diastolic=82, spo2=98, moaas=5),
            Reading(at=at(115), systolic=126, diastolic=78, spo2=98, moaas=5),
        ),
        checklist=Checklist(escort_confirmed=True),
        attestations=Attestations(dissociation_resolved=True, **attestations),
    )


def test_an_instructed_patient_keeps_the_cores_judgement() -> None:
    discharge = evaluate(ready_state(), now=at(121)).discharge
    assert discharge is not None and discharge.ready

    assert with_driving_instruction(discharge, instructed=True) is discharge


def test_without_the_no_driving_instruction_the_escort_criterion_does_not_hold() -> None:
    discharge = evaluate(ready_state(), now=at(121)).discharge
    assert discharge is not None

    judged = with_driving_instruction(discharge, instructed=False)

    assert not judged.ready
    assert [rule for rule, _ in judged.reasons] == ["DISCH-ESCORT"]
    assert "drive" in judged.reasons[0][1]
    assert overridable_unmet(judged) == (("DISCH-ESCORT",), ())


def test_an_overridden_escort_criterion_stays_overridden_without_the_instruction() -> None:
    discharge = evaluate(ready_state(), now=at(121), overrides={"DISCH-ESCORT"}).discharge
    assert discharge is not None

    judged = with_driving_instruction(discharge, instructed=False, overrides={"DISCH-ESCORT"})

    assert judged.ready
    escort = next(c for c in judged.criteria if c.rule == "DISCH-ESCORT")
    assert escort.status is CriterionStatus.OVERRIDDEN


def test_the_minimum_time_is_the_one_criterion_nobody_overrides() -> None:
    discharge = evaluate(ready_state(), now=at(119)).discharge
    assert discharge is not None

    overridable, never = overridable_unmet(with_driving_instruction(discharge, instructed=False))

    assert never == ("DISCH-ESK-MIN-TIME",)
    assert overridable == ("DISCH-ESCORT",)


# --- SAFE-AE-GRADE ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "serious", "level"),
    [
        (1, False, None),
        (2, False, None),
        (3, False, Level.WARNING),
        (4, False, Level.CRITICAL),
        (5, False, Level.CRITICAL),
        (1, True, Level.CRITICAL),
        (3, True, Level.CRITICAL),
    ],
)
def test_the_prescribers_alert_at_each_grade(
    grade: int, serious: bool, level: Level | None
) -> None:
    assert side_effect_alert_level(grade, serious) == level


def test_a_clinic_notifying_earlier_is_warned_earlier() -> None:
    earlier = ClinicalSettings.with_overrides(
        {"SAFE-AE-GRADE": {"notify_prescriber_grade_at_least": 2}}
    )

    assert side_effect_alert_level(1, False, earlier) is None
    assert side_effect_alert_level(2, False, earlier) == Level.WARNING
    assert side_effect_alert_level(4, False, earlier) == Level.CRITICAL


# --- which alerts ask for an acknowledgement --------------------------------------------------


@pytest.mark.parametrize(
    ("level", "asks"),
    [
        (Level.INFO, False),
        (Level.WARNING, True),
        (Level.CRITICAL, True),
        ("info", False),
        ("warning", True),
        ("critical", True),
        ("unknown", True),
    ],
)
def test_only_info_alerts_ask_for_no_acknowledgement(level, asks) -> None:
    assert needs_acknowledgement(level) is asks


def test_a_recorded_cadss_is_information_that_asks_for_no_acknowledgement() -> None:
    state = SessionState(
        route=ESKETAMINE,
        dose_at=T0,
        pre_dose=Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=98),
        readings=(Reading(at=at(40), cadss=20),),
    )

    (alert,) = [a for a in evaluate(state, now=at(41)).alerts if a.rule == "MON-DISSOCIATION"]

    assert alert.level is Level.INFO
    assert not needs_acknowledgement(alert.level)
