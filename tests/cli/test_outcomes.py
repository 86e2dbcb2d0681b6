"""`ketacare outcomes FILE|-` as outside programs call it (contracts.md section 1)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import assert_input_error
from tests.contract_examples import OUTCOMES_INPUT as CONTRACT_SERIES
from tests.contract_examples import OUTCOMES_OUTPUT as CONTRACT_OUTPUT


def test_contract_example_from_standard_input(ketacare):
    result = ketacare("outcomes", "-", stdin=CONTRACT_SERIES)
    assert result.returncode == 0, result.stderr
    assert result.document == CONTRACT_OUTPUT
    assert list(result.document) == list(CONTRACT_OUTPUT)


def test_contract_example_from_a_file_in_any_order(ketacare, tmp_path):
    shuffled = dict(CONTRACT_SERIES, assessments=CONTRACT_SERIES["assessments"][::-1])
    path = tmp_path / "series.json"
    path.write_text(json.dumps(shuffled), encoding="utf-8")
    result = ketacare("outcomes", str(path))
    assert result.returncode == 0, result.stderr
    assert result.document == CONTRACT_OUTPUT


def test_relapse_after_remission_is_reported(ketacare):
    series = {
        "instrument": "phq9",
        "assessments": [
            {"date": "2026-01-05", "total": 21},
            {"date": "2026-01-19", "total": 4},
            {"date": "2026-02-02", "total": 12},
            {"date": "2026-02-09", "total": 14},
        ],
    }
    result = ketacare("outcomes", "-", stdin=series)
    assert result.document["relapse"] == {"met": True, "date": "2026-02-09"}
    assert result.document["status"] == "relapse"


@pytest.mark.parametrize(
    "series",
    [
        {"instrument": "gad7", "assessments": []},
        {
            "instrument": "gad7",
            "assessments": [{"date": "2026-01-05", "total": 15}],
            "baseline_date": "2026-01-06",
        },
    ],
)
def test_no_baseline_gives_nulls_and_nothing_met(ketacare, series):
    result = ketacare("outcomes", "-", stdin=series)
    assert result.returncode == 0, result.stderr
    assert result.document == {
        "instrument": "gad7",
        "baseline": None,
        "latest": None,
        "nadir": None,
        "percent_change": None,
        "response": {"met": False, "date": None},
        "remission": {"met": False, "date": None},
        "relapse": {"met": False, "date": None},
        "status": "no_baseline",
    }


def test_baseline_date_chooses_the_baseline(ketacare):
    series = dict(CONTRACT_SERIES, baseline_date="2026-01-12")
    result = ketacare("outcomes", "-", stdin=series)
    assert (result.document["baseline"], result.document["percent_change"]) == (22, -59.1)
    assert result.document["response"] == {"met": True, "date": "2026-01-26"}


def one(total: object = 10, date: object = "2026-01-05", **extra: object) -> dict[str, object]:
    return {"instrument": "qids_sr16", "assessments": [{"date": date, "total": total, **extra}]}


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"instrument": "phq9", "assessments": [', "input"),
        ("", "input"),
        ({"assessments": []}, "instrument"),
        ({"instrument": "phq9"}, "assessments"),
        ({"instrument": "phq9", "assessments": [], "patient": 1}, "patient"),
        (one(extra_key=1), "assessments.0.extra_key"),
        (one(total=28), "assessments.0.total"),
        (one(total=-1), "assessments.0.total"),
        (one(total="10"), "assessments.0.total"),
        (one(total=None), "assessments.0.total"),
        (one(date="2026-13-01"), "assessments.0.date"),
        (one(date="05/01/2026"), "assessments.0.date"),
        ({"instrument": "phq2", "assessments": []}, "instrument"),
        ({"instrument": "cadss", "assessments": []}, "instrument"),
        ({"instrument": 9, "assessments": []}, "instrument"),
        ({"instrument": "phq9", "assessments": "none"}, "assessments"),
        ({"instrument": "phq9", "assessments": [], "baseline_date": 20260105}, "baseline_date"),
        (
            {
                "instrument": "madrs",
                "assessments": [
                    {"date": "2026-01-05", "total": 30},
                    {"date": "2026-01-05", "total": 20},
                ],
            },
            "assessments.1.date",
        ),
        ([CONTRACT_SERIES], "input"),
    ],
)
def test_bad_input_exits_2_naming_the_field(ketacare, stdin, field):
    assert_input_error(ketacare("outcomes", "-", stdin=stdin), field)


def test_missing_file_and_wrong_arguments_are_input_errors(ketacare, tmp_path):
    assert_input_error(ketacare("outcomes", str(tmp_path / "absent.json")), "input")
    assert_input_error(ketacare("outcomes"), "arguments")
    assert_input_error(ketacare("outcomes", "-", "-", stdin="{}"), "arguments")


def test_a_response_that_never_left_the_moderate_band_is_not_a_relapse(ketacare):
    series = {
        "instrument": "phq9",
        "assessments": [
            {"date": "2026-01-05", "total": 27},
            {"date": "2026-01-12", "total": 12},
            {"date": "2026-01-19", "total": 12},
            {"date": "2026-01-26", "total": 12},
        ],
    }
    result = ketacare("outcomes", "-", stdin=series)
    assert result.returncode == 0, result.stderr
    assert result.document["relapse"] == {"met": False, "date": None}
    assert result.document["status"] == "response"
