"""`ketacare monitor FILE|-` in a real subprocess (contracts.md section 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import assert_input_error, run_ketacare
from tests.contract_examples import MONITOR_INPUT as EXAMPLE
from tests.contract_examples import changed as with_changes

EXPECTED: dict[str, Any] = {
    "dosing": "go",
    "alerts": [
        {
            "rule": "MON-BP-ELEVATED",
            "level": "warning",
            "at": "2026-12-01T09:40:00+00:00",
            "message": (
                "Blood pressure 165/100 mmHg is above 140/90; re-check every 15 min until it falls."
            ),
        }
    ],
    "next_reading_due": "2026-12-01T09:55:00+00:00",
    "discharge": {
        "ready": False,
        "earliest": "2026-12-01T11:00:00+00:00",
        "reasons": [
            "DISCH-ESK-MIN-TIME: Esketamine needs at least 120 min of observation after the first "
            "device; discharge is possible from 2026-12-01T11:00:00+00:00.",
            "DISCH-BP: No complete blood pressure reading in the last 15 min; measure it before "
            "discharge.",
            "DISCH-SEDATION: The latest MOAA/S (5, at 2026-12-01T09:40:00+00:00) is older than "
            "15 min; a fresh MOAA/S is needed before discharge.",
            "DISCH-RESP: The latest SpO2 (97%, at 2026-12-01T09:40:00+00:00) is older than 15 min; "
            "a fresh SpO2 is needed before discharge.",
            "DISCH-DISSOCIATION: No clinician has attested that dissociation has resolved.",
            "DISCH-ESCORT: No escort is confirmed: someone else must take the patient home, and "
            "the patient must not drive until the next day after a restful sleep.",
        ],
    },
}


def changed(**changes: Any) -> dict[str, Any]:
    return with_changes(EXAMPLE, **changes)


def test_contract_example_gives_the_contract_document() -> None:
    result = run_ketacare("monitor", "-", stdin=EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert result.document == EXPECTED
    assert result.stderr == ""


def test_contract_example_from_a_file_gives_the_same_document(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")

    result = run_ketacare("monitor", str(path))

    assert result.returncode == 0, result.stderr
    assert result.document == EXPECTED


def test_before_dosing_only_the_pre_dose_rules_apply() -> None:
    document = changed(
        dose_at=None,
        readings=[],
        pre_dose={"systolic": 150, "diastolic": 85},
        checklist={"rems_setting_certified": True, "rems_patient_enrolled": True},
    )

    result = run_ketacare("monitor", "-", stdin=document)

    assert result.returncode == 0, result.stderr
    assert result.document["dosing"] == "hold"
    assert [a["rule"] for a in result.document["alerts"]] == ["MON-BP-HOLD"]
    assert result.document["alerts"][0]["at"] == EXAMPLE["now"]
    assert result.document["next_reading_due"] is None
    assert result.document["discharge"] is None


def test_ready_iv_session_with_every_optional_key() -> None:
    document = changed(
        route="iv_ketamine",
        dose_at="2026-12-01T08:00:00+00:00",
        now="2026-12-01T10:00:00+00:00",
        infusion_duration_min=60,
        readings=[
            {"at": "2026-12-01T09:50:00+00:00", "systolic": 124, "diastolic": 78, "spo2": 98,
             "respiratory_rate": 14, "moaas": 5, "cadss": 0, "symptoms": []},
        ],
        checklist={"escort_confirmed": True, "pregnancy_status_documented": True,
                   "last_food_at": "2026-12-01T06:00:00+00:00"},
        attestations={"dissociation_resolved": True, "critical_alerts_acknowledged": False},
    )  # fmt: skip

    result = run_ketacare("monitor", "-", stdin=document)

    assert result.returncode == 0, result.stderr
    assert result.document["discharge"] == {
        "ready": True, "earliest": "2026-12-01T10:00:00+00:00", "reasons": [],
    }  # fmt: skip
    assert [a["level"] for a in result.document["alerts"]] == ["info"]


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"route": ', "input"),
        ("[1, 2]", "input"),
        ({k: v for k, v in EXAMPLE.items() if k != "now"}, "now"),
        (changed(overrides=["DISCH-BP"]), "overrides"),
        (changed(pre_dose={"systolic": 128, "temperature": 37}), "pre_dose.temperature"),
        (changed(readings=[{"at": "2026-12-01T09:40:00+00:00", "systolic": 400}]),
         "readings.0.systolic"),
        (changed(readings=[{"at": "2026-12-01T09:40:00+00:00", "systolic": "high"}]),
         "readings.0.systolic"),
        (changed(readings=[{"at": "2026-12-01T09:40:00+00:00", "spo2": True}]),
         "readings.0.spo2"),
        (changed(route="ketamine"), "route"),
        (changed(readings=[{"at": "2026-12-01T09:40:00+00:00", "symptoms": ["nausea"]}]),
         "readings.0.symptoms.0"),
        (changed(now="2026-12-01T10:10:00"), "now"),
        (changed(dose_at="yesterday"), "dose_at"),
        (changed(readings=[{"at": "2026-12-01T08:40:00+00:00"}]), "readings.0.at"),
        (changed(readings=[{"at": "2026-12-01T09:40:00+00:00", "systolic": 90,
                            "diastolic": 95}]), "readings.0.diastolic"),
        (changed(infusion_duration_min=40), "infusion_duration_min"),
        (changed(route="iv_ketamine", infusion_duration_min=30), "infusion_duration_min"),
        (changed(checklist={"escort_confirmed": 1}), "checklist.escort_confirmed"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_an_error_naming_the_field(stdin: Any, field: str) -> None:
    result = run_ketacare("monitor", "-", stdin=stdin)

    assert_input_error(result, field)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    result = run_ketacare("monitor", str(tmp_path / "absent.json"))

    assert_input_error(result, "input")


def test_a_later_systolic_alone_blocks_discharge_while_its_severe_alert_fires() -> None:
    # The reviewer's case: a complete, normal pair at 10:50, then systolic 185 alone at 10:55.
    document = changed(
        now="2026-12-01T11:00:00+00:00",
        readings=[
            {"at": "2026-12-01T09:40:00+00:00", "systolic": 150, "diastolic": 95, "spo2": 97,
             "moaas": 4},
            {"at": "2026-12-01T10:50:00+00:00", "systolic": 130, "diastolic": 85, "spo2": 98,
             "respiratory_rate": 14, "moaas": 5},
            {"at": "2026-12-01T10:55:00+00:00", "systolic": 185},
        ],
        checklist={"escort_confirmed": True},
        attestations={"dissociation_resolved": True, "critical_alerts_acknowledged": True},
    )  # fmt: skip

    result = run_ketacare("monitor", "-", stdin=document)

    assert result.returncode == 0, result.stderr
    severe = [a for a in result.document["alerts"] if a["rule"] == "MON-BP-SEVERE"]
    assert [a["at"] for a in severe] == ["2026-12-01T10:55:00+00:00"]
    discharge = result.document["discharge"]
    assert discharge["ready"] is False
    assert [reason.split(":")[0] for reason in discharge["reasons"]] == ["DISCH-BP"]
    assert result.document["next_reading_due"] == "2026-12-01T10:55:00+00:00"
