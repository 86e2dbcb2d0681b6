"""The answers of the REMS Patient Monitoring Form (reference 3.2, SAFE-REMS-FORM), each at the
boundary of the rule that decides it, and read from the settings (a moved threshold moves the
answer)."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical import rems_form as f
from ketacare.clinical.monitoring import ESKETAMINE, Reading, SessionState, Vitals, evaluate
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.monitoring_helpers import T0, at
from tests.clinical.settings_helpers import MovedSettings

S = DEFAULT_SETTINGS
DUE = int(S.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min"))
OPENS = int(S.value("MON-BP-40MIN", "window_opens_after_dose_min"))
CLOSES = int(S.value("MON-BP-40MIN", "window_closes_after_dose_min"))
SEDATED = int(S.value("MON-SEDATION", "moaas_at_or_below"))
RESOLVED = int(S.value("DISCH-SEDATION", "moaas_at_or_above"))
NORMAL = Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=98)


def state(*readings: Reading, pre_dose: Vitals = NORMAL) -> SessionState:
    return SessionState(route=ESKETAMINE, dose_at=T0, pre_dose=pre_dose, readings=readings)


def alerts_of(session: SessionState, minute: float = 130) -> tuple:
    return evaluate(session, now=at(minute)).alerts


# --- dose box, medicines, duration ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dose_mg", "box"), [(56, "56"), (84, "84"), (28, "other"), (56.0, "56"), (55.9, "other")]
)
def test_the_dose_box_is_56_84_or_other(dose_mg, box):
    assert f.dose_choice(dose_mg) == box


def test_the_medicines_are_asked_in_the_forms_order_with_opioids_last():
    lines = f.concomitant_medications(["opioid", "antidepressant", "benzodiazepine"])

    assert [code for code, _, _ in lines] == [
        "benzodiazepine",
        "other_sedative",
        "stimulant",
        "maoi",
        "opioid",
    ]
    assert {code for code, _, present in lines if present} == {"benzodiazepine", "opioid"}


@pytest.mark.parametrize(
    ("span", "minutes"),
    [
        (dt.timedelta(minutes=120), 120),
        (dt.timedelta(minutes=119, seconds=59), 119),
        (dt.timedelta(minutes=121, seconds=30), 121),
    ],
)
def test_the_duration_counts_whole_minutes_from_the_first_device(span, minutes):
    assert f.treatment_duration_min(T0, T0 + span) == minutes


def test_the_minimum_is_the_esketamine_discharge_minimum():
    assert f.minimum_monitoring_min() == 120
    moved = MovedSettings({("DISCH-ESK-MIN-TIME", "minimum_after_dose_min"): 150})
    assert f.minimum_monitoring_min(moved) == 150


# --- vitals in an acceptable range ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pre_dose", "acceptable"),
    [
        (Vitals(systolic=140, diastolic=90, heart_rate=72, spo2=93), True),
        (Vitals(systolic=141, diastolic=90, heart_rate=72, spo2=93), False),
        (Vitals(systolic=140, diastolic=91, heart_rate=72, spo2=93), False),
        (Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=92), False),
        (Vitals(systolic=128, diastolic=80, heart_rate=111, spo2=98), False),
        (Vitals(systolic=128, diastolic=80, heart_rate=110, spo2=98), True),
    ],
    ids=["140/90", "141/90", "140/91", "spo2-92", "hr-111", "hr-110"],
)
def test_vitals_before_administration_follow_the_pre_dose_rules(pre_dose, acceptable):
    session = state(pre_dose=pre_dose)

    assert f.vitals_acceptable_before_dose(session, alerts_of(session)) is acceptable


def test_no_pre_dose_vitals_is_not_recorded():
    session = state(pre_dose=Vitals())

    assert f.vitals_acceptable_before_dose(session, alerts_of(session)) is None


@pytest.mark.parametrize(
    ("last", "acceptable"),
    [
        (Reading(at=at(115), systolic=140, diastolic=90, spo2=93, heart_rate=80), True),
        (Reading(at=at(115), systolic=141, diastolic=88, spo2=97), False),
        (Reading(at=at(115), systolic=130, diastolic=80, spo2=92), False),
        (Reading(at=at(115), systolic=130, diastolic=80, respiratory_rate=9), False),
        (Reading(at=at(115), systolic=130, diastolic=80, respiratory_rate=10), True),
        (Reading(at=at(115), systolic=130, diastolic=80, heart_rate=121), False),
    ],
    ids=["140/90", "141/88", "spo2-92", "rr-9", "rr-10", "hr-121"],
)
def test_vitals_before_completion_are_judged_on_the_last_vitals(last, acceptable):
    # An elevated reading earlier does not count once the last one is in range, and vice versa.
    earlier = Reading(at=at(40), systolic=165, diastolic=100, spo2=97)
    session = state(earlier, last)

    assert f.vitals_acceptable_at_end(session, alerts_of(session), at(125)) is acceptable


def test_a_reading_after_the_end_and_one_without_vitals_are_not_the_last_vitals():
    session = state(
        Reading(at=at(110), systolic=130, diastolic=80),
        Reading(at=at(118), moaas=5),
        Reading(at=at(130), systolic=190, diastolic=100),
    )

    assert f.last_vitals_at(session, at(125)) == at(110)
    assert f.vitals_acceptable_at_end(session, alerts_of(session, 131), at(125)) is True


def test_no_vitals_after_the_dose_is_not_recorded():
    session = state(Reading(at=at(50), moaas=5))

    assert f.vitals_acceptable_at_end(session, alerts_of(session), at(125)) is None


# --- the blood pressures the form records --------------------------------------------------


@pytest.mark.parametrize(
    ("minute", "found"),
    [(OPENS - 1, False), (OPENS, True), (CLOSES, True), (CLOSES + 1, False)],
    ids=["window-1", "window-opens", "window-closes", "window+1"],
)
def test_the_40_minute_pressure_is_one_inside_the_check_window(minute, found):
    reading = Reading(at=at(minute), systolic=150, diastolic=92)

    assert (f.forty_minute_blood_pressure(T0, [reading]) == reading) is found


def test_the_40_minute_pressure_is_the_complete_one_nearest_the_check():
    half = Reading(at=at(DUE), systolic=150)
    early = Reading(at=at(DUE - 3), systolic=150, diastolic=92)
    near = Reading(at=at(DUE + 2), systolic=152, diastolic=94)
    tie = Reading(at=at(DUE - 2), systolic=149, diastolic=91)

    assert f.forty_minute_blood_pressure(T0, [half, early, near]) == near
    assert f.forty_minute_blood_pressure(T0, [near, tie]) == tie


def test_the_40_minute_window_is_read_from_the_settings():
    moved = MovedSettings({("MON-BP-40MIN", "window_closes_after_dose_min"): CLOSES + 5})
    late = Reading(at=at(CLOSES + 5), systolic=150, diastolic=92)

    assert f.forty_minute_blood_pressure(T0, [late]) is None
    assert f.forty_minute_blood_pressure(T0, [late], moved) == late


def test_the_pressure_at_the_end_is_the_last_complete_one_before_it():
    readings = [
        Reading(at=at(100), systolic=132, diastolic=84),
        Reading(at=at(115), systolic=128, diastolic=80),
        Reading(at=at(118), systolic=126),
        Reading(at=at(126), systolic=124, diastolic=78),
    ]

    assert f.blood_pressure_at_end(readings, at(125)) == readings[1]
    assert f.blood_pressure_at_end(readings[2:3], at(125)) is None


# --- sedation, dissociation, respiratory depression ----------------------------------------


@pytest.mark.parametrize(
    ("scores", "pre_dose_moaas", "occurred"),
    [
        ((RESOLVED,), None, False),
        ((RESOLVED - 1,), None, True),
        ((SEDATED + 1,), SEDATED + 1, False),
        ((SEDATED,), SEDATED + 1, True),
        ((SEDATED,), SEDATED, True),
        ((5, 5, 4, 5), 5, True),
    ],
    ids=["5-no-baseline", "4-no-baseline", "4-baseline-4", "3-baseline-4", "3-baseline-3",
         "dip"],
)  # fmt: skip
def test_sedation_is_a_drop_from_pre_dose_or_the_sedation_threshold(
    scores, pre_dose_moaas, occurred
):
    pre = Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=98, moaas=pre_dose_moaas)
    session = state(
        *(Reading(at=at(10 * i + 10), moaas=s) for i, s in enumerate(scores)), pre_dose=pre
    )

    assert f.sedation_occurred(session) is occurred


def test_sedation_reads_its_thresholds_from_the_settings():
    session = state(Reading(at=at(30), moaas=4))
    moved = MovedSettings({("DISCH-SEDATION", "moaas_at_or_above"): 4})

    assert f.sedation_occurred(session) is True
    assert f.sedation_occurred(session, settings=moved) is False


def test_sedation_without_moaas_is_not_recorded_unless_charted_as_a_side_effect():
    session = state(Reading(at=at(40), systolic=130, diastolic=80))

    assert f.sedation_occurred(session) is None
    assert f.sedation_occurred(session, ["nausea"]) is None
    assert f.sedation_occurred(session, ["sedation"]) is True


@pytest.mark.parametrize(("scores", "occurred"), [((0,), False), ((1,), True), ((0, 12, 0), True)])
def test_dissociation_is_a_cadss_above_zero(scores, occurred):
    session = state(*(Reading(at=at(10 * i + 10), cadss=s) for i, s in enumerate(scores)))

    assert f.dissociation_occurred(session) is occurred


def test_dissociation_without_cadss_is_not_recorded_unless_charted_as_a_side_effect():
    session = state(Reading(at=at(40), moaas=5))

    assert f.dissociation_occurred(session) is None
    assert f.dissociation_occurred(session, ["dissociation"]) is True


@pytest.mark.parametrize(
    ("reading", "occurred"),
    [
        (Reading(at=at(40), spo2=93, respiratory_rate=10), False),
        (Reading(at=at(40), spo2=92), True),
        (Reading(at=at(40), spo2=89), True),
        (Reading(at=at(40), respiratory_rate=9), True),
        (Reading(at=at(40), moaas=5), None),
    ],
    ids=["93-10", "spo2-92", "spo2-89", "rr-9", "nothing-charted"],
)
def test_respiratory_depression_is_a_respiratory_alert(reading, occurred):
    session = state(reading)

    assert f.respiratory_depression_occurred(session, alerts_of(session)) is occurred


def test_a_low_pre_dose_spo2_is_not_respiratory_depression_after_the_dose():
    pre = Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=92)
    session = state(Reading(at=at(40), spo2=97), pre_dose=pre)

    assert f.respiratory_depression_occurred(session, alerts_of(session)) is False
