"""Properties of the eligibility screen over any valid candidate (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.eligibility import (
    CONDITION_CODES,
    CONDITIONS,
    DIAGNOSES,
    ROUTES,
    Decision,
    Outcome,
    absolute_exclusions,
    parse_candidate,
    screen,
)


@st.composite
def blood_pressures(draw: st.DrawFn) -> dict[str, int]:
    systolic = draw(st.integers(min_value=50, max_value=300))
    diastolic = draw(st.integers(min_value=20, max_value=min(200, systolic - 1)))
    return {"systolic": systolic, "diastolic": diastolic}


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


candidates = st.fixed_dictionaries(
    {
        "route": st.sampled_from(ROUTES),
        "age": st.integers(min_value=0, max_value=130),
        "diagnosis": st.sampled_from(DIAGNOSES),
        "failed_adequate_trials": optional(st.integers(min_value=0, max_value=50)),
        "conditions": st.lists(st.sampled_from(CONDITION_CODES), unique=True),
        "pregnant": st.booleans(),
        "breastfeeding": st.booleans(),
    },
    optional={
        "phq9": optional(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9)),
        "madrs_total": optional(st.integers(min_value=0, max_value=60)),
        "blood_pressure": optional(blood_pressures()),
    },
)


@settings(max_examples=300, deadline=None)
@given(candidates)
def test_any_valid_candidate_screens_and_the_decision_follows_the_outcomes(
    document: dict[str, Any],
) -> None:
    result = screen(parse_candidate(document))

    outcomes = {r.outcome for r in result.rules}
    if Outcome.EXCLUDE in outcomes:
        assert result.decision is Decision.NOT_ELIGIBLE
        assert absolute_exclusions(result)
    elif Outcome.REVIEW in outcomes:
        assert result.decision is Decision.NEEDS_REVIEW
    else:
        assert result.decision is Decision.ELIGIBLE
    assert len(result.rules) == 8 + len(CONDITIONS)
    assert [r.id for r in result.rules[8:]] == [row.rule_id for row in CONDITIONS]
    for row, r in zip(CONDITIONS, result.rules[8:], strict=True):
        expected = (
            row.outcome(document["route"]) if row.code in document["conditions"] else Outcome.PASS
        )
        assert r.outcome is expected
    assert all(r.message and r.source for r in result.rules)


@settings(max_examples=100, deadline=None)
@given(candidates, st.permutations(range(len(CONDITION_CODES))))
def test_the_order_of_conditions_in_the_input_does_not_change_the_screen(
    document: dict[str, Any], order: list[int]
) -> None:
    shuffled = dict(
        document,
        conditions=sorted(document["conditions"], key=lambda c: order[CONDITION_CODES.index(c)]),
    )
    assert screen(parse_candidate(shuffled)) == screen(parse_candidate(document))
