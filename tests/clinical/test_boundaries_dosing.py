"""Dosing and scheduling boundaries at the value and one step either side, every number from the
registry: the IV warning dose (DOSE-IV-MGKG), the esketamine label rules (DOSE-ESK-*), and the
spacing rules of the schedule planner (PROT-*-SPACING). Configurable thresholds are probed again
on a clinic that moved them one step, so a literal in the code fails a row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from ketacare.clinical.dosing import (
    EsketamineDoseOrder,
    EsketamineIndication,
    IvDoseOrder,
    check_esketamine_dose,
    check_esketamine_frequency,
    compute_dose,
    esketamine_population_notes,
)
from ketacare.clinical.protocols import PROTOCOLS, SpacingKind, generate_schedule
from ketacare.clinical.protocols.model import Protocol
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.boundary_helpers import Probe, probes, refusal, row, whole

MONDAY = dt.date(2026, 11, 30)
TRD, MDSI = EsketamineIndication.TRD, EsketamineIndication.MDSI


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


# --- IV: warn (not refuse) above DOSE-IV-MGKG.warn_above_mg_per_kg, in steps of 0.01 mg/kg ----


def iv_order(dose_mg_per_kg: float) -> IvDoseOrder:
    # 70 kg at 1 mg/mL is the reference's worked example (1.2); the infusion time is the default.
    duration = float(DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min"))
    return IvDoseOrder(70, dose_mg_per_kg, duration, 1.0)


@pytest.mark.parametrize("probe", probes("DOSE-IV-MGKG", "warn_above_mg_per_kg", step=0.01))
def test_an_iv_dose_warns_only_above_the_warning_threshold(probe: Probe) -> None:
    result = compute_dose(iv_order(float(probe.value)), probe.settings)

    warned = [(alert.rule, alert.level) for alert in result.alerts]
    assert warned == ([("DOSE-IV-MGKG", "warning")] if probe.offset > 0 else [])


# --- esketamine: the allowed doses and their info alert (DOSE-ESK-ALLOWED) ---------------------

ALLOWED = "DOSE-ESK-ALLOWED"
LOWEST = whole(ALLOWED, "minimum_mg")
HIGHEST = whole(ALLOWED, "maximum_mg")
STEP = whole(ALLOWED, "step_mg")
INFO_BELOW = whole(ALLOWED, "info_below_mg")
PER_DEVICE = whole("DOSE-ESK-DEVICES", "mg_per_device")

# 1 mg either side of an allowed dose is not a multiple of the step; a step beyond an end is the
# neighbouring dose that is not allowed.
ALLOWED_DOSES = [
    row(ALLOWED, "minimum_mg", "step-below", LOWEST - STEP, False),
    row(ALLOWED, "minimum_mg", "below", LOWEST - 1, False),
    row(ALLOWED, "minimum_mg", "at", LOWEST, True),
    row(ALLOWED, "minimum_mg", "above", LOWEST + 1, False),
    row(ALLOWED, "step_mg", "below", LOWEST + STEP - 1, False),
    row(ALLOWED, "step_mg", "at", LOWEST + STEP, True),
    row(ALLOWED, "step_mg", "above", LOWEST + STEP + 1, False),
    row(ALLOWED, "maximum_mg", "below", HIGHEST - 1, False),
    row(ALLOWED, "maximum_mg", "at", HIGHEST, True),
    row(ALLOWED, "maximum_mg", "above", HIGHEST + 1, False),
    row(ALLOWED, "maximum_mg", "step-above", HIGHEST + STEP, False),
]


@pytest.mark.parametrize(("dose", "allowed"), ALLOWED_DOSES)
def test_an_esketamine_dose_is_computed_only_on_an_allowed_step(dose: int, allowed: bool) -> None:
    if allowed:
        result = compute_dose(EsketamineDoseOrder(dose))
        assert (result.dose_mg, result.devices) == (dose, dose // PER_DEVICE)
    else:
        error = refusal(compute_dose, EsketamineDoseOrder(dose))
        assert error.field == "dose_mg"
        assert ALLOWED in error.message


@pytest.mark.parametrize(
    ("dose", "informed"),
    [
        row(ALLOWED, "info_below_mg", "step-below", INFO_BELOW - STEP, True),
        row(ALLOWED, "info_below_mg", "at", INFO_BELOW, False),
        row(ALLOWED, "info_below_mg", "step-above", INFO_BELOW + STEP, False),
    ],
)
def test_an_esketamine_dose_below_the_lowest_label_dose_carries_information(
    dose: int, informed: bool
) -> None:
    alerts = [(a.rule, a.level) for a in compute_dose(EsketamineDoseOrder(dose)).alerts]
    assert alerts == ([(ALLOWED, "info")] if informed else [])


# --- esketamine: first doses of each indication (DOSE-ESK-FIRST-TRD, -FIRST-MDSI) --------------

FIRST_TRD_RULE, FIRST_MDSI_RULE = "DOSE-ESK-FIRST-TRD", "DOSE-ESK-FIRST-MDSI"
FIRST_TRD = whole(FIRST_TRD_RULE, "first_dose_mg")
MDSI_DOSE = whole(FIRST_MDSI_RULE, "dose_mg")
MDSI_REDUCED = whole(FIRST_MDSI_RULE, "reduced_dose_mg")
INPUT_ERROR = None  # the dose is not an allowed esketamine dose at all


def trd_row(side: str, dose: int, allowed: bool, levels: list[str]) -> object:
    return row(FIRST_TRD_RULE, "first_dose_mg", side, FIRST_TRD_RULE, TRD, dose, allowed, levels)


def mdsi_row(name: str, side: str, dose: int, allowed: bool | None, levels: list[str]) -> object:
    return row(FIRST_MDSI_RULE, name, side, FIRST_MDSI_RULE, MDSI, dose, allowed, levels)


# (rule, indication, first-session dose, allowed or INPUT_ERROR, levels of the rule's alerts)
FIRST_DOSES = [
    trd_row("step-below", FIRST_TRD - STEP, True, ["info"]),
    trd_row("at", FIRST_TRD, True, []),
    trd_row("step-above", FIRST_TRD + STEP, False, ["critical"]),
    mdsi_row("dose_mg", "step-below", MDSI_DOSE - STEP, True, ["info"]),
    mdsi_row("dose_mg", "at", MDSI_DOSE, True, []),
    mdsi_row("dose_mg", "step-above", MDSI_DOSE + STEP, INPUT_ERROR, []),
    mdsi_row("reduced_dose_mg", "step-below", MDSI_REDUCED - STEP, False, ["critical"]),
    mdsi_row("reduced_dose_mg", "at", MDSI_REDUCED, True, ["info"]),
    mdsi_row("reduced_dose_mg", "step-above", MDSI_REDUCED + STEP, True, []),
]


@pytest.mark.parametrize(("rule", "indication", "dose", "allowed", "levels"), FIRST_DOSES)
def test_a_first_esketamine_dose_keeps_to_its_indication(
    rule: str, indication: EsketamineIndication, dose: int, allowed: bool | None, levels: list[str]
) -> None:
    if allowed is INPUT_ERROR:
        error = refusal(check_esketamine_dose, dose, indication=indication, first_session=True)
        assert error.field == "dose_mg"
        return
    check = check_esketamine_dose(dose, indication=indication, first_session=True)
    assert check.allowed is allowed
    assert [alert.level for alert in check.alerts if alert.rule == rule] == levels


def test_a_later_trd_session_may_go_above_the_first_dose() -> None:
    check = check_esketamine_dose(FIRST_TRD + STEP, indication=TRD, first_session=False)
    assert check.allowed
    assert check.alerts == ()


# --- esketamine: lower starts for older adults (information only) ------------------------------

# (rule, threshold, +1 where the note covers ages from the threshold up, -1 where up to it)
AGE_EDGES = [
    ("DOSE-ESK-ELDERLY-EU", "age_at_least_years", 1),
    ("DOSE-ESK-ESCAPE", "age_from_years", 1),
    ("DOSE-ESK-ESCAPE", "age_to_years", -1),
]


@pytest.mark.parametrize(
    ("rule", "inward", "probe"),
    [p for rule, name, inward in AGE_EDGES for p in probes(rule, name, rule, inward)],
)
def test_a_population_note_covers_its_ages_inclusive(rule: str, inward: int, probe: Probe) -> None:
    # Asserted on the rule id: the notes' wording is not what this test is about.
    notes = esketamine_population_notes(age_years=int(probe.value), settings=probe.settings)
    assert (rule in [note.rule for note in notes]) is (probe.offset * inward >= 0)


# --- esketamine: at most N sessions in any W days (DOSE-ESK-MAX-FREQUENCY) ---------------------

FREQUENCY = "DOSE-ESK-MAX-FREQUENCY"
MOST = whole(FREQUENCY, "maximum_sessions")


def sessions_in_a_row(count: int) -> list[int]:
    """`count` sessions on consecutive days: one window holds them all."""
    return list(range(count))


def sessions_spanning(days: int) -> list[int]:
    """One session more than the maximum, the first and last `days` calendar days apart
    inclusive (the others right after the first)."""
    return [*range(MOST), days - 1]


# (how the probed value lays sessions out, the probe offsets that are refused): one session more
# than the maximum is refused, and so is the maximum plus one within the window, not beyond it.
FREQUENCY_ROWS = [
    *probes(FREQUENCY, "maximum_sessions", sessions_in_a_row, {1}),
    *probes(FREQUENCY, "window_days", sessions_spanning, {-1, 0}),
]


@pytest.mark.parametrize("proposed_last", [True, False], ids=["proposed-last", "proposed-first"])
@pytest.mark.parametrize(("layout", "refused_offsets", "probe"), FREQUENCY_ROWS)
def test_a_session_is_refused_when_a_window_would_hold_more_than_the_maximum(
    layout: Callable[[int], list[int]],
    refused_offsets: set[int],
    probe: Probe,
    proposed_last: bool,
) -> None:
    days = layout(int(probe.value))
    proposed = days[-1] if proposed_last else days[0]
    booked = [day(d) for d in days if d != proposed]

    alert = check_esketamine_frequency(booked, day(proposed), probe.settings)

    assert (alert is not None) is (probe.offset in refused_offsets)
    if alert is not None:
        assert (alert.rule, alert.level) == (FREQUENCY, "critical")


# --- schedules: the protocol's spacing rule decides the next session's day ---------------------


def first_two_gaps(protocol: Protocol | str, clinic_offsets: set[int], probe: Probe) -> list[int]:
    """Days from the first session (on MONDAY) to the second, and from the second to the third,
    with clinic days on the weekdays of the given day offsets from MONDAY."""
    schedule = generate_schedule(
        protocol,
        start=MONDAY,
        clinic_days={day(offset).weekday() for offset in clinic_offsets},
        settings=probe.settings,
    )
    dates = [session.date for session in schedule.sessions[:3]]
    assert dates[0] == MONDAY
    return [(later - earlier).days for earlier, later in itertools.pairwise(dates)]


def one_step(protocol: Protocol, **changes: Any) -> Protocol:
    """The shipped protocol (its route, spacing rule and first phase's dose) with its first step
    changed to 3 sessions and `changes`, and no other step or phase."""
    phase = protocol.phases[0]
    step = dataclasses.replace(phase.steps[0], sessions=3, **changes)
    return dataclasses.replace(protocol, phases=(dataclasses.replace(phase, steps=(step,)),))


MINIMUM_SPACING = [
    p
    for protocol in PROTOCOLS.values()
    if protocol.spacing.kind is SpacingKind.MINIMUM_DAYS_APART
    for p in probes(protocol.spacing.rule, "minimum_days_apart", protocol)
]


@pytest.mark.parametrize("planned_daily", [False, True], ids=["as-shipped", "planned-every-day"])
@pytest.mark.parametrize(("protocol", "probe"), MINIMUM_SPACING)
def test_the_next_session_takes_the_first_clinic_day_at_the_minimum_days_apart(
    protocol: Protocol, probe: Probe, planned_daily: bool
) -> None:
    # The only other clinic day is `offered` days after the first session (same week). Planned
    # every day, a session is held back by the spacing rule alone, not by its planned day.
    offered = int(probe.value)
    assert 0 < offered < 7
    if planned_daily:
        protocol = one_step(protocol, per_week=None, every_days=1)
    gap = first_two_gaps(protocol, {0, offered}, probe)[0]
    if probe.offset >= 0:
        assert gap == offered
    else:
        assert gap > offered


TAPER = PROTOCOLS["iv_maintenance_taper"]


def pushed_layout(late: int) -> tuple[int, set[int]]:
    """An interval and clinic day offsets such that the second session is pushed `late` days
    past its planned day, while the third's planned day (two intervals in) is a clinic day."""
    for interval in range(8, 15):
        clinic = {0, interval + late, 2 * interval}
        skipped = {interval + k for k in range(late)}
        if not {d % 7 for d in clinic} & {d % 7 for d in skipped}:
            return interval, clinic
    raise AssertionError(f"no interval leaves {late} days free")


@pytest.mark.parametrize("probe", probes("PROT-IV-MAINTENANCE-TAPER-SPACING", "tolerance_days"))
def test_a_taper_session_comes_early_by_at_most_the_tolerance(probe: Probe) -> None:
    # After a session pushed `late` days, the next planned one is `late` days early. The shipped
    # intervals are whole weeks, whose planned days always fall on the first session's weekday
    # (a clinic day), so no session is ever pushed: the test takes an interval that is not.
    late = int(probe.value)
    interval, clinic = pushed_layout(late)
    taper = one_step(TAPER, every_days=interval)
    first_gap, second_gap = first_two_gaps(taper, clinic, probe)
    assert first_gap == interval + late
    if probe.offset <= 0:
        assert second_gap == interval - late
    else:
        assert second_gap > interval - late
