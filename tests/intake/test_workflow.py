"""Where a request may move next (docs/intake.md, "Statuses"): pure, no database."""

from __future__ import annotations

import pytest

from ketacare.intake.workflow import next_statuses, status_after_registering, transition_refusal

NEW, CONTACTED, SCHEDULED, CLOSED = "new", "contacted", "evaluation_scheduled", "closed"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (NEW, CONTACTED),
        (NEW, SCHEDULED),
        (NEW, CLOSED),
        (CONTACTED, SCHEDULED),
        (CONTACTED, CLOSED),
        (SCHEDULED, CLOSED),
    ],
)
def test_forward_moves_and_closing_from_any_open_status_are_allowed(current, target):
    assert transition_refusal(current, target) is None


@pytest.mark.parametrize(
    ("current", "target"), [(CONTACTED, NEW), (SCHEDULED, NEW), (SCHEDULED, CONTACTED)]
)
def test_moving_back_is_refused_with_a_sentence_naming_both_statuses(current, target):
    refusal = transition_refusal(current, target)

    assert refusal is not None and refusal.startswith("A request only moves forward")
    assert refusal.endswith(".")


@pytest.mark.parametrize("target", [NEW, CONTACTED, SCHEDULED, CLOSED])
def test_a_closed_request_is_final(target):
    refusal = transition_refusal(CLOSED, target)

    assert refusal is not None and "final" in refusal


@pytest.mark.parametrize(
    ("status", "words"),
    [(NEW, "new"), (CONTACTED, "contacted"), (SCHEDULED, "evaluation scheduled")],
)
def test_staying_in_the_same_status_is_not_a_move(status, words):
    assert transition_refusal(status, status) == f"The request is already {words}."


def test_next_statuses_lists_the_allowed_moves_in_queue_order():
    assert next_statuses(NEW) == [CONTACTED, SCHEDULED, CLOSED]
    assert next_statuses(SCHEDULED) == [CLOSED]
    assert next_statuses(CLOSED) == []


@pytest.mark.parametrize(
    ("current", "after"), [(NEW, SCHEDULED), (CONTACTED, SCHEDULED), (SCHEDULED, SCHEDULED)]
)
def test_registering_moves_a_new_or_contacted_request_to_evaluation_scheduled(current, after):
    assert status_after_registering(current) == after
