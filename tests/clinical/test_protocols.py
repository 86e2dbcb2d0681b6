"""Protocol data files and their listing (clinical-reference.md 1.6; PROT-*)."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import pytest

from ketacare.clinical.catalog import protocols as protocol_rules
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import read_choice
from ketacare.clinical.protocols import (
    PROTOCOLS,
    Protocol,
    ProtocolDataError,
    SessionCount,
    SpacingKind,
    Step,
    describe_protocols,
    get_protocol,
    load_protocol,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings, Evidence

PHASES = {
    "iv_induction_3x_weekly": ["induction"],
    "iv_induction_2x_weekly": ["induction"],
    "iv_maintenance_taper": ["maintenance"],
    "esketamine_trd_label": ["induction", "optimization", "maintenance"],
    "esketamine_mdsi_label": ["induction"],
    "oral_titration_example": ["induction"],
}


def data_text(protocol_id: str) -> str:
    folder = resources.files("ketacare.clinical.protocols").joinpath("data")
    return folder.joinpath(f"{protocol_id}.toml").read_text(encoding="utf-8")


def test_the_six_protocols_of_the_reference_are_loaded_at_import() -> None:
    assert sorted(PROTOCOLS) == sorted(PHASES)


@pytest.mark.parametrize(("protocol_id", "phases"), PHASES.items())
def test_phase_names_are_those_of_the_reference(protocol_id: str, phases: list[str]) -> None:
    assert [phase.name for phase in PROTOCOLS[protocol_id].phases] == phases


def test_routes_sources_and_session_counts_follow_the_table() -> None:
    def fixed(protocol_id: str) -> list[int | None]:
        return [s.sessions for p in PROTOCOLS[protocol_id].phases for s in p.steps]

    assert fixed("iv_induction_3x_weekly") == [6]
    assert fixed("iv_induction_2x_weekly") == [6]
    assert fixed("iv_maintenance_taper") == [4, 4, 3]
    assert fixed("esketamine_trd_label") == [8, 4, None]
    assert fixed("esketamine_mdsi_label") == [8]
    assert {p.id: p.route.value for p in PROTOCOLS.values()} == {
        "iv_induction_3x_weekly": "iv_ketamine",
        "iv_induction_2x_weekly": "iv_ketamine",
        "iv_maintenance_taper": "iv_ketamine",
        "esketamine_trd_label": "esketamine_nasal",
        "esketamine_mdsi_label": "esketamine_nasal",
        "oral_titration_example": "oral_ketamine",
    }
    assert PROTOCOLS["iv_induction_3x_weekly"].source == "MURROUGH-2013B"
    assert all(p.evidence is Evidence.VERIFIED for p in PROTOCOLS.values())


def test_oral_titration_count_is_clinic_defined() -> None:
    step = PROTOCOLS["oral_titration_example"].phases[0].steps[0]

    assert step.count is SessionCount.CLINIC_DEFINED
    assert step.sessions_rule == "PROT-ORAL-TITRATION-EXAMPLE-SESSIONS"
    assert REGISTRY[step.sessions_rule].evidence is Evidence.DESIGN_DEFAULT


def test_every_prot_rule_belongs_to_exactly_one_protocol() -> None:
    used = [p.spacing.rule for p in PROTOCOLS.values()] + [
        s.sessions_rule
        for p in PROTOCOLS.values()
        for ph in p.phases
        for s in ph.steps
        if s.sessions_rule
    ]
    registered = sorted(rule_id for rule_id in REGISTRY if rule_id.startswith("PROT-"))

    assert sorted(used) == registered


def test_spacing_rules_are_named_after_their_protocol() -> None:
    for protocol in PROTOCOLS.values():
        assert protocol.spacing.rule == f"PROT-{protocol.id.upper().replace('_', '-')}-SPACING"


def test_unknown_protocol_is_an_input_error_naming_protocol() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        get_protocol("ketamine_forever")
    assert caught.value.field == "protocol"


def test_unknown_protocol_gets_the_sentence_of_any_unknown_identifier() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        get_protocol(None, "protocol_id")
    with pytest.raises(ClinicalInputError) as expected:
        read_choice(None, "protocol_id", PROTOCOLS)

    assert caught.value.field == "protocol_id"
    assert caught.value.message == expected.value.message


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=lambda p: p.id)
def test_a_spacing_reads_the_threshold_its_kind_names(protocol: Protocol) -> None:
    spacing = protocol.spacing
    moved = REGISTRY[spacing.rule].threshold(spacing.threshold).maximum
    clinic = ClinicalSettings.with_overrides({spacing.rule: {spacing.threshold: moved}})

    assert (
        spacing.threshold
        == {
            SpacingKind.MINIMUM_DAYS_APART: "minimum_days_apart",
            SpacingKind.INTERVAL_TOLERANCE: "tolerance_days",
        }[spacing.kind]
    )
    assert spacing.days(clinic) == moved
    listed = {p["id"]: p for p in describe_protocols(clinic)["protocols"]}  # type: ignore[union-attr]
    assert listed[protocol.id]["spacing"][spacing.threshold] == moved


def test_a_clinic_defined_step_counts_the_clinic_setting() -> None:
    step = PROTOCOLS["oral_titration_example"].phases[0].steps[0]
    assert step.sessions_rule is not None
    clinic = ClinicalSettings.with_overrides({step.sessions_rule: {"default_sessions": 9}})

    assert step.session_count(DEFAULT_SETTINGS) == DEFAULT_SETTINGS.value(
        step.sessions_rule, "default_sessions"
    )
    assert step.session_count(clinic) == 9
    assert PROTOCOLS["esketamine_trd_label"].phases[2].steps[0].session_count(clinic) is None


def test_threshold_names_of_spacing_and_session_rules_are_written_once() -> None:
    # model.py holds them; the loader, the listing and the schedule read them from there.
    folder = Path(protocol_rules.__file__).parents[1] / "protocols"
    names = {"minimum_days_apart", "tolerance_days", "default_sessions"}
    written = [
        f"{path.name}:{node.lineno}"
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in names
    ]

    assert {place.split(":")[0] for place in written} == {"model.py"}, written


def test_listing_names_every_protocol_with_its_phases() -> None:
    listing = describe_protocols()["protocols"]
    assert isinstance(listing, list)

    assert [p["id"] for p in listing] == sorted(PHASES)
    for entry in listing:
        assert [phase["name"] for phase in entry["phases"]] == PHASES[entry["id"]]
        assert set(entry) >= {"id", "version", "route", "source", "evidence", "spacing", "phases"}


def test_listing_shows_the_clinic_spacing_and_totals() -> None:
    clinic = ClinicalSettings.with_overrides(
        {"PROT-IV-INDUCTION-2X-WEEKLY-SPACING": {"minimum_days_apart": 2}}
    )
    listing = {p["id"]: p for p in describe_protocols(clinic)["protocols"]}  # type: ignore[union-attr]

    assert listing["iv_induction_2x_weekly"]["spacing"]["minimum_days_apart"] == 2
    assert listing["iv_maintenance_taper"]["spacing"]["tolerance_days"] == 2
    taper = listing["iv_maintenance_taper"]["phases"][0]
    assert taper["sessions"] == 11
    assert taper["frequency"] == "weekly, then every 2 weeks, then every 4 weeks"
    maintenance = listing["esketamine_trd_label"]["phases"][2]
    assert maintenance["sessions"] is None and maintenance["open_ended"] is True
    assert maintenance["steps"][0]["every_days_options"] == [
        {"every_days": 7, "frequency": "weekly"}
    ]
    assert listing["oral_titration_example"]["phases"][0]["sessions"] == 6


def test_every_data_file_reloads_to_the_same_protocol() -> None:
    for protocol_id, protocol in PROTOCOLS.items():
        assert load_protocol(data_text(protocol_id), f"{protocol_id}.toml") == protocol


GOOD = data_text("iv_induction_3x_weekly")
IV_DOSE = 'dose = "{DOSE-IV-MGKG.default_mg_per_kg} mg/kg over {DOSE-IV-DURATION.default_min} min"'


def with_dose(text: str) -> str:
    """GOOD with another dose line (TOML basic string: `text` must need no escaping)."""
    assert IV_DOSE in GOOD
    return GOOD.replace(IV_DOSE, f'dose = "{text}"')


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("version = 1\n", ""), "version"),
        (GOOD.replace("version = 1", 'version = "one"'), "version"),
        (GOOD.replace('route = "iv_ketamine"', 'route = "im_ketamine"'), "route"),
        (GOOD.replace('evidence = "verified"', 'evidence = "strong"'), "evidence"),
        ('colour = "blue"\n' + GOOD, "colour"),
        (GOOD + 'colour = "blue"\n', "phases.0.steps.0.colour"),
        (GOOD.replace('id = "iv_induction_3x_weekly"', 'id = "other"'), "id"),
        (
            GOOD.replace('rule = "PROT-IV-INDUCTION-3X-WEEKLY-SPACING"', 'rule = "PROT-NONE"'),
            "spacing.rule",
        ),
        (
            GOOD.replace('kind = "minimum_days_apart"', 'kind = "interval_tolerance"'),
            "spacing.rule",
        ),
        (GOOD.replace("sessions = 6", "sessions = 0"), "phases.0.steps.0.sessions"),
        (GOOD.replace("sessions = 6", 'sessions = "many"'), "phases.0.steps.0.sessions"),
        (GOOD.replace("per_week = 3", "per_week = 3\nevery_days = 2"), "phases.0.steps.0"),
        (GOOD.replace("per_week = 3", ""), "phases.0.steps.0"),
        (GOOD.replace("per_week = 3", "per_week = 8"), "phases.0.steps.0.per_week"),
        (GOOD.replace('name = "induction"', 'name = "Induction!"'), "phases.0.name"),
        (with_dose(" "), "phases.0.dose"),
        (
            GOOD + '\n[[phases]]\nname = "induction"\ndose = "x"\n[[phases.steps]]\n'
            "sessions = 1\nper_week = 1\n",
            "phases.1.name",
        ),
        (
            GOOD.replace("sessions = 6", 'sessions = "open_ended"')
            + '\n[[phases]]\nname = "more"\n'
            'dose = "x"\n[[phases.steps]]\nsessions = 1\nper_week = 1\n',
            "phases.0.steps.0.sessions",
        ),
        (
            GOOD.replace('name = "induction"', 'name = "induction"\nstart_week = 2'),
            "phases.0.start_week",
        ),
        # The wording is built from the clinic's number, so a literal one may not come back.
        (
            GOOD.replace('kind = "minimum_days_apart"', 'kind = "minimum_days_apart"\ntext = "x"'),
            "spacing.text",
        ),
    ],
)
def test_an_invalid_data_file_fails_loudly_naming_file_and_field(text: str, field: str) -> None:
    with pytest.raises(ProtocolDataError) as caught:
        load_protocol(text, "iv_induction_3x_weekly.toml")
    message = str(caught.value)
    assert message.startswith("iv_induction_3x_weekly.toml: ")
    assert f"field {field}:" in message


def test_a_data_file_that_is_not_toml_fails_naming_the_file() -> None:
    with pytest.raises(ProtocolDataError, match=r"^broken\.toml: not valid TOML"):
        load_protocol("id = ", "broken.toml")


@pytest.mark.parametrize(
    ("rule", "number", "protocol", "text"),
    [
        ("PROT-ESKETAMINE-TRD-LABEL-SPACING", 2, "esketamine_trd_label",
         "sessions at least 2 calendar days apart (1 free day between)"),
        ("PROT-ESKETAMINE-TRD-LABEL-SPACING", 3, "esketamine_trd_label",
         "sessions at least 3 calendar days apart (2 free days between)"),
        ("PROT-IV-MAINTENANCE-TAPER-SPACING", 1, "iv_maintenance_taper",
         "each session within 1 day of its nominal interval after the previous one"),
        ("PROT-IV-MAINTENANCE-TAPER-SPACING", 3, "iv_maintenance_taper",
         "each session within 3 days of its nominal interval after the previous one"),
    ],
)  # fmt: skip
def test_spacing_wording_is_built_from_the_clinic_number(rule, number, protocol, text) -> None:
    name = "tolerance_days" if "TAPER" in rule else "minimum_days_apart"
    clinic = ClinicalSettings.with_overrides({rule: {name: number}})
    listing = {p["id"]: p for p in describe_protocols(clinic)["protocols"]}  # type: ignore[union-attr]

    assert listing[protocol]["spacing"]["text"] == text
    assert listing[protocol]["spacing"][name] == number


@pytest.mark.parametrize(
    "frequency",
    [{}, {"per_week": 2, "every_days": 3}, {"per_week": 2, "every_days_options": (7,)}],
    ids=["neither", "both", "options-without-interval"],
)
def test_a_step_without_exactly_one_frequency_cannot_be_built(frequency: dict[str, object]) -> None:
    # Built outside the loader, it would otherwise reach the schedule as an interval of 0 days.
    with pytest.raises(ValueError, match="every_days"):
        Step(SessionCount.FIXED, sessions=3, **frequency)  # type: ignore[arg-type]


def test_a_weekly_step_has_no_interval_in_days() -> None:
    step = Step(SessionCount.FIXED, sessions=3, per_week=2)

    with pytest.raises(ValueError, match="2/week"):
        _ = step.interval_days
    assert Step(SessionCount.FIXED, sessions=3, every_days=14).interval_days == 14


def test_the_length_of_a_week_is_written_once() -> None:
    # catalog/protocols.py holds it: the protocols package imports the catalog, not the reverse.
    folder = Path(protocol_rules.__file__).parents[1] / "protocols"
    modules = [Path(protocol_rules.__file__), *sorted(folder.glob("*.py"))]
    sevens = [
        f"{path.name}:{node.lineno}"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value == 7
    ]

    assert len(sevens) == 1, sevens
    assert protocol_rules.WEEK_DAYS == 7
