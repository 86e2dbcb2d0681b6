"""`ketacare dose FILE|-` as outside programs run it (contracts.md section 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error

IV = {
    "route": "iv_ketamine",
    "weight_kg": 70,
    "dose_mg_per_kg": 0.5,
    "duration_min": 40,
    "concentration_mg_per_ml": 1.0,
}


def test_iv_contract_example_gives_the_worked_arithmetic(ketacare: Any) -> None:
    result = ketacare("dose", "-", stdin=IV)

    assert result.returncode == 0, result.stderr
    assert result.document == {
        "route": "iv_ketamine",
        "dose_mg": 35.0,
        "volume_ml": 35.0,
        "rate_ml_per_h": 52.5,
    }


def test_esketamine_contract_example_gives_three_devices(ketacare: Any) -> None:
    result = ketacare("dose", "-", stdin={"route": "esketamine_nasal", "dose_mg": 84})

    assert result.document == {"route": "esketamine_nasal", "dose_mg": 84, "devices": 3}


def test_oral_contract_example_echoes_the_dose(ketacare: Any, tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text('{"route": "oral_ketamine", "dose_mg": 150}', encoding="utf-8")

    result = ketacare("dose", str(path))

    assert result.returncode == 0, result.stderr
    assert result.document == {"route": "oral_ketamine", "dose_mg": 150}


def test_a_dose_above_the_warning_threshold_still_prints_only_the_contract_keys(
    ketacare: Any,
) -> None:
    result = ketacare("dose", "-", stdin={**IV, "dose_mg_per_kg": 0.8})

    assert result.returncode == 0, result.stderr
    assert set(result.document) == {"route", "dose_mg", "volume_ml", "rate_ml_per_h"}


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"route": "iv_ketamine", ', "input"),
        ({key: v for key, v in IV.items() if key != "weight_kg"}, "weight_kg"),
        ({**IV, "weight_lb": 150}, "weight_lb"),
        ({**IV, "weight_kg": 301}, "weight_kg"),
        ({**IV, "dose_mg_per_kg": 1.01}, "dose_mg_per_kg"),
        ({**IV, "duration_min": 39}, "duration_min"),
        ({**IV, "concentration_mg_per_ml": 100}, "concentration_mg_per_ml"),
        ({**IV, "weight_kg": "70"}, "weight_kg"),
        ({"route": "intramuscular", "dose_mg": 30}, "route"),
        ({"route": "esketamine_nasal", "dose_mg": 70}, "dose_mg"),
        ({"route": "esketamine_nasal", "dose_mg": 112}, "dose_mg"),
        ({"route": "oral_ketamine", "dose_mg": 5}, "dose_mg"),
        ("NaN", "input"),
    ],
)
def test_bad_input_exits_2_naming_the_field(ketacare: Any, stdin: Any, field: str) -> None:
    assert_input_error(ketacare("dose", "-", stdin=stdin), field)


def test_a_missing_file_exits_2(ketacare: Any, tmp_path: Path) -> None:
    assert_input_error(ketacare("dose", str(tmp_path / "none.json")), "input")
