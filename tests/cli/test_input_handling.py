"""How every clinical subcommand reads its input and writes its output (contracts.md section 1).

Bytes that are not UTF-8, repeated keys, dates a clinic cannot mean, a directory for a file, the
wrong number of arguments: each is exit 2, one sentence naming the field, and the error document,
never a traceback. Output is UTF-8 whatever the locale says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error, run_ketacare

PHQ9 = {"answers": [1, 1, 1, 1, 1, 1, 1, 1, 1]}
MONITOR: dict[str, Any] = {
    "route": "esketamine_nasal",
    "dose_at": "2026-12-01T09:00:00+00:00",
    "now": "2026-12-01T10:10:00+00:00",
    "pre_dose": {"systolic": 128, "diastolic": 80},
    "readings": [{"at": "2026-12-01T09:40:00+00:00", "systolic": 130, "diastolic": 85}],
}
SCHEDULE = {"protocol": "esketamine_trd_label", "start": "2026-12-01", "clinic_days": [0, 1, 2]}
OUTCOMES = {"instrument": "phq9", "assessments": [{"date": "2026-01-05", "total": 20}]}

# Each document-reading subcommand with its arguments before FILE|-.
COMMANDS = [
    pytest.param(("score", "phq9"), id="score"),
    pytest.param(("screen",), id="screen"),
    pytest.param(("dose",), id="dose"),
    pytest.param(("monitor",), id="monitor"),
    pytest.param(("schedule",), id="schedule"),
    pytest.param(("outcomes",), id="outcomes"),
]


def test_a_utf8_byte_order_mark_is_accepted():
    result = run_ketacare("score", "phq9", "-", stdin=b"\xef\xbb\xbf" + json.dumps(PHQ9).encode())

    assert result.returncode == 0
    assert result.document["total"] == 9


@pytest.mark.parametrize("command", COMMANDS)
def test_standard_input_that_is_not_utf8_is_refused(command):
    result = run_ketacare(*command, "-", stdin=b'{"route": "\xff\xfe"}')

    assert_input_error(result, "input")
    assert "UTF-8" in result.document["error"]["message"]


def test_an_input_file_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "latin1.json"
    path.write_bytes(
        '{"answers": [1, 1, 1, 1, 1, 1, 1, 1, 1], "note": "caf\xe9"}'.encode("latin-1")
    )

    result = run_ketacare("score", "phq9", str(path))

    assert_input_error(result, "input")
    assert str(path) in result.document["error"]["message"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"answers": [0, 0, 0, 0, 0, 0, 0, 0, 0], "answers": [3, 3, 3, 3, 3, 3, 3, 3, 3]}',
         "answers"),
        ('{"instrument": "phq9", "assessments": [{"date": "2026-01-05", "total": 20}, '
         '{"date": "2026-01-12", "total": 9, "total": 30}]}', "assessments.1.total"),
    ],
)  # fmt: skip
def test_a_repeated_key_is_refused_naming_its_path(text, field):
    command = ("score", "phq9") if text.startswith('{"answers"') else ("outcomes",)

    result = run_ketacare(*command, "-", stdin=text)

    assert_input_error(result, field)
    assert "more than once" in result.document["error"]["message"]


def test_a_repeated_key_inside_a_monitor_reading_names_the_reading():
    text = json.dumps(MONITOR).replace('"systolic": 130', '"systolic": 130, "systolic": 185')

    result = run_ketacare("monitor", "-", stdin=text)

    assert_input_error(result, "readings.0.systolic")


@pytest.mark.parametrize(
    ("command", "document", "field"),
    [
        (("monitor",), {**MONITOR, "now": "9999-12-31T23:00:00+00:00"}, "now"),
        (("monitor",), {**MONITOR, "dose_at": "9999-12-31T22:00:00+00:00",
                        "now": "9999-12-31T23:00:00+00:00"}, "dose_at"),
        (("schedule",), {**SCHEDULE, "start": "9999-12-01"}, "start"),
        (("schedule",), {**SCHEDULE, "start": "0001-01-01"}, "start"),
        (("outcomes",), {**OUTCOMES, "assessments": [{"date": "9999-12-31", "total": 3}]},
         "assessments.0.date"),
    ],
)  # fmt: skip
def test_dates_outside_the_plausible_years_are_refused_not_crashed_on(command, document, field):
    result = run_ketacare(*command, "-", stdin=document)

    assert_input_error(result, field)
    assert "1900" in result.document["error"]["message"]


@pytest.mark.parametrize(
    ("command", "document", "field"),
    [
        (("schedule",), {**SCHEDULE, "start": "2026-W49-2"}, "start"),
        (("schedule",), {**SCHEDULE, "start": "2026-335"}, "start"),
        (("schedule",), {**SCHEDULE, "start": "20261201"}, "start"),
        (("outcomes",), {**OUTCOMES, "baseline_date": "2026-W02-1"}, "baseline_date"),
        (("monitor",), {**MONITOR, "now": "2026-W49-2T10:10:00+00:00"}, "now"),
        (("monitor",), {**MONITOR, "now": "2026-335T10:10:00+00:00"}, "now"),
        (("monitor",), {**MONITOR, "now": "2026-12-01T10:10:00+00:00:30"}, "now"),
        (("monitor",), {**MONITOR, "now": "2026-12-01 10:10:00+00:00"}, "now"),
    ],
)  # fmt: skip
def test_week_dates_ordinal_dates_and_other_iso_forms_are_refused(command, document, field):
    result = run_ketacare(*command, "-", stdin=document)

    assert_input_error(result, field)


def test_a_time_written_with_z_is_accepted_and_written_back_with_an_offset():
    document = {**MONITOR, "now": "2026-12-01T10:10Z"}

    result = run_ketacare("monitor", "-", stdin=document)

    assert result.returncode == 0, result.stderr
    assert result.document["discharge"]["earliest"] == "2026-12-01T11:00:00+00:00"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_as_input_file_is_refused(command, tmp_path: Path):
    result = run_ketacare(*command, str(tmp_path))

    assert_input_error(result, "input")


def test_score_with_the_root_directory_is_refused_in_one_sentence():
    result = run_ketacare("score", "phq9", "/")

    assert_input_error(result, "input")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_extra_argument_is_refused_with_the_usage(command):
    result = run_ketacare(*command, "-", "extra", stdin=PHQ9)

    assert_input_error(result, "arguments")
    assert result.document["error"]["message"].startswith("Usage: ketacare ")


@pytest.mark.parametrize("command", COMMANDS)
def test_no_input_argument_is_refused_with_the_usage(command):
    result = run_ketacare(*command)

    assert_input_error(result, "arguments")


def test_an_unknown_rules_format_is_refused():
    result = run_ketacare("rules", "--format", "xml")

    assert_input_error(result, "format")


@pytest.mark.parametrize(
    "text",
    [
        '{"answers": [1, 1, 1, 1, 1, 1, 1, 1, ' + "1" * 5000 + "]}",
        '{"answers": [1, 1, 1, 1, 1, 1, 1, 1, 1e999]}',
        '{"answers": [1, 1, 1, 1, 1, 1, 1, 1, NaN]}',
        "[" * 100_000,
    ],
    ids=["overlong-integer", "infinite-number", "nan", "deep-nesting"],
)
def test_numbers_and_nesting_json_cannot_hold_give_one_clean_sentence(text):
    result = run_ketacare("score", "phq9", "-", stdin=text)

    assert_input_error(result, "input")
    assert "set_int_max_str_digits" not in result.stdout + result.stderr


def test_an_ascii_locale_still_gets_utf8_output_and_no_traceback():
    document = {**OUTCOMES, "instrument": "phq9\N{LATIN SMALL LETTER E WITH ACUTE}"}

    result = run_ketacare("outcomes", "-", stdin=document, env={"PYTHONIOENCODING": "ascii"})

    assert_input_error(result, "instrument")
    assert "phq9\N{LATIN SMALL LETTER E WITH ACUTE}" in result.document["error"]["message"]
    assert "phq9\N{LATIN SMALL LETTER E WITH ACUTE}" in result.stderr


def test_a_lone_surrogate_escape_never_reaches_the_output_as_invalid_utf8():
    result = run_ketacare("outcomes", "-", stdin='{"instrument": "\\udcff", "assessments": []}')

    assert_input_error(result, "instrument")
