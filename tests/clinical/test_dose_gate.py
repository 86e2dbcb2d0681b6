"""What a dose waits on (`ketacare.clinical.monitoring.dose_gate`): each fact alone refuses the
dose with one "RULE-ID: sentence" reason; the REMS setting answer never outranks the clinic's
certification; the pregnancy-status item is asked unless the chart records male sex at birth."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ketacare.clinical.monitoring import ESKETAMINE, IV_KETAMINE, ORAL_KETAMINE
from ketacare.clinical.monitoring.dose_gate import (
    DoseGate,
    dose_refusals,
    missing_pre_dose,
    pregnancy_check_applies,
    setting_certified,
)

REASON = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+: \S")

CLEAR = DoseGate(
    route=ESKETAMINE,
    identity_confirmed=True,
    consent_confirmed=True,
    consent_on_chart=True,
    setting_certified=True,
    clinic_certified=True,
    patient_enrolled=True,
    pregnant_on_chart=False,
)


def rules(gate: DoseGate) -> list[str]:
    return [reason.split(":", 1)[0] for reason in dose_refusals(gate)]


@pytest.mark.parametrize("route", [ESKETAMINE, IV_KETAMINE, ORAL_KETAMINE])
def test_a_complete_record_lets_the_dose_go(route: str) -> None:
    assert dose_refusals(replace(CLEAR, route=route)) == ()


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"identity_confirmed": False}, "CHECK-IDENTITY"),
        ({"consent_confirmed": False}, "CHECK-CONSENT"),
        ({"consent_on_chart": False}, "CHECK-CONSENT"),
        ({"setting_certified": False}, "MON-REMS-ENROLLED"),
        ({"clinic_certified": False}, "MON-REMS-ENROLLED"),
        ({"clinic_certified": False, "setting_certified": None}, "MON-REMS-ENROLLED"),
        ({"patient_enrolled": None}, "MON-REMS-ENROLLED"),
        ({"patient_enrolled": False}, "MON-REMS-ENROLLED"),
        ({"pregnant_on_chart": True}, "ELIG-PREGNANCY"),
    ],
)
def test_each_missing_fact_refuses_with_its_rule(change: dict[str, object], rule: str) -> None:
    reasons = dose_refusals(replace(CLEAR, **change))  # type: ignore[arg-type]

    assert [r.split(":", 1)[0] for r in reasons] == [rule]
    assert all(REASON.match(r) for r in reasons)


def test_the_rems_gate_is_asked_of_esketamine_only() -> None:
    outside = replace(
        CLEAR, route=IV_KETAMINE, clinic_certified=False, setting_certified=None,
        patient_enrolled=None,
    )  # fmt: skip

    assert dose_refusals(outside) == ()


def test_every_missing_fact_is_named_at_once() -> None:
    nothing = DoseGate(
        route=ESKETAMINE,
        identity_confirmed=False,
        consent_confirmed=False,
        consent_on_chart=False,
        setting_certified=None,
        clinic_certified=False,
        patient_enrolled=None,
        pregnant_on_chart=True,
    )

    assert rules(nothing) == [
        "CHECK-IDENTITY",
        "CHECK-CONSENT",
        "CHECK-CONSENT",
        "MON-REMS-ENROLLED",
        "MON-REMS-ENROLLED",
        "ELIG-PREGNANCY",
    ]


def test_a_missing_pre_dose_record_has_its_rule() -> None:
    assert REASON.match(missing_pre_dose())
    assert missing_pre_dose().startswith("CHECK-PRE-DOSE: ")


@pytest.mark.parametrize(
    ("answer", "clinic", "certified"),
    [
        (None, True, True),
        (None, False, False),
        (True, True, True),
        (True, False, False),  # a tick never certifies an uncertified clinic
        (False, True, False),
        (False, False, False),
    ],
)
def test_the_setting_is_certified_only_where_the_clinic_is(
    answer: bool | None, clinic: bool, certified: bool
) -> None:
    assert setting_certified(answer, clinic_certified=clinic) is certified


@pytest.mark.parametrize(("sex", "asked"), [("female", True), ("unknown", True), ("male", False)])
def test_the_pregnancy_status_is_asked_unless_the_chart_records_male(sex: str, asked: bool) -> None:
    assert pregnancy_check_applies(sex) is asked
