"""The strict readers of `ketacare.clinical.inputs`: written forms, year bounds, exact types."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import (
    YEAR_MAXIMUM,
    YEAR_MINIMUM,
    Fields,
    check_date,
    check_datetime,
    read_date,
    read_datetime,
    read_int,
    read_number,
)

UTC = dt.UTC


@pytest.mark.parametrize("value", [42.0, 1.0, 0.0, True, False, "42", None])
def test_read_int_refuses_floats_even_whole_ones_booleans_and_strings(value):
    with pytest.raises(ClinicalInputError) as caught:
        read_int(value, "age")
    assert caught.value.field == "age"
    assert caught.value.message.startswith("age must be an integer")


def test_read_int_accepts_an_integer_within_its_limits():
    assert read_int(42, "age", minimum=0, maximum=130) == 42


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_read_number_refuses_what_is_not_finite(value):
    with pytest.raises(ClinicalInputError) as caught:
        read_number(value, "weight_kg")
    assert caught.value.field == "weight_kg"


@pytest.mark.parametrize(
    "text",
    [
        "2026-W49-2",  # ISO week date
        "2026-335",  # ordinal date
        "20261201",  # basic format
        "2026-12-01T00:00",
        " 2026-12-01",
        "2026-12-01\n",
        "\N{FULLWIDTH DIGIT TWO}026-12-01",  # non-ASCII digits
        "2026-13-01",
        "2026-02-30",
    ],
)
def test_read_date_accepts_only_yyyy_mm_dd(text):
    with pytest.raises(ClinicalInputError) as caught:
        read_date(text, "start")
    assert caught.value.field == "start"


def test_read_date_reads_a_plain_calendar_date():
    assert read_date("2026-12-01", "start") == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01T09:30:00+00:00:30",  # an offset with seconds
        "2026-12-01T09:30:00+0000",
        "2026-12-01T09:30:00",  # no offset
        "2026-W49-2T09:30:00+00:00",
        "2026-335T09:30:00+00:00",
        "2026-12-01 09:30:00+00:00",
        "2026-12-01T09:30:00.1234567+00:00",
        "2026-12-01T0930+00:00",
        "2026-12-01T09:30:00z",
        "2026-12-01T09:30:00+00:00\n",
    ],
)
def test_read_datetime_accepts_only_the_contract_form(text):
    with pytest.raises(ClinicalInputError) as caught:
        read_datetime(text, "now")
    assert caught.value.field == "now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T09:30+00:00", dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        ("2026-12-01T09:30:15Z", dt.datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC)),
        ("2026-12-01T09:30:15.5-05:00", dt.datetime(2026, 12, 1, 14, 30, 15, 500000, tzinfo=UTC)),
    ],
)
def test_read_datetime_reads_minutes_seconds_fractions_and_z(text, expected):
    assert read_datetime(text, "now") == expected


@pytest.mark.parametrize("year", [YEAR_MINIMUM - 1, YEAR_MAXIMUM + 1, 1, 9999])
def test_years_outside_the_plausible_span_are_refused_naming_the_field(year):
    with pytest.raises(ClinicalInputError) as by_date:
        read_date(f"{year:04d}-06-01", "start")
    with pytest.raises(ClinicalInputError) as by_time:
        read_datetime(f"{year:04d}-06-01T09:00:00+00:00", "now")
    assert (by_date.value.field, by_time.value.field) == ("start", "now")
    assert str(YEAR_MAXIMUM) in by_date.value.message


@pytest.mark.parametrize("year", [YEAR_MINIMUM, YEAR_MAXIMUM])
def test_the_first_and_last_plausible_years_are_accepted(year):
    assert read_date(f"{year}-06-01", "start").year == year
    assert read_datetime(f"{year}-06-01T09:00:00+00:00", "now").year == year


@pytest.mark.parametrize(
    "value", [dt.datetime(2026, 12, 1, tzinfo=UTC), "2026-12-01", None, dt.date(9999, 1, 1)]
)
def test_check_date_wants_a_date_that_is_not_a_datetime(value):
    with pytest.raises(ClinicalInputError):
        check_date(value, "start")


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 12, 1, 9),  # naive
        dt.date(2026, 12, 1),
        "2026-12-01T09:00:00+00:00",
        dt.datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_check_datetime_wants_an_aware_datetime_in_the_plausible_years(value):
    with pytest.raises(ClinicalInputError):
        check_datetime(value, "now")


def test_an_unknown_key_is_named_but_a_huge_one_is_not_repeated_whole() -> None:
    short = Fields({"tpyo": 1}, "visit")
    with pytest.raises(ClinicalInputError) as caught:
        short.finish()
    assert caught.value.field == "visit.tpyo"
    huge = Fields({"k" * 1_000_000: 1}, "")
    with pytest.raises(ClinicalInputError) as caught:
        huge.finish()
    assert caught.value.field == "k" * 37 + "..."
    assert len(caught.value.message) < 100
