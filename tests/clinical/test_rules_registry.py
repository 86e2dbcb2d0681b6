"""The rule registry holds every rule id of the reference, each sourced, graded and in range.

This is the integration check of the catalog modules (clinical-reference.md; contracts.md
`ketacare rules`): it fails until every domain's rules are written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ketacare.clinical import catalog
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import ESKETAMINE
from ketacare.clinical.monitoring.dose_gate import DoseGate, dose_refusals, missing_pre_dose
from ketacare.clinical.rules import (
    CONSISTENCY,
    REGISTRY,
    ClinicalSettings,
    Evidence,
    Rule,
    Threshold,
)

# Extracted from shared/clinical-reference.md with
#   grep -oE '\b(ELIG|DOSE|PROT|MON|DISCH|SCALE|OUT|SAFE)-[A-Z0-9-]+[A-Z0-9]' | sort -u
# less the mere prefixes DOSE-ESK, DOSE-IV and ELIG-COND, plus OUT-RELAPSE-QIDS and
# OUT-RELAPSE-GAD7 (written "OUT-RELAPSE-PHQ9 / -QIDS / -GAD7" in section 6.1).
REFERENCE_RULE_IDS = (
    # DISCH
    "DISCH-ALERTS", "DISCH-BP", "DISCH-DISSOCIATION", "DISCH-ESCORT", "DISCH-ESK-MIN-TIME",
    "DISCH-IV-MIN-TIME", "DISCH-ORAL-MIN-TIME", "DISCH-OVERRIDE", "DISCH-RESP", "DISCH-SEDATION",
    # DOSE
    "DOSE-ESK-ALLOWED", "DOSE-ESK-DEVICES", "DOSE-ESK-ELDERLY-EU", "DOSE-ESK-ESCAPE",
    "DOSE-ESK-FIRST-MDSI", "DOSE-ESK-FIRST-TRD", "DOSE-IV-CALC", "DOSE-IV-CONC",
    "DOSE-IV-DURATION", "DOSE-IV-MGKG", "DOSE-IV-WEIGHT", "DOSE-ORAL-RANGE",
    # ELIG
    "ELIG-AGE", "ELIG-BLADDER", "ELIG-BP", "ELIG-BREASTFEEDING", "ELIG-CEREBROVASC",
    "ELIG-CI-ANEURYSM", "ELIG-CI-AVM", "ELIG-CI-HYPERSENS", "ELIG-CI-ICH", "ELIG-CNS-DEP",
    "ELIG-COGNITION", "ELIG-CV-RECENT", "ELIG-CV-UNSTABLE", "ELIG-DIAGNOSIS", "ELIG-HEPATIC-MOD",
    "ELIG-HEPATIC-SEVERE", "ELIG-HTN-CONTROLLED", "ELIG-HTN-ENCEPH", "ELIG-HTN-UNCONTROLLED",
    "ELIG-ICP", "ELIG-IOP", "ELIG-KET-MISUSE", "ELIG-MANIA", "ELIG-MAOI", "ELIG-OSA",
    "ELIG-PREGNANCY", "ELIG-PSYCH-FEAT-NOW", "ELIG-PSYCH-FEAT-PAST", "ELIG-PSYCHOSIS", "ELIG-PULM",
    "ELIG-SEVERITY", "ELIG-SI-INTENT", "ELIG-STIMULANT", "ELIG-SUD", "ELIG-SUICIDALITY",
    "ELIG-TRD",
    # MON
    "MON-BP-40MIN", "MON-BP-ELEVATED", "MON-BP-HOLD", "MON-BP-PREDOSE-SEVERE", "MON-BP-RISE",
    "MON-BP-SEVERE", "MON-DISSOCIATION", "MON-ESCORT", "MON-FASTING", "MON-HR", "MON-HR-PREDOSE",
    "MON-HTN-SYMPTOMS", "MON-NASAL-MEDS", "MON-PREG-TEST", "MON-REMS-ENROLLED", "MON-RR-LOW",
    "MON-SEDATION", "MON-SEDATION-DEEP", "MON-SPO2-CRITICAL", "MON-SPO2-HOLD", "MON-SPO2-LOW",
    # OUT
    "OUT-EARLY-WARNING", "OUT-NO-BASELINE", "OUT-PARTIAL", "OUT-RELAPSE-EVENT", "OUT-RELAPSE-GAD7",
    "OUT-RELAPSE-HAMD", "OUT-RELAPSE-MADRS", "OUT-RELAPSE-PHQ9", "OUT-RELAPSE-QIDS",
    "OUT-REMISSION-GAD7", "OUT-REMISSION-HAMD", "OUT-REMISSION-MADRS", "OUT-REMISSION-PHQ9",
    "OUT-REMISSION-QIDS", "OUT-RESPONSE",
    # SAFE
    "SAFE-40MIN-BP", "SAFE-ABS-EXCLUSION", "SAFE-AE-GRADE", "SAFE-BP-HOLD", "SAFE-BP-SEVERE",
    "SAFE-CNS-DEP", "SAFE-CSSRS-HIGH", "SAFE-DISCHARGE", "SAFE-ESK-2H", "SAFE-ESK-DOSE",
    "SAFE-HTN-EMERGENCY", "SAFE-ITEM9", "SAFE-IV-RATE", "SAFE-NO-DRIVE", "SAFE-PREGNANCY",
    "SAFE-RELAPSE-WARN", "SAFE-REMS-FORM", "SAFE-REMS-GATE", "SAFE-RESP", "SAFE-SI-FLAGS",
    "SAFE-SPO2-HOLD",
    # SCALE
    "SCALE-CADSS", "SCALE-CSSRS", "SCALE-CSSRS-TRIAGE", "SCALE-GAD7", "SCALE-MADRS", "SCALE-MOAAS",
    "SCALE-PHQ2", "SCALE-PHQ9", "SCALE-QIDS",
)  # fmt: skip

RULES = sorted(REGISTRY.values(), key=lambda rule: rule.id)
THRESHOLDS = [(rule, t) for rule in RULES for t in rule.thresholds]
ID_PATTERN = re.compile(r"(ELIG|DOSE|PROT|MON|DISCH|SCALE|OUT|SAFE|CHECK)(-[A-Z0-9]+)+")


def first_threshold(configurable: bool) -> tuple[Rule, Threshold]:
    return next((r, t) for r, t in THRESHOLDS if t.configurable is configurable)


def refused(overrides: dict[str, object]) -> ClinicalInputError:
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides(overrides)  # type: ignore[arg-type]
    return caught.value


def test_registry_holds_every_rule_id_of_the_reference():
    missing = sorted(set(REFERENCE_RULE_IDS) - set(REGISTRY))
    assert not missing, f"{len(missing)} rule ids of the reference are missing: {missing}"


# KetaCare's own ids used in code but named by no reference row: registered as design defaults.
KETACARE_RULE_IDS = ("CHECK-CONSENT", "CHECK-IDENTITY", "CHECK-PRE-DOSE")


@pytest.mark.parametrize("rule_id", KETACARE_RULE_IDS)
def test_ketacare_check_ids_are_registered_as_design_defaults_with_their_text(rule_id):
    rule = REGISTRY[rule_id]

    assert rule.evidence is Evidence.DESIGN_DEFAULT
    assert "[D]" in rule.summary and "KetaCare" in rule.source
    assert rule.thresholds == ()


def test_every_rule_id_the_dose_gate_refuses_with_is_registered():
    gate = DoseGate(
        route=ESKETAMINE,
        identity_confirmed=False,
        consent_confirmed=False,
        consent_on_chart=False,
        setting_certified=False,
        clinic_certified=False,
        patient_enrolled=None,
        pregnant_on_chart=True,
    )
    reasons = (*dose_refusals(gate), missing_pre_dose())

    rule_ids = {reason.split(":", 1)[0] for reason in reasons}
    assert rule_ids >= set(KETACARE_RULE_IDS)
    assert rule_ids <= set(REGISTRY)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_has_an_id_summary_section_source_and_evidence(rule):
    assert ID_PATTERN.fullmatch(rule.id)
    assert rule.summary.strip()
    assert rule.section.strip()
    assert rule.source.strip()
    assert isinstance(rule.evidence, Evidence)


@pytest.mark.parametrize(
    ("rule", "threshold"),
    THRESHOLDS,
    ids=lambda value: getattr(value, "id", getattr(value, "name", "")),
)
def test_every_threshold_default_lies_in_its_range(rule, threshold):
    assert threshold.minimum <= threshold.default <= threshold.maximum, rule.id
    assert not isinstance(threshold.default, bool)


def test_override_of_an_unknown_rule_is_refused_naming_it():
    error = refused({"OUT-NOT-A-RULE": {"total_at_most_points": 1}})
    assert "OUT-NOT-A-RULE" in error.field and "OUT-NOT-A-RULE" in error.message


def test_override_of_an_unknown_threshold_is_refused_naming_the_rule():
    rule, _threshold = first_threshold(configurable=True)
    error = refused({rule.id: {"no_such_threshold": 1}})
    assert rule.id in error.field and rule.id in error.message


def test_override_with_a_non_number_is_refused_naming_the_rule():
    rule, threshold = first_threshold(configurable=True)
    for value in ("10", True, None):
        error = refused({rule.id: {threshold.name: value}})
        assert rule.id in error.field and rule.id in error.message


def test_override_out_of_range_is_refused_naming_the_rule():
    rule, threshold = first_threshold(configurable=True)
    for value in (threshold.minimum - 1, threshold.maximum + 1):
        error = refused({rule.id: {threshold.name: value}})
        assert rule.id in error.field and rule.id in error.message


def test_override_of_a_fixed_threshold_is_refused_naming_the_rule():
    rule, threshold = first_threshold(configurable=False)
    error = refused({rule.id: {threshold.name: threshold.default + 1}})
    assert rule.id in error.field and rule.id in error.message


def test_a_configurable_threshold_whose_range_holds_one_value_is_refused_when_built():
    # "(2 to 2)" in the catalogue would offer a clinic a choice it does not have.
    with pytest.raises(ValueError, match="configurable=False"):
        Threshold("minimum_days_apart", 2, 2, 2)
    assert not Threshold("minimum_days_apart", 2, 2, 2, configurable=False).configurable
    assert Threshold("minimum_days_apart", 2, 2, 3).configurable


def test_threshold_fixed_allows_exactly_its_one_value():
    fixed = Threshold.fixed("item_count", 9)

    assert fixed == Threshold("item_count", 9, 9, 9, configurable=False)
    with pytest.raises(ClinicalInputError, match="fixed"):
        fixed.check("SCALE-PHQ9", 10)


def test_every_fixed_threshold_of_the_catalog_is_built_by_threshold_fixed():
    # One way to write a fixed threshold: no catalog module keeps a helper of its own.
    folder = Path(catalog.__file__).parent
    spelled_out = [
        f"{path.name}:{node.lineno}"
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and any(
            keyword.arg == "configurable"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is False
            for keyword in node.keywords
        )
    ]

    assert spelled_out == []


@pytest.mark.parametrize(
    ("rule", "threshold"),
    [(rule, t) for rule, t in THRESHOLDS if t.minimum == t.maximum],
    ids=lambda value: getattr(value, "id", getattr(value, "name", "")),
)
def test_a_threshold_with_one_allowed_value_is_fixed_and_refuses_any_other(rule, threshold):
    assert not threshold.configurable
    error = refused({rule.id: {threshold.name: threshold.default + 1}})
    assert error.field == f"settings.{rule.id}.{threshold.name}" and "fixed" in error.message


@pytest.mark.parametrize(
    "rule_id", ["PROT-IV-INDUCTION-3X-WEEKLY-SPACING", "PROT-ORAL-TITRATION-EXAMPLE-SPACING"]
)
def test_a_spacing_its_frequency_leaves_no_room_for_is_fixed(rule_id):
    # 3/week fits only 2 days apart, the oral series only its own 3: no range to show.
    assert not REGISTRY[rule_id].threshold("minimum_days_apart").configurable


def test_override_within_range_is_honoured():
    rule, threshold = first_threshold(configurable=True)
    settings = ClinicalSettings.with_overrides({rule.id: {threshold.name: threshold.maximum}})
    assert settings.value(rule.id, threshold.name) == threshold.maximum


def test_esketamine_two_hour_minimum_cannot_be_overridden():
    assert REGISTRY["SAFE-ESK-2H"].overridable is False


# D9: a rule whose reference row mixes grades takes the weakest, and says so in its summary.
WEAKEST_FIRST = (
    Evidence.UNVERIFIED,
    Evidence.DESIGN_DEFAULT,
    Evidence.SECONDARY,
    Evidence.VERIFIED,
)
TAGS = {"V": Evidence.VERIFIED, "V2": Evidence.SECONDARY, "D": Evidence.DESIGN_DEFAULT,
        "U": Evidence.UNVERIFIED}  # fmt: skip
TAG = re.compile(r"\[(V2|V|U|D)\b")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_a_rule_is_graded_by_the_weakest_tag_its_summary_names(rule):
    tags = {TAGS[tag] for tag in TAG.findall(rule.summary)}
    if tags:
        assert rule.evidence is min(tags, key=WEAKEST_FIRST.index), rule.summary


@pytest.mark.parametrize(
    ("rule_id", "evidence"),
    [
        # Rows that mix [V] with [D]: the label/trial fact is verified, its use here is not.
        ("MON-BP-HOLD", Evidence.DESIGN_DEFAULT),
        ("MON-BP-SEVERE", Evidence.DESIGN_DEFAULT),
        ("MON-BP-RISE", Evidence.DESIGN_DEFAULT),
        ("MON-SPO2-HOLD", Evidence.DESIGN_DEFAULT),
        ("ELIG-TRD", Evidence.DESIGN_DEFAULT),
        ("SCALE-CSSRS-TRIAGE", Evidence.DESIGN_DEFAULT),
        # Rows that mix [V] with [U].
        ("SCALE-CSSRS", Evidence.UNVERIFIED),
        ("DOSE-ESK-ELDERLY-EU", Evidence.UNVERIFIED),
        # [V] with [V2].
        ("OUT-REMISSION-QIDS", Evidence.SECONDARY),
        # Safety rules are no firmer than the rules that enforce them.
        ("SAFE-BP-HOLD", Evidence.DESIGN_DEFAULT),
        ("SAFE-SPO2-HOLD", Evidence.DESIGN_DEFAULT),
        ("SAFE-40MIN-BP", Evidence.DESIGN_DEFAULT),
        ("SAFE-PREGNANCY", Evidence.DESIGN_DEFAULT),
        ("SAFE-ESK-DOSE", Evidence.DESIGN_DEFAULT),
        ("SAFE-RESP", Evidence.UNVERIFIED),
        # Rows with one grade keep it.
        ("MON-REMS-ENROLLED", Evidence.VERIFIED),
        ("DISCH-ESK-MIN-TIME", Evidence.VERIFIED),
        ("ELIG-BP", Evidence.VERIFIED),
    ],
)
def test_mixed_reference_rows_take_the_weaker_grade(rule_id, evidence):
    assert REGISTRY[rule_id].evidence is evidence


# D10: thresholds of different rules may not be configured into a contradiction.
@pytest.mark.parametrize(
    ("overrides", "rule_ids"),
    [
        ({"MON-SPO2-LOW": {"spo2_below_percent": 88},
          "MON-SPO2-CRITICAL": {"spo2_below_percent": 94}}, ("MON-SPO2-CRITICAL", "MON-SPO2-LOW")),
        ({"MON-BP-HOLD": {"systolic_above_mmhg": 180},
          "MON-BP-PREDOSE-SEVERE": {"systolic_at_or_above_mmhg": 140}},
         ("MON-BP-HOLD", "MON-BP-PREDOSE-SEVERE")),
        ({"MON-BP-40MIN": {"window_opens_after_dose_min": 40,
                           "window_closes_after_dose_min": 40}}, ("MON-BP-40MIN",)),
        ({"MON-SEDATION": {"moaas_at_or_below": 1},
          "MON-SEDATION-DEEP": {"moaas_at_or_below": 2}}, ("MON-SEDATION-DEEP", "MON-SEDATION")),
        ({"DISCH-BP": {"systolic_below_mmhg": 200}}, ("DISCH-BP", "MON-BP-SEVERE")),
        ({"MON-SCHEDULE-ESK": {"first_reading_after_dose_min": 45},
          "MON-BP-40MIN": {"window_closes_after_dose_min": 40}},
         ("MON-SCHEDULE-ESK", "MON-BP-40MIN")),
        ({"DOSE-IV-DURATION": {"minimum_min": 60}}, ("DOSE-IV-DURATION",)),
        ({"DOSE-ORAL-RANGE": {"minimum_mg": 200, "maximum_mg": 100}}, ("DOSE-ORAL-RANGE",)),
    ],
)  # fmt: skip
def test_contradicting_overrides_are_refused_naming_both_rules(overrides, rule_ids):
    error = refused(overrides)
    assert error.field.startswith("settings.")
    for rule_id in rule_ids:
        assert rule_id in error.message


@pytest.mark.parametrize("pair", CONSISTENCY, ids=lambda p: f"{p.lower_rule}.{p.lower}")
def test_every_consistency_pair_holds_by_default_and_refuses_its_worst_override(pair):
    low = REGISTRY[pair.lower_rule].threshold(pair.lower)
    high = REGISTRY[pair.upper_rule].threshold(pair.upper)
    assert pair.holds(low.default, high.default)
    if pair.holds(low.maximum, high.minimum):
        return  # the sane ranges cannot cross today; the pair guards a future widening
    assert low.configurable or high.configurable
    overrides: dict[str, dict[str, float]] = {}
    if low.configurable:
        overrides.setdefault(pair.lower_rule, {})[pair.lower] = low.maximum
    if high.configurable:
        overrides.setdefault(pair.upper_rule, {})[pair.upper] = high.minimum
    error = refused(overrides)
    assert pair.lower_rule in error.message and pair.upper_rule in error.message


def test_consistent_overrides_of_both_sides_are_accepted():
    settings = ClinicalSettings.with_overrides(
        {
            "MON-SPO2-LOW": {"spo2_below_percent": 94},
            "MON-SPO2-CRITICAL": {"spo2_below_percent": 92},
        }
    )
    assert settings.value("MON-SPO2-CRITICAL", "spo2_below_percent") == 92
