"""change_intake_status: forward moves, closing with a reason, stale versions, who may."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketacare.audit.services import flush_pending_denials
from ketacare.intake.errors import STALE_VERSION_MESSAGE, IntakeConflict
from ketacare.intake.services import change_intake_status
from tests.factories import IntakeRequestFactory
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db


def _change(by, request, **values):
    values.setdefault("version", request.version)
    return change_intake_status(by=by, intake_request_id=request.pk, **values)


def test_coordinator_marks_a_request_contacted(cora, request_a):
    changed = _change(cora, request_a, status="contacted")

    request_a.refresh_from_db()
    assert (request_a.status, request_a.version) == ("contacted", 2)
    assert changed.version == 2
    assert request_a.history.first().history_user == cora.user


def test_a_move_is_audited_with_the_statuses_only(cora, request_a):
    _change(cora, request_a, status="closed", closed_reason="Chose a clinic nearer home")

    (event,) = audit_events(object_type="intake_request", action="update")
    assert (event.object_id, event.detail, event.allowed) == (
        str(request_a.pk),
        "status=new->closed",
        True,
    )


def test_closing_keeps_the_reason(adam, request_a):
    _change(adam, request_a, status="closed", closed_reason="  Not reachable after 3 calls ")

    request_a.refresh_from_db()
    assert (request_a.status, request_a.closed_reason) == ("closed", "Not reachable after 3 calls")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_closing_without_a_reason_names_closed_reason_and_changes_nothing(cora, request_a, reason):
    with pytest.raises(ValidationError) as caught:
        _change(cora, request_a, status="closed", closed_reason=reason)

    assert caught.value.message_dict == {
        "closed_reason": ["Give the reason for closing the request."]
    }
    request_a.refresh_from_db()
    assert (request_a.status, request_a.version) == ("new", 1)


def test_a_reason_without_closing_is_refused(cora, request_a):
    with pytest.raises(ValidationError) as caught:
        _change(cora, request_a, status="contacted", closed_reason="why not")

    assert list(caught.value.message_dict) == ["closed_reason"]


def test_an_unknown_status_names_the_field(cora, request_a):
    with pytest.raises(ValidationError) as caught:
        _change(cora, request_a, status="lost")

    assert list(caught.value.message_dict) == ["status"]


def test_a_stale_version_is_a_conflict_and_the_other_change_stays(cora, adam, request_a):
    _change(adam, request_a, status="contacted")

    with pytest.raises(IntakeConflict) as caught:
        _change(cora, request_a, version=1, status="closed", closed_reason="Duplicate")

    assert (caught.value.code, caught.value.detail) == ("stale_version", STALE_VERSION_MESSAGE)
    request_a.refresh_from_db()
    assert (request_a.status, request_a.version) == ("contacted", 2)


def test_moving_back_is_an_invalid_transition(cora, clinic_a):
    scheduled = IntakeRequestFactory(clinic=clinic_a, status="evaluation_scheduled")

    with pytest.raises(IntakeConflict) as caught:
        _change(cora, scheduled, status="contacted")

    assert caught.value.code == "invalid_transition"
    assert caught.value.detail == (
        "A request only moves forward: it cannot go back from evaluation scheduled to contacted."
    )


def test_a_closed_request_is_final(cora, clinic_a):
    closed = IntakeRequestFactory(clinic=clinic_a, status="closed")

    with pytest.raises(IntakeConflict) as caught:
        _change(cora, closed, status="new")

    assert caught.value.code == "closed"


def test_auditor_reads_but_may_not_move_a_request(audrey, request_a):
    with pytest.raises(PermissionDenied):
        _change(audrey, request_a, status="contacted")

    (event,) = audit_events(allowed=False)
    assert (event.action, event.object_id, event.detail) == (
        "update",
        str(request_a.pk),
        "role_lacks:manage_intake",
    )


def test_prescriber_reads_the_queue_but_does_not_manage_it(alice, request_a):
    with pytest.raises(PermissionDenied):
        _change(alice, request_a, status="contacted")


def test_another_clinics_request_is_not_found_and_the_attempt_is_audited(bob, request_a):
    with pytest.raises(Http404):
        _change(bob, request_a, status="contacted")

    request_a.refresh_from_db()
    assert request_a.status == "new"
    flush_pending_denials()  # held back inside the transaction; a request's end writes it
    (event,) = audit_events(allowed=False)
    assert (event.action, event.clinic_id, event.object_id, event.detail) == (
        "update",
        bob.clinic_id,
        str(request_a.pk),
        "not_found_in_clinic",
    )
