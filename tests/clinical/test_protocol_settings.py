"""Protocol data that cannot contradict the clinic's thresholds (reference 1.6; PROT-*, DOSE-*).

Dose texts name registry thresholds and are filled from the clinic's settings; the oral titration
stays within DOSE-ORAL-RANGE; a spacing a clinic sets must leave the protocol's frequency
possible, and a data file whose frequency its spacing range or DOSE-ESK-MAX-FREQUENCY cannot keep
is refused by the loader.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from typing import Any

import pytest

from ketacare.clinical.dosing import IvDoseOrder, OralDoseOrder, compute_dose
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import (
    PROTOCOLS,
    Protocol,
    ProtocolDataError,
    SpacingKind,
    describe_protocols,
    generate_schedule,
    load_protocol,
)
from ketacare.clinical.protocols.model import CLINIC_SETTING_NOTE, PLACEHOLDER, TITRATION
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings

MONDAY = dt.date(2026, 11, 30)
EVERY_DAY = range(7)
IV = ("iv_induction_3x_weekly", "iv_induction_2x_weekly", "iv_maintenance_taper")
ORAL = "oral_titration_example"
SPACING_NAME = {
    SpacingKind.MINIMUM_DAYS_APART: "minimum_days_apart",
    SpacingKind.INTERVAL_TOLERANCE: "tolerance_days",
}


def data_text(protocol_id: str) -> str:
    folder = resources.files("ketacare.clinical.protocols").joinpath("data")
    return folder.joinpath(f"{protocol_id}.toml").read_text(encoding="utf-8")


def listing(settings: ClinicalSettings) -> dict[str, Any]:
    return {p["id"]: p for p in describe_protocols(settings)["protocols"]}  # type: ignore[union-attr]


def schedule_doses(protocol_id: str, settings: ClinicalSettings, **kwargs: Any) -> list[str]:
    schedule = generate_schedule(
        protocol_id, start=MONDAY, clinic_days=EVERY_DAY, settings=settings, **kwargs
    )
    return [s.dose for s in schedule.sessions]


# Reference 1.6, column "Dose per session", as the listing words it (dose, first-session dose).
REFERENCE_DOSES = {
    "iv_induction_3x_weekly": ["0.5 mg/kg over 40 min"],
    "iv_induction_2x_weekly": ["0.5 mg/kg over 40 min"],
    "iv_maintenance_taper": ["0.5 mg/kg over 40 min"],
    "esketamine_trd_label": [("56 or 84 mg", "56 mg"), "56 or 84 mg", "56 or 84 mg"],
    "esketamine_mdsi_label": ["84 mg (56 mg allowed for tolerability)"],
    "oral_titration_example": ["50 mg, +25 mg per session as tolerated, max 300 mg"],
}


@pytest.mark.parametrize(("protocol_id", "doses"), REFERENCE_DOSES.items())
def test_default_dose_texts_say_what_the_reference_says(protocol_id: str, doses: list[Any]) -> None:
    phases = listing(DEFAULT_SETTINGS)[protocol_id]["phases"]

    shown = [p["dose"] if p["first_dose"] is None else (p["dose"], p["first_dose"]) for p in phases]
    assert shown == doses
    # The reference's numbers are the registry defaults: no text calls them a clinic's setting.
    assert not any(CLINIC_SETTING_NOTE in d for d in schedule_doses(protocol_id, DEFAULT_SETTINGS))


def test_a_dose_text_names_doses_not_the_thresholds_of_alerts() -> None:
    # The TRD label's later "56 or 84 mg" once named DOSE-ESK-ALLOWED info_below_mg for its 56:
    # where an info alert starts, true only while that fixed number equals the first dose.
    for protocol in PROTOCOLS.values():
        for phase in protocol.phases:
            texts = [phase.dose, phase.first_dose or ""]
            if phase.titration is not None:
                texts.append(phase.titration.rise)
            for text in texts:
                for placeholder in PLACEHOLDER.findall(text):
                    owner, _, name = placeholder.partition(".")
                    assert "_below_" not in name and "_above_" not in name, (protocol.id, text)
                    assert owner == TITRATION or name in REGISTRY[owner].defaults


def test_every_number_of_a_dose_text_is_a_placeholder() -> None:
    for protocol in PROTOCOLS.values():
        for phase in protocol.phases:
            for text in filter(None, (phase.dose, phase.first_dose)):
                assert re.search(r"\d", re.sub(r"\{[^{}]*\}", "", text)) is None, text


IV_OVERRIDES = [
    {"DOSE-IV-DURATION": {"default_min": 60}},
    {"DOSE-IV-DURATION": {"minimum_min": 60, "default_min": 60}},
    {"DOSE-IV-MGKG": {"default_mg_per_kg": 0.4}},
    {"DOSE-IV-MGKG": {"default_mg_per_kg": 0.45}, "DOSE-IV-DURATION": {"default_min": 100}},
]


@pytest.mark.parametrize("overrides", IV_OVERRIDES)
def test_iv_dose_text_shows_the_clinic_default_dose_and_duration(overrides: Any) -> None:
    clinic = ClinicalSettings.with_overrides(overrides)
    per_kg = clinic.value("DOSE-IV-MGKG", "default_mg_per_kg")
    minutes = clinic.value("DOSE-IV-DURATION", "default_min")
    # Each override moves a shown value off the registry default: the text says so, once.
    expected = f"{per_kg} mg/kg over {minutes} min{CLINIC_SETTING_NOTE}"
    listed = listing(clinic)

    for protocol_id in IV:
        assert set(schedule_doses(protocol_id, clinic)) == {expected}
        assert [p["dose"] for p in listed[protocol_id]["phases"]] == [expected]
    # What the schedule shows is an order compute_dose accepts under the same settings.
    compute_dose(IvDoseOrder(70, per_kg, minutes, 1.0), clinic)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # The review's case: the listing showed this beside MURROUGH-2013B, which used neither.
        ({"DOSE-IV-MGKG": {"default_mg_per_kg": 0.75}, "DOSE-IV-DURATION": {"default_min": 60}},
         "0.75 mg/kg over 60 min (this clinic's setting)"),
        ({"DOSE-IV-MGKG": {"default_mg_per_kg": 0.75}},
         "0.75 mg/kg over 40 min (this clinic's setting)"),
        # Overrides of thresholds the text does not show leave it as the source's.
        ({"DOSE-IV-MGKG": {"warn_above_mg_per_kg": 0.7}}, "0.5 mg/kg over 40 min"),
        ({"DOSE-IV-DURATION": {"maximum_min": 90}}, "0.5 mg/kg over 40 min"),
        # An override equal to the default is no clinic setting of its own.
        ({"DOSE-IV-MGKG": {"default_mg_per_kg": 0.5}}, "0.5 mg/kg over 40 min"),
    ],
)  # fmt: skip
def test_a_dose_text_says_when_it_shows_a_clinic_setting_not_the_source(
    overrides: Any, expected: str
) -> None:
    clinic = ClinicalSettings.with_overrides(overrides)
    listed = listing(clinic)

    for protocol_id in IV:
        assert [p["dose"] for p in listed[protocol_id]["phases"]] == [expected]
        assert set(schedule_doses(protocol_id, clinic)) == {expected}


def test_a_clinic_minimum_duration_is_not_contradicted_by_the_schedule() -> None:
    # The audit's case: with a 60-minute minimum, 40 minutes is refused, so it must not be shown.
    clinic = ClinicalSettings.with_overrides(
        {"DOSE-IV-DURATION": {"minimum_min": 60, "default_min": 60}}
    )
    shortest = DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "minimum_min")
    with pytest.raises(ClinicalInputError):
        compute_dose(IvDoseOrder(70, 0.5, shortest, 1.0), clinic)

    assert not any(f"over {shortest} min" in d for d in schedule_doses(IV[0], clinic))


ORAL_OVERRIDES = [
    {},
    {"DOSE-ORAL-RANGE": {"minimum_mg": 60}},
    {"DOSE-ORAL-RANGE": {"minimum_mg": 60.5}},
    {"DOSE-ORAL-RANGE": {"minimum_mg": 25}},
    {"DOSE-ORAL-RANGE": {"maximum_mg": 40}},
    {"DOSE-ORAL-RANGE": {"maximum_mg": 99.5}},
    {"DOSE-ORAL-RANGE": {"minimum_mg": 300}},
    {"DOSE-ORAL-RANGE": {"minimum_mg": 99.2, "maximum_mg": 99.5}},  # no whole mg in the range
    {"DOSE-ORAL-RANGE": {"minimum_mg": 100, "maximum_mg": 150}},
]


@pytest.mark.parametrize("overrides", ORAL_OVERRIDES)
def test_every_oral_titration_dose_lies_within_the_clinic_range(overrides: Any) -> None:
    clinic = ClinicalSettings.with_overrides(overrides)
    low = clinic.value("DOSE-ORAL-RANGE", "minimum_mg")
    high = clinic.value("DOSE-ORAL-RANGE", "maximum_mg")
    titration = PROTOCOLS[ORAL].phases[0].titration
    assert titration is not None

    doses = [float(text.split(" mg")[0]) for text in schedule_doses(ORAL, clinic, sessions=24)]

    # Each session one step above the last, up to the highest dose, which 24 sessions reach.
    assert doses[1:] == [min(dose + titration.step_mg, doses[-1]) for dose in doses[:-1]]
    assert all(low <= dose <= high for dose in doses)
    for dose in doses:
        compute_dose(OralDoseOrder(dose), clinic)  # never refused
    phase = listing(clinic)[ORAL]["phases"][0]
    assert phase["titration"]["start_mg"] == doses[0]
    assert phase["titration"]["maximum_mg"] == high  # as set: 99.5 is not shown as 99


# Reference 1.6: "50 mg, +25 mg per session as tolerated, max 300 mg"; what a clinic's
# DOSE-ORAL-RANGE makes of it, in the listing and in the first three sessions.
ORAL_TEXTS = [
    ({}, "50 mg, +25 mg per session as tolerated, max 300 mg", [50, 75, 100]),
    # Every session at the first dose: no "+25 mg" clause.
    ({"maximum_mg": 40}, "40 mg (this clinic's setting)", [40, 40, 40]),
    ({"minimum_mg": 300}, "300 mg (this clinic's setting)", [300, 300, 300]),
    ({"maximum_mg": 50}, "50 mg", [50, 50, 50]),
    ({"maximum_mg": 60},
     "50 mg, +25 mg per session as tolerated, max 60 mg (this clinic's setting)", [50, 60, 60]),
    # The maximum as set; the doses stay at or below it.
    ({"maximum_mg": 99.5},
     "50 mg, +25 mg per session as tolerated, max 99.5 mg (this clinic's setting)", [50, 75, 99]),
    ({"minimum_mg": 99.2, "maximum_mg": 99.5}, "99.5 mg (this clinic's setting)",
     [99.5, 99.5, 99.5]),
    ({"minimum_mg": 60},
     "60 mg, +25 mg per session as tolerated, max 300 mg (this clinic's setting)", [60, 85, 110]),
    ({"minimum_mg": 25}, "50 mg, +25 mg per session as tolerated, max 300 mg", [50, 75, 100]),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "text", "first_three"), ORAL_TEXTS)
def test_the_oral_dose_text_is_true_of_the_doses_the_clinic_range_gives(
    overrides: Any, text: str, first_three: list[float]
) -> None:
    clinic = ClinicalSettings.with_overrides({"DOSE-ORAL-RANGE": overrides})

    assert listing(clinic)[ORAL]["phases"][0]["dose"] == text
    doses = [float(d.split(" mg")[0]) for d in schedule_doses(ORAL, clinic, sessions=3)]
    assert doses == first_three


def test_a_clinic_oral_minimum_above_the_series_start_moves_the_start() -> None:
    # The audit's case: minimum 60 refuses the series' 50 mg, so the first dose is 60 mg.
    clinic = ClinicalSettings.with_overrides({"DOSE-ORAL-RANGE": {"minimum_mg": 60}})
    titration = PROTOCOLS[ORAL].phases[0].titration
    assert titration is not None
    with pytest.raises(ClinicalInputError):
        compute_dose(OralDoseOrder(titration.start_mg), clinic)

    assert schedule_doses(ORAL, clinic)[0] == "60 mg"


def spacing_bound(protocol: Protocol) -> int:
    """The largest spacing number that keeps every frequency of the protocol's steps."""
    bounds: list[int] = []
    for phase in protocol.phases:
        for step in phase.steps:
            if step.per_week is not None:
                bounds.append(7 // step.per_week)
            for days in (step.every_days, *step.every_days_options):
                if days is not None:
                    by_interval = protocol.spacing.kind is SpacingKind.INTERVAL_TOLERANCE
                    bounds.append(days - 1 if by_interval else days)
    return min(bounds)


@pytest.mark.parametrize("protocol_id", sorted(PROTOCOLS))
def test_a_spacing_the_frequency_cannot_keep_is_refused_naming_the_rule(protocol_id: str) -> None:
    protocol = PROTOCOLS[protocol_id]
    rule, name = protocol.spacing.rule, SPACING_NAME[protocol.spacing.kind]
    most = REGISTRY[rule].threshold(name).maximum
    bound = spacing_bound(protocol)

    assert most <= bound
    ClinicalSettings.with_overrides({rule: {name: most}})  # the range's end is allowed
    for value in (most + 1, bound + 1, 7):
        with pytest.raises(ClinicalInputError) as caught:
            ClinicalSettings.with_overrides({rule: {name: value}})
        assert caught.value.field == f"settings.{rule}.{name}"
        assert rule in caught.value.message


@pytest.mark.parametrize("protocol_id", sorted(PROTOCOLS))
def test_the_strictest_spacing_a_clinic_may_set_keeps_the_listed_frequency(
    protocol_id: str,
) -> None:
    protocol = PROTOCOLS[protocol_id]
    rule, name = protocol.spacing.rule, SPACING_NAME[protocol.spacing.kind]
    strictest = ClinicalSettings.with_overrides(
        {rule: {name: REGISTRY[rule].threshold(name).maximum}}
    )

    def dates(settings: ClinicalSettings) -> list[dt.date]:
        schedule = generate_schedule(
            protocol_id, start=MONDAY, clinic_days=EVERY_DAY, settings=settings
        )
        return [s.date for s in schedule.sessions]

    # With every day open, the dates are the frequency's own: the spacing never slows them.
    assert dates(strictest) == dates(DEFAULT_SETTINGS)


GOOD = data_text("iv_induction_3x_weekly")
IV_DOSE = 'dose = "{DOSE-IV-MGKG.default_mg_per_kg} mg/kg over {DOSE-IV-DURATION.default_min} min"'


@pytest.mark.parametrize(
    ("dose", "named"),
    [
        ("{DOSE-IV-NONE.default_min} min", "DOSE-IV-NONE"),
        ("{DOSE-IV-DURATION.default_minutes} min", "default_minutes"),
        ("{DOSE-IV-DURATION} min", "DOSE-IV-DURATION"),
        ("{dose-iv-duration.default_min} min", "dose-iv-duration"),
        ("{titration.start_mg} mg", "titration"),
        ("0.5 mg/kg over {DOSE-IV-DURATION.default_min} min", "0.5"),
        ("{DOSE-IV-MGKG.default_mg_per_kg} mg/kg over 40 min", "40"),
        ("{DOSE-IV-MGKG.default_mg_per_kg mg/kg over {DOSE-IV-DURATION.default_min} min", "brace"),
        ("{DOSE-IV-MGKG.default_mg_per_kg} mg/kg}", "brace"),
    ],
)
def test_a_dose_text_naming_no_threshold_or_holding_a_number_is_refused(
    dose: str, named: str
) -> None:
    assert IV_DOSE in GOOD
    with pytest.raises(ProtocolDataError) as caught:
        load_protocol(GOOD.replace(IV_DOSE, f'dose = "{dose}"'), "iv_induction_3x_weekly.toml")
    message = str(caught.value)
    assert message.startswith("iv_induction_3x_weekly.toml: field phases.0.dose: ")
    assert named in message


@pytest.mark.parametrize(
    ("protocol_id", "old", "new", "field"),
    [
        ("oral_titration_example", "{titration.step_mg}", "{titration.minimum_mg}",
         "phases.0.titration.rise"),
        ("oral_titration_example", "max {titration.maximum_mg} mg", "max 300 mg",
         "phases.0.titration.rise"),
        ("oral_titration_example", 'dose = "{titration.start_mg} mg"',
         'dose = "{titration.start_mg} mg, up to {DOSE-ORAL-RANGE.maximum}"', "phases.0.dose"),
        ("esketamine_trd_label", 'first_dose = "{DOSE-ESK-FIRST-TRD.first_dose_mg} mg"',
         'first_dose = "56 mg"', "phases.0.first_dose"),
        ("oral_titration_example", 'minimum_name = "minimum_mg"', 'minimum_name = "lowest_mg"',
         "phases.0.titration.rule"),
    ],
)  # fmt: skip
def test_other_dose_texts_and_titration_ranges_are_checked(protocol_id, old, new, field) -> None:
    text = data_text(protocol_id)
    assert old in text
    with pytest.raises(ProtocolDataError) as caught:
        load_protocol(text.replace(old, new), f"{protocol_id}.toml")
    assert f"field {field}:" in str(caught.value)


@pytest.mark.parametrize(
    ("protocol_id", "old", "new", "field", "named"),
    [
        ("iv_induction_3x_weekly", "per_week = 3", "per_week = 4",
         "phases.0.steps.0.per_week", "PROT-IV-INDUCTION-3X-WEEKLY-SPACING"),
        ("iv_induction_2x_weekly", "per_week = 2", "per_week = 3",
         "phases.0.steps.0.per_week", "PROT-IV-INDUCTION-2X-WEEKLY-SPACING"),
        ("oral_titration_example", "every_days = 3", "every_days = 2",
         "phases.0.steps.0.every_days", "PROT-ORAL-TITRATION-EXAMPLE-SPACING"),
        ("iv_maintenance_taper", "every_days = 7", "every_days = 3",
         "phases.0.steps.0.every_days", "PROT-IV-MAINTENANCE-TAPER-SPACING"),
        ("esketamine_trd_label", "every_days_options = [7]", "every_days_options = [2]",
         "phases.2.steps.0.every_days_options.0", "PROT-ESKETAMINE-TRD-LABEL-SPACING"),
        # Within the spacing range, but more than the label's twice weekly.
        ("esketamine_trd_label", "every_days_options = [7]", "every_days_options = [3]",
         "phases.2.steps.0.every_days_options.0", "DOSE-ESK-MAX-FREQUENCY"),
        ("iv_induction_3x_weekly", 'route = "iv_ketamine"', 'route = "esketamine_nasal"',
         "phases.0.steps.0.per_week", "DOSE-ESK-MAX-FREQUENCY"),
    ],
)  # fmt: skip
def test_a_frequency_the_spacing_range_or_label_cannot_keep_is_refused(
    protocol_id, old, new, field, named
) -> None:
    text = data_text(protocol_id)
    assert old in text
    with pytest.raises(ProtocolDataError) as caught:
        load_protocol(text.replace(old, new), f"{protocol_id}.toml")
    message = str(caught.value)
    assert f"field {field}:" in message
    assert named in message
