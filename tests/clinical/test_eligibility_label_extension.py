"""`label_extension`: which screening rules carry the esketamine label to IV and oral ketamine by
KetaCare policy (clinical-reference.md, condition table: "KetaCare applies it to racemic ketamine
by extension"; 2.3 items 1-3 to all routes)."""

from __future__ import annotations

import pytest

from ketacare.clinical.eligibility import (
    CONDITIONS,
    LABEL_RULES,
    ROUTES,
    label_extension,
    parse_candidate,
    screen,
)
from tests.contract_examples import SCREEN_INPUT

# The reference's label rules, written out so a change of the catalog's basis texts is noticed.
EXPECTED_LABEL_RULES = {
    "ELIG-BP",
    "ELIG-PREGNANCY",
    "ELIG-BREASTFEEDING",
    "ELIG-CI-ANEURYSM",
    "ELIG-CI-AVM",
    "ELIG-CI-ICH",
    "ELIG-CI-HYPERSENS",
    "ELIG-ICP",
    "ELIG-CV-UNSTABLE",
    "ELIG-PSYCHOSIS",
    "ELIG-SUD",
    "ELIG-HTN-UNCONTROLLED",
    "ELIG-HTN-ENCEPH",
    "ELIG-HEPATIC-SEVERE",
    "ELIG-HEPATIC-MOD",
    "ELIG-BLADDER",
    "ELIG-CNS-DEP",
    "ELIG-STIMULANT",
    "ELIG-MAOI",
}


def test_the_label_rules_are_the_reference_label_rows_and_three_core_rules():
    assert LABEL_RULES == EXPECTED_LABEL_RULES


@pytest.mark.parametrize("route", ["iv_ketamine", "oral_ketamine"])
def test_every_label_contraindication_is_an_extension_for_racemic_ketamine(route):
    for rule_id in ("ELIG-CI-ANEURYSM", "ELIG-CI-AVM", "ELIG-CI-ICH", "ELIG-CI-HYPERSENS"):
        assert label_extension(rule_id, route) is True


def test_no_rule_is_an_extension_for_esketamine_itself():
    assert not any(label_extension(rule_id, "esketamine_nasal") for rule_id in LABEL_RULES)


@pytest.mark.parametrize(
    "rule_id", ["ELIG-AGE", "ELIG-TRD", "ELIG-SUICIDALITY", "ELIG-CV-RECENT", "ELIG-SI-INTENT"]
)
def test_rules_with_their_own_basis_are_not_extensions(rule_id):
    assert label_extension(rule_id, "iv_ketamine") is False


def test_a_condition_rule_is_a_label_rule_exactly_when_its_basis_is_the_label():
    for row in CONDITIONS:
        assert (row.rule_id in LABEL_RULES) == row.basis.startswith("Label"), row.rule_id


def test_every_label_rule_is_a_rule_of_the_screen():
    screened = {r.id for r in screen(parse_candidate(SCREEN_INPUT)).rules}
    assert screened >= LABEL_RULES
    assert set(ROUTES) == {"esketamine_nasal", "iv_ketamine", "oral_ketamine"}


def test_an_unknown_route_is_refused():
    with pytest.raises(ValueError, match="route"):
        label_extension("ELIG-BP", "intranasal_racemic")
