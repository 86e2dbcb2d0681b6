"""`ketacare schedule FILE|-` as outside programs run it (contracts.md section 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error

EXAMPLE = {
    "protocol": "esketamine_trd_label",
    "start": "2026-12-01",
    "clinic_days": [0, 1, 2, 3, 4],
}


def test_contract_example_lists_numbered_sessions_on_clinic_days(ketacare: Any) -> None:
    result = ketacare("schedule", "-", stdin=EXAMPLE)

    assert result.returncode == 0, result.stderr
    document = result.document
    assert set(document) == {"protocol", "sessions"}
    assert document["protocol"] == "esketamine_trd_label"
    sessions = document["sessions"]
    assert sessions[0] == {"number": 1, "date": "2026-12-01", "phase": "induction", "dose": "56 mg"}
    assert all(set(s) == {"number", "date", "phase", "dose"} for s in sessions)
    assert all(dt.date.fromisoformat(s["date"]).weekday() < 5 for s in sessions)
    assert [s["number"] for s in sessions] == list(range(1, len(sessions) + 1))
    assert {s["phase"] for s in sessions} == {"induction", "optimization", "maintenance"}


def test_weeks_limits_the_open_ended_maintenance(ketacare: Any) -> None:
    short = ketacare("schedule", "-", stdin={**EXAMPLE, "weeks": 1}).document["sessions"]
    longest = ketacare("schedule", "-", stdin={**EXAMPLE, "weeks": 104}).document["sessions"]

    assert [s["phase"] for s in short] == ["induction"] * 8 + ["optimization"] * 4
    assert len(longest) > len(short)


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ("{not json", "input"),
        ({key: v for key, v in EXAMPLE.items() if key != "clinic_days"}, "clinic_days"),
        ({**EXAMPLE, "clinic_day": [0]}, "clinic_day"),
        ({**EXAMPLE, "weeks": 105}, "weeks"),
        ({**EXAMPLE, "weeks": 0}, "weeks"),
        ({**EXAMPLE, "clinic_days": []}, "clinic_days"),
        ({**EXAMPLE, "clinic_days": [0, 0]}, "clinic_days.1"),
        ({**EXAMPLE, "clinic_days": [7]}, "clinic_days.0"),
        ({**EXAMPLE, "clinic_days": ["mon"]}, "clinic_days.0"),
        ({**EXAMPLE, "protocol": "iv_every_day"}, "protocol"),
        ({**EXAMPLE, "start": "2026-02-30"}, "start"),
        ([EXAMPLE], "input"),
    ],
)
def test_bad_input_exits_2_naming_the_field(ketacare: Any, stdin: Any, field: str) -> None:
    assert_input_error(ketacare("schedule", "-", stdin=stdin), field)


def test_no_file_argument_is_a_usage_error(ketacare: Any) -> None:
    assert_input_error(ketacare("schedule"), "arguments")
