"""Moving a planned session (protocols/moves.py): spacing refused at the rule's value - 1, the
frequency warned of one day past its longest gap, a third esketamine session in any 7 days refused.
Every number is read from the registry (or the protocol's data); configurable spacing rules are
probed again on a clinic that moved them."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest

from ketacare.clinical.catalog.protocols import WEEK_DAYS
from ketacare.clinical.dosing import check_iv_order
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import (
    PROTOCOLS,
    MoveCheck,
    PlannedSession,
    SpacingKind,
    check_session_move,
    generate_schedule,
    step_of,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from tests.clinical.boundary_helpers import SIDES, Probe, clinics, probes, refusal, whole

MONDAY = dt.date(2026, 11, 30)
ESK_FREQUENCY = "DOSE-ESK-MAX-FREQUENCY"


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def rules(check: MoveCheck) -> list[str]:
    return [finding.rule for finding in check.refusals]


MINIMUM_APART = sorted(
    p.id for p in PROTOCOLS.values() if p.spacing.kind is SpacingKind.MINIMUM_DAYS_APART
)
TAPER = "iv_maintenance_taper"


def _spacing_probes() -> list[object]:
    rows: list[object] = []
    for protocol_id in MINIMUM_APART:
        spacing = PROTOCOLS[protocol_id].spacing
        rows += probes(spacing.rule, spacing.threshold, protocol_id)
    return rows


# --- spacing from the previous session (PROT-*-SPACING, minimum days apart) ---------------------


@pytest.mark.parametrize(("protocol_id", "probe"), _spacing_probes())
def test_a_session_moved_closer_to_the_previous_than_the_spacing_is_refused(
    protocol_id: str, probe: Probe
) -> None:
    check = check_session_move(
        protocol_id,
        moved=PlannedSession(2, day(int(probe.value))),
        previous=PlannedSession(1, day(0)),
        settings=probe.settings,
    )

    expected = [PROTOCOLS[protocol_id].spacing.rule] if probe.offset < 0 else []
    assert rules(check) == expected
    assert check.allowed is (probe.offset >= 0)


@pytest.mark.parametrize(("protocol_id", "probe"), _spacing_probes())
def test_a_session_moved_closer_to_the_following_than_the_spacing_is_refused(
    protocol_id: str, probe: Probe
) -> None:
    following = PlannedSession(2, day(20))

    check = check_session_move(
        protocol_id,
        moved=PlannedSession(1, day(20 - int(probe.value))),
        following=following,
        settings=probe.settings,
    )

    expected = [PROTOCOLS[protocol_id].spacing.rule] if probe.offset < 0 else []
    assert rules(check) == expected


def test_a_refusal_names_the_rule_the_sessions_and_the_days() -> None:
    rule = PROTOCOLS["iv_induction_3x_weekly"].spacing.rule
    apart = whole(rule, "minimum_days_apart")

    check = check_session_move(
        "iv_induction_3x_weekly",
        moved=PlannedSession(3, day(apart - 1)),
        previous=PlannedSession(2, day(0)),
    )

    (finding,) = check.refusals
    assert finding.reason.startswith(f"{rule}: session 3 on {day(apart - 1).isoformat()}")
    assert f"after session 2 ({day(0).isoformat()})" in finding.reason
    assert f"at least {apart} days" in finding.reason


@pytest.mark.parametrize("protocol_id", sorted(PROTOCOLS))
def test_a_session_can_never_pass_its_neighbours(protocol_id: str) -> None:
    before = check_session_move(
        protocol_id, moved=PlannedSession(2, day(0)), previous=PlannedSession(1, day(3))
    )
    after = check_session_move(
        protocol_id, moved=PlannedSession(1, day(9)), following=PlannedSession(2, day(3))
    )

    assert not before.allowed
    assert not after.allowed


# --- the taper: within tolerance_days of the nominal interval -----------------------------------

TAPER_RULE = PROTOCOLS[TAPER].spacing.rule


@pytest.mark.parametrize("probe", probes(TAPER_RULE, "tolerance_days"))
def test_a_taper_session_earlier_than_its_interval_less_the_tolerance_is_refused(
    probe: Probe,
) -> None:
    interval = PROTOCOLS[TAPER].phases[0].steps[0].interval_days
    # The tolerance probed one step either side: a larger tolerance allows an earlier day.
    check = check_session_move(
        TAPER,
        moved=PlannedSession(2, day(interval - int(probe.threshold))),
        previous=PlannedSession(1, day(0)),
        settings=ClinicalSettings.with_overrides({TAPER_RULE: {"tolerance_days": probe.value}}),
    )

    assert rules(check) == ([TAPER_RULE] if probe.offset < 0 else [])


@pytest.mark.parametrize("probe", probes(TAPER_RULE, "tolerance_days"))
def test_a_taper_session_later_than_its_interval_plus_the_tolerance_is_warned_of(
    probe: Probe,
) -> None:
    interval = PROTOCOLS[TAPER].phases[0].steps[0].interval_days
    check = check_session_move(
        TAPER,
        moved=PlannedSession(2, day(interval + int(probe.threshold))),
        previous=PlannedSession(1, day(0)),
        settings=ClinicalSettings.with_overrides({TAPER_RULE: {"tolerance_days": probe.value}}),
    )

    assert check.allowed
    assert [w.rule for w in check.warnings] == ([TAPER] if probe.offset < 0 else [])


def test_a_taper_session_of_the_fortnightly_step_uses_its_own_interval() -> None:
    weekly, fortnightly, _ = PROTOCOLS[TAPER].phases[0].steps
    tolerance = whole(TAPER_RULE, "tolerance_days")
    first_fortnightly = (weekly.sessions or 0) + 1

    late_for_weekly = check_session_move(
        TAPER,
        moved=PlannedSession(first_fortnightly, day(fortnightly.interval_days)),
        previous=PlannedSession(first_fortnightly - 1, day(0)),
    )
    too_early = check_session_move(
        TAPER,
        moved=PlannedSession(first_fortnightly, day(fortnightly.interval_days - tolerance - 1)),
        previous=PlannedSession(first_fortnightly - 1, day(0)),
    )

    assert late_for_weekly.allowed and not late_for_weekly.warnings
    assert rules(too_early) == [TAPER_RULE]


# --- frequency warnings: later is allowed ---------------------------------------------------------


def test_three_a_week_friday_to_monday_keeps_the_frequency_but_tuesday_does_not() -> None:
    previous = PlannedSession(3, day(4))  # Friday

    monday = check_session_move(
        "iv_induction_3x_weekly", moved=PlannedSession(4, day(7)), previous=previous
    )
    tuesday = check_session_move(
        "iv_induction_3x_weekly", moved=PlannedSession(4, day(8)), previous=previous
    )

    assert monday.allowed and not monday.warnings
    assert tuesday.allowed
    (warning,) = tuesday.warnings
    assert warning.rule == "iv_induction_3x_weekly"
    assert "4 days after session 3" in warning.message
    assert "3/week" in warning.message


def test_a_late_move_of_the_planned_schedule_is_warned_of_and_the_schedule_itself_is_not() -> None:
    schedule = generate_schedule("iv_induction_2x_weekly", start=MONDAY, clinic_days=range(5))
    sessions = [PlannedSession(s.number, s.date) for s in schedule.sessions]
    for previous, session in itertools.pairwise(sessions):
        assert not check_session_move(
            "iv_induction_2x_weekly", moved=session, previous=previous
        ).warnings
    previous, session = sessions[0], sessions[1]

    late = check_session_move(
        "iv_induction_2x_weekly",
        moved=PlannedSession(session.number, previous.date + dt.timedelta(days=5)),
        previous=previous,
    )

    assert late.allowed
    assert [w.rule for w in late.warnings] == ["iv_induction_2x_weekly"]


def test_an_every_n_days_series_warns_one_day_past_its_interval() -> None:
    interval = PROTOCOLS["oral_titration_example"].phases[0].steps[0].interval_days
    previous = PlannedSession(1, day(0))

    on_time = check_session_move(
        "oral_titration_example", moved=PlannedSession(2, day(interval)), previous=previous
    )
    late = check_session_move(
        "oral_titration_example", moved=PlannedSession(2, day(interval + 1)), previous=previous
    )

    assert not on_time.warnings
    assert [w.rule for w in late.warnings] == ["oral_titration_example"]


@pytest.mark.parametrize("probe", probes(TAPER_RULE, "tolerance_days"))
def test_a_taper_session_closer_to_the_following_than_its_interval_less_the_tolerance_is_refused(
    probe: Probe,
) -> None:
    interval = PROTOCOLS[TAPER].phases[0].steps[0].interval_days

    check = check_session_move(
        TAPER,
        moved=PlannedSession(1, day(20 - (interval - int(probe.threshold)))),
        following=PlannedSession(2, day(20)),
        settings=ClinicalSettings.with_overrides({TAPER_RULE: {"tolerance_days": probe.value}}),
    )

    assert rules(check) == ([TAPER_RULE] if probe.offset < 0 else [])


# --- frequency warnings on both sides: a gap longer than the frequency gives ------------------


def longest_gap(protocol_id: str, number: int, settings: ClinicalSettings) -> int:
    """The longest gap before session `number` its step's frequency gives (module docstring):
    k/week, the k-th of a week rounded up; every n days, n; the taper, n plus tolerance_days."""
    protocol = PROTOCOLS[protocol_id]
    _, step = step_of(protocol, number, settings=settings)
    if step.per_week is not None:
        return math.ceil(WEEK_DAYS / step.per_week)
    if protocol.spacing.kind is SpacingKind.INTERVAL_TOLERANCE:
        return step.interval_days + whole(protocol.spacing.rule, "tolerance_days", settings)
    return step.interval_days


def _longest_gap_rows() -> list[object]:
    """(protocol_id, settings, gap, offset): each protocol's longest gap before session 3, at its
    value and one day either side, on every clinic that may move the protocol's spacing rule."""
    rows: list[object] = []
    for protocol_id in sorted(PROTOCOLS):
        spacing = PROTOCOLS[protocol_id].spacing
        for label, settings in clinics(spacing.rule, spacing.threshold):
            longest = longest_gap(protocol_id, 3, settings)
            for offset, side in SIDES.items():
                rows.append(
                    pytest.param(
                        protocol_id,
                        settings,
                        longest + offset,
                        offset,
                        id=f"{protocol_id}-longest-{side}{label}",
                    )
                )
    return rows


@pytest.mark.parametrize(("protocol_id", "settings", "gap", "offset"), _longest_gap_rows())
def test_a_gap_after_the_previous_session_longer_than_the_frequency_is_warned_of(
    protocol_id: str, settings: ClinicalSettings, gap: int, offset: int
) -> None:
    check = check_session_move(
        protocol_id,
        moved=PlannedSession(3, day(gap)),
        previous=PlannedSession(2, day(0)),
        settings=settings,
    )

    assert check.allowed or offset < 0  # below may be under the spacing too (every n days: n)
    assert [w.rule for w in check.warnings] == ([protocol_id] if offset > 0 else [])


@pytest.mark.parametrize(("protocol_id", "settings", "gap", "offset"), _longest_gap_rows())
def test_a_move_leaving_the_following_session_longer_than_the_frequency_after_it_is_warned_of(
    protocol_id: str, settings: ClinicalSettings, gap: int, offset: int
) -> None:
    # Session 2 kept at the frequency after session 1; the gap it leaves to session 3 is probed.
    start = longest_gap(protocol_id, 2, settings)

    check = check_session_move(
        protocol_id,
        moved=PlannedSession(2, day(start)),
        previous=PlannedSession(1, day(0)),
        following=PlannedSession(3, day(start + gap)),
        settings=settings,
    )

    assert check.allowed or offset < 0  # below may be under the spacing too (every n days: n)
    assert [w.rule for w in check.warnings] == ([protocol_id] if offset > 0 else [])
    if offset > 0:
        (warning,) = check.warnings
        assert warning.message.startswith(
            f"session 3 ({day(start + gap).isoformat()}) would be {gap} days after session 2 "
            f"on {day(start).isoformat()}: longer than the "
        )
        assert warning.message.endswith("so the protocol's frequency is no longer met.")


def test_three_a_week_friday_moved_to_thursday_leaves_monday_too_far_and_is_warned_of() -> None:
    protocol = PROTOCOLS["iv_induction_3x_weekly"]
    longest = longest_gap(protocol.id, 4, DEFAULT_SETTINGS)
    apart = whole(protocol.spacing.rule, "minimum_days_apart")
    # Wednesday's session 2 was cancelled: Monday's session 1 is the live previous one.
    monday, next_monday = PlannedSession(1, day(0)), PlannedSession(4, day(WEEK_DAYS))
    thursday = next_monday.date - dt.timedelta(days=longest + 1)
    assert (thursday - monday.date).days >= apart  # the spacing allows it
    assert (thursday - monday.date).days <= longest  # and the gap before it keeps the frequency

    check = check_session_move(
        protocol.id, moved=PlannedSession(3, thursday), previous=monday, following=next_monday
    )

    assert check.allowed
    (warning,) = check.warnings
    assert warning.reason == (
        f"{protocol.id}: session 4 ({next_monday.date.isoformat()}) would be {longest + 1} days "
        f"after session 3 on {thursday.isoformat()}: longer than the induction frequency "
        f"({protocol.phases[0].steps[0].frequency}, at most {longest} days apart), so the "
        "protocol's frequency is no longer met."
    )


def test_a_move_too_far_from_both_neighbours_is_warned_of_both_gaps() -> None:
    longest = longest_gap("iv_induction_2x_weekly", 2, DEFAULT_SETTINGS)

    check = check_session_move(
        "iv_induction_2x_weekly",
        moved=PlannedSession(2, day(longest + 1)),
        previous=PlannedSession(1, day(0)),
        following=PlannedSession(3, day(2 * (longest + 1))),
    )

    assert check.allowed
    before, after = check.warnings
    assert before.message.startswith(f"session 2 on {day(longest + 1).isoformat()} would be")
    assert after.message.startswith(f"session 3 ({day(2 * (longest + 1)).isoformat()}) would be")


def test_a_gap_to_the_following_session_is_judged_by_that_sessions_step() -> None:
    weekly, fortnightly, _ = PROTOCOLS[TAPER].phases[0].steps
    tolerance = whole(TAPER_RULE, "tolerance_days")
    first_fortnightly = (weekly.sessions or 0) + 1
    gap = fortnightly.interval_days  # on time for a fortnightly gap, too long for a weekly one
    assert gap > weekly.interval_days + tolerance

    check = check_session_move(
        TAPER,
        moved=PlannedSession(first_fortnightly - 1, day(0)),
        following=PlannedSession(first_fortnightly, day(gap)),
    )

    assert check.allowed and not check.warnings


# --- esketamine: at most maximum_sessions in any window_days (SAFE-ESK-DOSE) ---------------------


def test_a_third_esketamine_session_in_any_seven_days_is_refused() -> None:
    most = whole(ESK_FREQUENCY, "maximum_sessions")
    window = whole(ESK_FREQUENCY, "window_days")
    apart = whole("PROT-ESKETAMINE-TRD-LABEL-SPACING", "minimum_days_apart")
    booked = [day(apart * i) for i in range(most)]
    last = booked[-1]

    inside = check_session_move(
        "esketamine_trd_label",
        moved=PlannedSession(most + 1, day(window - 1)),
        previous=PlannedSession(most, last),
        esketamine_dates=booked,
    )
    outside = check_session_move(
        "esketamine_trd_label",
        moved=PlannedSession(most + 1, day(window)),
        previous=PlannedSession(most, last),
        esketamine_dates=booked,
    )

    assert rules(inside) == [ESK_FREQUENCY]
    assert f"At most {most} esketamine sessions in any {window} days" in inside.refusals[0].message
    assert outside.allowed


def test_an_esketamine_session_on_a_date_already_booked_for_the_patient_is_refused() -> None:
    check = check_session_move(
        "esketamine_mdsi_label", moved=PlannedSession(1, day(3)), esketamine_dates=[day(3)]
    )

    assert rules(check) == [ESK_FREQUENCY]


def test_other_routes_ignore_esketamine_dates() -> None:
    check = check_session_move(
        "iv_induction_3x_weekly", moved=PlannedSession(1, day(3)), esketamine_dates=[day(3)]
    )

    assert check.allowed


# --- which step a session belongs to -------------------------------------------------------


def test_esketamine_trd_sessions_fall_in_their_phases_by_number() -> None:
    protocol = PROTOCOLS["esketamine_trd_label"]
    induction, optimization, _ = protocol.phases
    first_optimization = (induction.steps[0].sessions or 0) + 1
    first_maintenance = first_optimization + (optimization.steps[0].sessions or 0)

    assert step_of(protocol, 1)[0].name == "induction"
    assert step_of(protocol, first_optimization - 1)[0].name == "induction"
    assert step_of(protocol, first_optimization)[0].name == "optimization"
    assert step_of(protocol, first_maintenance)[0].name == "maintenance"
    assert step_of(protocol, first_maintenance + 50)[0].name == "maintenance"


def test_a_clinic_defined_count_is_the_plans_or_the_settings() -> None:
    protocol = PROTOCOLS["oral_titration_example"]
    count = whole("PROT-ORAL-TITRATION-EXAMPLE-SESSIONS", "default_sessions")

    assert step_of(protocol, count)[0].name == "induction"
    assert step_of(protocol, count + 1, sessions=count + 2)[0].name == "induction"


# --- bad input ---------------------------------------------------------------------------------


def test_an_unknown_protocol_is_an_input_error_naming_protocol() -> None:
    error = refusal(check_session_move, "iv_daily", moved=PlannedSession(1, MONDAY))

    assert error.field == "protocol"


def test_a_datetime_for_a_date_is_an_input_error_naming_date() -> None:
    moment = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    error = refusal(
        check_session_move,
        "iv_induction_3x_weekly",
        moved=PlannedSession(1, moment),  # type: ignore[arg-type]
    )

    assert error.field == "date"


def test_session_numbers_start_at_one() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        step_of(PROTOCOLS["iv_induction_3x_weekly"], 0)

    assert caught.value.field == "number"


# --- an IV order before any weight is known (check_iv_order) ------------------------------------


@pytest.mark.parametrize("probe", probes("DOSE-IV-MGKG", "minimum_mg_per_kg", step=0.01))
def test_an_iv_order_below_the_minimum_dose_per_kg_is_refused(probe: Probe) -> None:
    duration = DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")

    def order() -> object:
        return check_iv_order(
            dose_mg_per_kg=float(probe.value), duration_min=duration, settings=probe.settings
        )

    if probe.offset < 0:
        assert refusal(order).field == "dose_mg_per_kg"
    else:
        assert order() == ()


@pytest.mark.parametrize("probe", probes("DOSE-IV-MGKG", "warn_above_mg_per_kg", step=0.01))
def test_an_iv_order_warns_above_the_warning_dose(probe: Probe) -> None:
    alerts = check_iv_order(
        dose_mg_per_kg=float(probe.value),
        duration_min=DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min"),
        settings=probe.settings,
    )

    assert [(a.rule, a.level) for a in alerts] == (
        [("DOSE-IV-MGKG", "warning")] if probe.offset > 0 else []
    )


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_an_iv_order_shorter_than_the_minimum_infusion_is_refused(offset: int) -> None:
    # Not probed on a moved clinic: the minimum may not pass the default duration.
    per_kg = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg")
    minutes = whole("DOSE-IV-DURATION", "minimum_min") + offset

    def order() -> object:
        return check_iv_order(dose_mg_per_kg=per_kg, duration_min=minutes)

    if offset < 0:
        assert refusal(order).field == "duration_min"
    else:
        assert order() == ()


def test_an_iv_order_checks_a_concentration_only_when_given() -> None:
    per_kg = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg")
    duration = DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")
    too_strong = DEFAULT_SETTINGS.value("DOSE-IV-CONC", "maximum_mg_per_ml") + 1

    error = refusal(
        check_iv_order,
        dose_mg_per_kg=per_kg,
        duration_min=duration,
        concentration_mg_per_ml=too_strong,
    )

    assert error.field == "concentration_mg_per_ml"
    assert check_iv_order(dose_mg_per_kg=per_kg, duration_min=duration) == ()
