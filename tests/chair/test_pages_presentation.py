"""The chair pages' formatting helpers: minutes from the dose, the countdown's words, vitals as
one line, the core's times as the clinic's clock shows them, and the dose shown before it is
given. No database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from ketacare.chair.presentation import (
    dose_preview,
    due_words,
    minutes_between,
    readable_times,
    signed_minutes,
    vitals_line,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (59, 0), (60, 1), (2399, 39), (2400, 40), (-30, 0), (-60, -1), (-630, -10)],
)
def test_minutes_from_the_dose_drop_the_part_minute(seconds, minutes):
    assert minutes_between(T0, T0 + dt.timedelta(seconds=seconds)) == minutes


@pytest.mark.parametrize(("value", "text"), [(None, ""), (0, "0 min"), (40, "+40 min"),
                                             (-5, "-5 min")])  # fmt: skip
def test_signed_minutes(value, text):
    assert signed_minutes(value) == text


@pytest.mark.parametrize(
    ("due_in_s", "words"),
    [(600, "in 10 min"), (61, "in 2 min"), (1, "in 1 min"), (0, "now"), (-59, "now"),
     (-60, "overdue by 1 min"), (-450, "overdue by 7 min")],
)  # fmt: skip
def test_the_countdown_words(due_in_s, words):
    assert due_words(T0 + dt.timedelta(seconds=due_in_s), T0) == words


def test_no_due_time_has_no_words():
    assert due_words(None, T0) == ""


def test_vitals_line_shows_what_was_recorded_only():
    row = SimpleNamespace(systolic=185, diastolic=112, heart_rate=None, spo2=97,
                          respiratory_rate=None, moaas=4, cadss=None)  # fmt: skip
    assert vitals_line(row) == "BP 185/112 · SpO2 97 % · MOAA/S 4"
    half = SimpleNamespace(systolic=150, diastolic=None)
    assert vitals_line(half) == "BP 150/-"
    assert vitals_line(SimpleNamespace()) == ""


def test_the_cores_times_read_as_the_clinics_clock(settings):
    settings.TIME_ZONE = "America/New_York"
    text = "discharge is possible from 2026-12-01T16:00:08.774352+00:00; else 2026-12-01T17:30Z."
    assert readable_times(text) == "discharge is possible from 11:00; else 12:30."
    assert readable_times("no time here") == "no time here"


def test_the_esketamine_dose_is_shown_with_its_devices():
    preview = dose_preview("esketamine_nasal", SimpleNamespace(dose_mg=84), None)

    assert preview.summary == "Dose today: 84 mg (3 devices)."
    assert preview.steps == ["Devices: 84 mg ÷ 28 mg per device = 3"]


def test_the_iv_dose_uses_the_charts_weight_and_shows_the_pump_rate_with_a_concentration():
    order = SimpleNamespace(dose_mg_per_kg=0.5, duration_min=40, concentration_mg_per_ml=1)

    preview = dose_preview("iv_ketamine", order, 70.0)

    assert preview.summary == "Dose today: 35 mg, 35 mL at 52.5 mL/h for 70 kg."
    assert [s.split(":")[0] for s in preview.steps] == ["Dose", "Volume", "Rate"]


def test_the_iv_dose_without_a_concentration_shows_the_mg_only():
    order = SimpleNamespace(dose_mg_per_kg=0.5, duration_min=40, concentration_mg_per_ml=None)

    preview = dose_preview("iv_ketamine", order, 70.0)

    assert preview.summary == "Dose today: 35 mg for 70 kg."
    assert len(preview.steps) == 1 and preview.steps[0].startswith("Dose: 70 kg")


def test_the_iv_dose_without_a_weight_asks_for_one():
    order = SimpleNamespace(dose_mg_per_kg=0.5, duration_min=40, concentration_mg_per_ml=None)

    preview = dose_preview("iv_ketamine", order, None)

    assert "no weight" in preview.summary and preview.steps == []


def test_an_order_outside_the_limits_is_said_not_computed():
    too_much = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "maximum_mg_per_kg") + 0.5
    order = SimpleNamespace(dose_mg_per_kg=too_much, duration_min=40, concentration_mg_per_ml=1)

    preview = dose_preview("iv_ketamine", order, 70.0)

    assert preview.summary.startswith("The order cannot be given as it stands:")
    assert dose_preview("iv_ketamine", None, 70.0) is None
