"""`ketacare protocols` as outside programs run it (contracts.md section 1)."""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import assert_input_error


def test_lists_every_protocol_id_with_its_phases(ketacare: Any) -> None:
    result = ketacare("protocols")

    assert result.returncode == 0, result.stderr
    protocols = {p["id"]: p for p in result.document["protocols"]}
    assert sorted(protocols) == [
        "esketamine_mdsi_label",
        "esketamine_trd_label",
        "iv_induction_2x_weekly",
        "iv_induction_3x_weekly",
        "iv_maintenance_taper",
        "oral_titration_example",
    ]
    trd = protocols["esketamine_trd_label"]
    assert [phase["name"] for phase in trd["phases"]] == [
        "induction",
        "optimization",
        "maintenance",
    ]
    assert trd["route"] == "esketamine_nasal"
    assert trd["evidence"] == "verified"
    assert trd["spacing"]["rule"] == "PROT-ESKETAMINE-TRD-LABEL-SPACING"


def test_phases_listed_are_the_phases_a_schedule_uses(ketacare: Any) -> None:
    listed = {
        p["id"]: [ph["name"] for ph in p["phases"]]
        for p in ketacare("protocols").document["protocols"]
    }
    for protocol_id, phases in listed.items():
        stdin = {"protocol": protocol_id, "start": "2026-12-01", "clinic_days": [0, 2, 4]}
        sessions = ketacare("schedule", "-", stdin=stdin).document["sessions"]
        assert sorted({s["phase"] for s in sessions}) == sorted(phases)


def test_an_argument_is_a_usage_error(ketacare: Any) -> None:
    assert_input_error(ketacare("protocols", "extra"), "arguments")
