"""Dose limits and arithmetic (clinical-reference.md 1.2-1.4; DOSE-*; SAFE-IV-RATE)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.dosing import (
    EsketamineDoseOrder,
    IvDoseOrder,
    OralDoseOrder,
    Route,
    allowed_esketamine_doses_mg,
    compute_dose,
    parse_dose,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import read_number
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings

STEP = 0.01  # the "small step" either side of a decimal limit

WORKED = {
    "weight_kg": 70,
    "dose_mg_per_kg": 0.5,
    "duration_min": 40,
    "concentration_mg_per_ml": 1.0,
}


def value(rule_id: str, name: str) -> float:
    return float(DEFAULT_SETTINGS.value(rule_id, name))


def iv(**changes: Any) -> IvDoseOrder:
    return IvDoseOrder(**{**WORKED, **changes})


def test_worked_example_of_the_reference_gives_35_mg_35_ml_52_5_ml_per_hour() -> None:
    result = compute_dose(iv())

    assert result.as_document() == {
        "route": "iv_ketamine",
        "dose_mg": 35.0,
        "volume_ml": 35.0,
        "rate_ml_per_h": 52.5,
    }


def test_iv_arithmetic_is_shown_as_steps_for_the_chair_screen() -> None:
    steps = compute_dose(iv()).steps

    assert [(s.label, s.text) for s in steps] == [
        ("dose", "70 kg \N{MULTIPLICATION SIGN} 0.5 mg/kg = 35.0 mg"),
        ("volume", "35.0 mg ÷ 1 mg/mL = 35.0 mL"),
        ("rate", "35.0 mL ÷ (40 min ÷ 60 min/h) = 52.5 mL/h"),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Half up on the exact value: 35.25 -> 35.3 (float round() would give 35.2).
        ({"weight_kg": 70.5}, (35.3, 35.3, 52.9)),
        # 33 x 0.35 is 11.549999999999999 as floats; the exact 11.55 rounds to 11.6.
        ({"weight_kg": 33, "dose_mg_per_kg": 0.35}, (11.6, 11.6, 17.3)),
        ({"weight_kg": 30.3}, (15.2, 15.2, 22.7)),
        ({"concentration_mg_per_ml": 3}, (35.0, 11.7, 17.5)),
        (
            {
                "weight_kg": 80,
                "dose_mg_per_kg": 0.75,
                "concentration_mg_per_ml": 2,
                "duration_min": 100,
            },
            (60.0, 30.0, 18.0),
        ),
        (
            {"weight_kg": 100, "dose_mg_per_kg": 0.1, "concentration_mg_per_ml": 10},
            (10.0, 1.0, 1.5),
        ),
        ({"weight_kg": 33, "dose_mg_per_kg": 0.35, "duration_min": 60}, (11.6, 11.6, 11.6)),
    ],
)
def test_iv_outputs_round_half_up_to_one_decimal(
    changes: dict[str, float], expected: tuple[float, float, float]
) -> None:
    result = compute_dose(iv(**changes))

    assert (result.dose_mg, result.volume_ml, result.rate_ml_per_h) == expected


def test_a_volume_that_does_not_end_is_shown_as_approximate_in_the_rate_step() -> None:
    steps = compute_dose(iv(concentration_mg_per_ml=3)).steps

    assert steps[2].text == "≈11.6667 mL ÷ (40 min ÷ 60 min/h) = 17.5 mL/h"


IV_LIMITS = [
    ("weight_kg", "DOSE-IV-WEIGHT", "minimum_kg", "maximum_kg"),
    ("dose_mg_per_kg", "DOSE-IV-MGKG", "minimum_mg_per_kg", "maximum_mg_per_kg"),
    ("duration_min", "DOSE-IV-DURATION", "minimum_min", "maximum_min"),
    ("concentration_mg_per_ml", "DOSE-IV-CONC", "minimum_mg_per_ml", "maximum_mg_per_ml"),
]


@pytest.mark.parametrize(("field", "rule_id", "low", "high"), IV_LIMITS)
def test_iv_limits_accept_their_bounds_and_refuse_a_step_beyond(
    field: str, rule_id: str, low: str, high: str
) -> None:
    minimum, maximum = value(rule_id, low), value(rule_id, high)
    for accepted in (minimum, round(minimum + STEP, 2), round(maximum - STEP, 2), maximum):
        compute_dose(iv(**{field: accepted}))
    for refused in (round(minimum - STEP, 2), round(maximum + STEP, 2)):
        with pytest.raises(ClinicalInputError) as caught:
            compute_dose(iv(**{field: refused}))
        assert caught.value.field == field
        assert field in caught.value.message
        assert rule_id in caught.value.message


def test_dose_above_the_warning_threshold_warns_but_is_computed() -> None:
    warn_above = value("DOSE-IV-MGKG", "warn_above_mg_per_kg")

    at = compute_dose(iv(dose_mg_per_kg=warn_above))
    above = compute_dose(iv(dose_mg_per_kg=round(warn_above + STEP, 2)))

    assert at.alerts == ()
    assert [(a.rule, a.level) for a in above.alerts] == [("DOSE-IV-MGKG", "warning")]
    assert above.dose_mg > at.dose_mg


def test_a_clinic_can_narrow_the_iv_dose_range() -> None:
    clinic = ClinicalSettings.with_overrides({"DOSE-IV-MGKG": {"maximum_mg_per_kg": 0.75}})

    compute_dose(iv(dose_mg_per_kg=0.75), clinic)
    with pytest.raises(ClinicalInputError) as caught:
        compute_dose(iv(dose_mg_per_kg=0.8), clinic)
    assert caught.value.field == "dose_mg_per_kg"


@pytest.mark.parametrize(
    ("rule_id", "name", "wider"),
    [
        ("DOSE-IV-MGKG", "maximum_mg_per_kg", 1.5),
        ("DOSE-IV-DURATION", "minimum_min", 20),
        ("DOSE-IV-WEIGHT", "minimum_kg", 10),
        ("DOSE-ORAL-RANGE", "maximum_mg", 500),
    ],
)
def test_a_clinic_cannot_widen_a_limit_beyond_the_reference(
    rule_id: str, name: str, wider: float
) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({rule_id: {name: wider}})
    assert rule_id in caught.value.field


@pytest.mark.parametrize("rule_id", ["DOSE-ESK-ALLOWED", "DOSE-ESK-DEVICES", "DOSE-ESK-FIRST-TRD"])
def test_esketamine_label_facts_cannot_be_configured(rule_id: str) -> None:
    name, default = next(iter(REGISTRY[rule_id].defaults.items()))
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({rule_id: {name: default + 28}})
    assert rule_id in caught.value.message


@pytest.mark.parametrize(("dose", "devices"), [(28, 1), (56, 2), (84, 3)])
def test_esketamine_devices_are_dose_over_28(dose: int, devices: int) -> None:
    result = compute_dose(EsketamineDoseOrder(dose))

    assert result.as_document() == {
        "route": "esketamine_nasal",
        "dose_mg": dose,
        "devices": devices,
    }


def test_esketamine_28_mg_raises_the_not_us_label_info_alert() -> None:
    alerts = compute_dose(EsketamineDoseOrder(28)).alerts

    assert [(a.rule, a.level) for a in alerts] == [("DOSE-ESK-ALLOWED", "info")]
    assert "not a US-label TRD dose" in alerts[0].message
    assert compute_dose(EsketamineDoseOrder(56)).alerts == ()


def test_allowed_esketamine_doses_are_28_mg_steps_up_to_84() -> None:
    assert allowed_esketamine_doses_mg() == (28, 56, 84)


@pytest.mark.parametrize("dose", [0, 27, 29, 42, 55, 57, 83, 85, 112, -28])
def test_esketamine_doses_other_than_28_56_84_are_refused(dose: int) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        compute_dose(EsketamineDoseOrder(dose))
    assert caught.value.field == "dose_mg"


def test_oral_range_accepts_its_bounds_and_refuses_a_step_beyond() -> None:
    low, high = value("DOSE-ORAL-RANGE", "minimum_mg"), value("DOSE-ORAL-RANGE", "maximum_mg")
    for accepted in (low, low + STEP, high - STEP, high):
        assert compute_dose(OralDoseOrder(accepted)).dose_mg == accepted
    for refused in (low - STEP, high + STEP):
        with pytest.raises(ClinicalInputError) as caught:
            compute_dose(OralDoseOrder(refused))
        assert caught.value.field == "dose_mg"


def test_oral_whole_dose_is_reported_as_an_integer() -> None:
    assert compute_dose(OralDoseOrder(150.0)).as_document() == {
        "route": "oral_ketamine",
        "dose_mg": 150,
    }


def test_parse_reads_each_route_of_the_contract() -> None:
    assert parse_dose({"route": "iv_ketamine", **WORKED}) == iv()
    assert parse_dose({"route": "esketamine_nasal", "dose_mg": 84}) == EsketamineDoseOrder(84)
    assert parse_dose({"route": "oral_ketamine", "dose_mg": 150}) == OralDoseOrder(150.0)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"route": "im_ketamine", "dose_mg": 10}, "route"),
        ({"dose_mg": 84}, "route"),
        (
            {"route": "iv_ketamine", "weight_kg": 70, "dose_mg_per_kg": 0.5, "duration_min": 40},
            "concentration_mg_per_ml",
        ),
        ({"route": "iv_ketamine", **WORKED, "weight_kg": "70"}, "weight_kg"),
        ({"route": "iv_ketamine", **WORKED, "duration_min": True}, "duration_min"),
        ({"route": "iv_ketamine", **WORKED, "dose_mg": 35}, "dose_mg"),
        ({"route": "esketamine_nasal", "dose_mg": 84.5}, "dose_mg"),
        ({"route": "esketamine_nasal", "dose_mg": 84, "devices": 3}, "devices"),
        ({"route": "oral_ketamine"}, "dose_mg"),
        ([], "input"),
    ],
)
def test_parse_names_the_bad_field(document: Any, field: str) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        parse_dose(document)
    assert caught.value.field == field


@settings(max_examples=200, deadline=None)
@given(
    weight=st.decimals("30", "300", places=1),
    per_kg=st.decimals("0.1", "1.0", places=2),
    minutes=st.integers(40, 100),
    concentration=st.decimals("0.1", "10", places=1),
)
def test_iv_outputs_are_within_half_a_tenth_of_the_exact_arithmetic(
    weight: Any, per_kg: Any, minutes: int, concentration: Any
) -> None:
    result = compute_dose(IvDoseOrder(float(weight), float(per_kg), minutes, float(concentration)))

    exact_dose = weight * per_kg
    exact_volume = exact_dose / concentration
    exact_rate = exact_volume * 60 / minutes
    assert result.route is Route.IV_KETAMINE
    assert abs(result.dose_mg - float(exact_dose)) <= 0.05 + 1e-9
    assert result.volume_ml is not None and result.rate_ml_per_h is not None
    assert abs(result.volume_ml - float(exact_volume)) <= 0.05 + 1e-9
    assert abs(result.rate_ml_per_h - float(exact_rate)) <= 0.05 + 1e-9


# An order built in Python (web app, FHIR import) is held to the types the JSON reader gives.
@pytest.mark.parametrize(
    ("order", "field"),
    [
        (EsketamineDoseOrder(84.0), "dose_mg"),  # type: ignore[arg-type]
        (EsketamineDoseOrder(True), "dose_mg"),
        (EsketamineDoseOrder("84"), "dose_mg"),  # type: ignore[arg-type]
        (OralDoseOrder("150"), "dose_mg"),  # type: ignore[arg-type]
        (OralDoseOrder(True), "dose_mg"),
        (IvDoseOrder(**{**WORKED, "weight_kg": "70"}), "weight_kg"),
        (IvDoseOrder(**{**WORKED, "duration_min": True}), "duration_min"),
        (IvDoseOrder(**{**WORKED, "concentration_mg_per_ml": float("inf")}),
         "concentration_mg_per_ml"),
        ({"route": "oral_ketamine", "dose_mg": 150}, "input"),
    ],
)  # fmt: skip
def test_an_order_built_in_python_with_a_wrong_type_is_refused_naming_the_field(order, field):
    with pytest.raises(ClinicalInputError) as caught:
        compute_dose(order)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "field", ["weight_kg", "dose_mg_per_kg", "duration_min", "concentration_mg_per_ml"]
)
@pytest.mark.parametrize("value", ["70", True, None, float("nan"), float("-inf")])
def test_an_iv_value_that_is_not_a_number_gets_the_sentence_of_the_json_reader(field, value):
    # compute_dose checks a Python-built order with the reader of JSON input, not a copy of it.
    with pytest.raises(ClinicalInputError) as caught:
        compute_dose(iv(**{field: value}))
    with pytest.raises(ClinicalInputError) as expected:
        read_number(value, field)

    assert caught.value.field == field
    assert caught.value.message == expected.value.message


def test_an_esketamine_dose_written_as_a_float_is_refused_in_json_too():
    with pytest.raises(ClinicalInputError) as caught:
        parse_dose({"route": "esketamine_nasal", "dose_mg": 84.0})
    assert caught.value.field == "dose_mg"
