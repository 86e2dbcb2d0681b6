"""Esketamine label rules used by plans and sessions (reference 1.3; SAFE-ESK-DOSE)."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.dosing import (
    EsketamineIndication,
    allowed_esketamine_doses_mg,
    check_esketamine_dose,
    check_esketamine_frequency,
    esketamine_first_dose_mg,
    esketamine_population_notes,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.boundary_helpers import whole
from tests.clinical.settings_helpers import MovedSettings

TRD = EsketamineIndication.TRD
MDSI = EsketamineIndication.MDSI
MONDAY = dt.date(2026, 11, 30)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def test_first_doses_are_56_mg_for_trd_and_84_mg_for_mdsi() -> None:
    assert esketamine_first_dose_mg(TRD) == DEFAULT_SETTINGS.value(
        "DOSE-ESK-FIRST-TRD", "first_dose_mg"
    )
    assert esketamine_first_dose_mg(TRD) == 56
    assert esketamine_first_dose_mg(MDSI) == 84


def test_first_trd_session_at_56_mg_is_allowed_without_alerts() -> None:
    check = check_esketamine_dose(56, indication=TRD, first_session=True)

    assert check.allowed
    assert check.alerts == ()


def test_first_trd_session_at_84_mg_is_not_allowed() -> None:
    check = check_esketamine_dose(84, indication=TRD, first_session=True)

    assert not check.allowed
    assert [(a.rule, a.level) for a in check.alerts] == [("DOSE-ESK-FIRST-TRD", "critical")]


def test_later_trd_session_at_84_mg_is_allowed() -> None:
    assert check_esketamine_dose(84, indication=TRD, first_session=False).allowed


def test_first_trd_session_at_28_mg_is_allowed_with_information() -> None:
    check = check_esketamine_dose(28, indication=TRD, first_session=True)

    assert check.allowed
    assert {a.rule for a in check.alerts} == {"DOSE-ESK-ALLOWED", "DOSE-ESK-FIRST-TRD"}
    assert {a.level for a in check.alerts} == {"info"}


@pytest.mark.parametrize(
    ("dose", "allowed", "levels"),
    [(84, True, []), (56, True, ["info"]), (28, False, ["info", "critical"])],
)
def test_mdsi_is_84_mg_with_56_allowed(dose: int, allowed: bool, levels: list[str]) -> None:
    check = check_esketamine_dose(dose, indication=MDSI, first_session=True)

    assert check.allowed is allowed
    assert [a.level for a in check.alerts] == levels


def test_a_dose_outside_the_allowed_set_is_an_input_error() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        check_esketamine_dose(70, indication=TRD, first_session=False)
    assert caught.value.field == "dose_mg"


@pytest.mark.parametrize(
    ("age", "japanese", "rules"),
    [
        (64, False, []),
        (65, False, ["DOSE-ESK-ELDERLY-EU", "DOSE-ESK-ESCAPE"]),
        (74, False, ["DOSE-ESK-ELDERLY-EU", "DOSE-ESK-ESCAPE"]),
        (75, False, ["DOSE-ESK-ELDERLY-EU"]),
        (40, True, ["DOSE-ESK-ESCAPE"]),
    ],
)
def test_population_notes_follow_the_eu_smpc_and_escape_trd(
    age: int, japanese: bool, rules: list[str]
) -> None:
    notes = esketamine_population_notes(age_years=age, japanese_ancestry=japanese)

    assert [n.rule for n in notes] == rules
    assert all(n.level == "info" for n in notes)


def test_population_note_ages_come_from_the_registry() -> None:
    boundary = whole("DOSE-ESK-ELDERLY-EU", "age_at_least_years")
    below = esketamine_population_notes(age_years=boundary - 1)
    at = esketamine_population_notes(age_years=boundary)

    assert "DOSE-ESK-ELDERLY-EU" not in [n.rule for n in below]
    assert "DOSE-ESK-ELDERLY-EU" in [n.rule for n in at]


def test_population_notes_name_the_registry_ages_and_doses() -> None:
    elderly = whole("DOSE-ESK-ELDERLY-EU", "age_at_least_years")
    escape_from = whole("DOSE-ESK-ESCAPE", "age_from_years")
    escape_to = whole("DOSE-ESK-ESCAPE", "age_to_years")
    *lower, highest = allowed_esketamine_doses_mg()

    notes = {n.rule: n.message for n in esketamine_population_notes(age_years=escape_to)}

    start = whole("DOSE-ESK-ELDERLY-EU", "starting_dose_mg")
    doses = f"{', '.join(str(mg) for mg in lower)} or {highest} mg"
    assert notes["DOSE-ESK-ELDERLY-EU"] == (
        f"EU/HK SmPC: from age {elderly} start at {start} mg, then {doses} "
        "(not in the US label as located)."
    )
    assert f"for ages {escape_from}-{escape_to} and" in notes["DOSE-ESK-ESCAPE"]


def test_population_note_numbers_are_read_from_settings() -> None:
    # The ages and doses are fixed in the registry, so no clinic can move them: moved here to
    # show that the notes read them instead of repeating 65, 65-74 and 28/56/84.
    step = whole("DOSE-ESK-ALLOWED", "step_mg")
    settings = MovedSettings(
        {
            ("DOSE-ESK-ELDERLY-EU", "age_at_least_years"): 60,
            ("DOSE-ESK-ESCAPE", "age_from_years"): 61,
            ("DOSE-ESK-ESCAPE", "age_to_years"): 71,
            ("DOSE-ESK-ALLOWED", "maximum_mg"): 4 * step,
        }
    )

    notes = {
        n.rule: n.message for n in esketamine_population_notes(age_years=62, settings=settings)
    }

    assert "from age 60 start" in notes["DOSE-ESK-ELDERLY-EU"]
    assert f"then {step}, {2 * step}, {3 * step} or {4 * step} mg" in notes["DOSE-ESK-ELDERLY-EU"]
    assert "for ages 61-71 and" in notes["DOSE-ESK-ESCAPE"]


@pytest.mark.parametrize(
    ("booked", "proposed", "allowed"),
    [
        ([], 0, True),
        ([0], 2, True),
        ([0, 3], 7, True),  # the window of day 7 is days 1-7: holds day 3 only
        ([0, 3], 6, False),  # days 0-6 would hold three
        ([0, 3], 5, False),
        ([0], 0, False),  # never two on one date
        ([3, 7], 0, True),  # the windows of day 0 (days -6..6) hold day 3 only
        ([2, 7], 0, True),
        ([1, 6], 0, False),  # 0-6 would hold 0, 1 and 6
        ([10, 13], 6, True),
        ([10, 12], 6, False),  # days 6-12 would hold three
    ],
)
def test_at_most_two_sessions_in_any_seven_days(
    booked: list[int], proposed: int, allowed: bool
) -> None:
    alert = check_esketamine_frequency([day(d) for d in booked], day(proposed))

    assert (alert is None) is allowed
    if alert is not None:
        assert (alert.rule, alert.level) == ("DOSE-ESK-MAX-FREQUENCY", "critical")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: check_esketamine_dose(84, indication="trd", first_session=True), "indication"),
        (lambda: check_esketamine_dose(56, indication=TRD, first_session="yes"), "first_session"),
        (lambda: esketamine_first_dose_mg("mdsi"), "indication"),
        (lambda: esketamine_population_notes(age_years="70"), "age_years"),
        (lambda: check_esketamine_frequency(["2026-12-01"], day(2)), "session_dates.0"),
        (lambda: check_esketamine_frequency([], dt.date(9999, 12, 31)), "proposed"),
    ],
)
def test_esketamine_rules_refuse_wrong_types_instead_of_reading_them_wrongly(call, field):
    # A plain "trd" string once fell into the MDSI branch (`is` comparison): never again.
    with pytest.raises(ClinicalInputError) as caught:
        call()
    assert caught.value.field == field
