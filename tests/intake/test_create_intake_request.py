"""create_intake_request: staff (with manage_intake) and the public side (no membership)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketacare.intake.models import IntakeRequest
from ketacare.intake.services import NO_CONTACT, create_intake_request
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db


def _create(clinic, by, **overrides):
    values = {
        "clinic": clinic,
        "source": "staff",
        "name": " Rowan Quill ",
        "email": "rowan@example.org",
        "phone": "",
        "preferred_contact": "email",
        "best_time": "Evenings",
        "message": "Referred by Dr. Lane.",
        "by": by,
    }
    values.update(overrides)
    return create_intake_request(**values)


def test_coordinator_enters_a_new_request_at_the_top_of_the_queue(cora):
    created = _create(cora.clinic, cora)

    assert (created.status, created.source, created.version) == ("new", "staff", 1)
    assert created.name == "Rowan Quill"  # stripped
    assert created.entered_by == cora.user
    assert created.history.count() == 1


def test_entering_a_request_is_audited_with_ids_only(cora):
    created = _create(cora.clinic, cora)

    (event,) = audit_events(object_type="intake_request", action="create")
    assert (event.object_id, event.clinic_id, event.actor_username) == (
        str(created.pk),
        cora.clinic_id,
        "cora",
    )
    assert event.detail == "source=staff"
    assert "Rowan" not in event.detail and "Lane" not in event.detail


def test_the_public_side_enters_a_request_without_a_membership(clinic_a):
    created = _create(
        clinic_a,
        None,
        source="public",
        self_check={"route": "iv_ketamine", "result": "may_be_candidate"},
    )

    assert created.source == "public" and created.entered_by is None
    assert created.self_check == {"route": "iv_ketamine", "result": "may_be_candidate"}
    (event,) = audit_events(object_type="intake_request", action="create")
    assert (event.clinic_id, event.actor_user_id, event.detail) == (
        clinic_a.pk,
        None,
        "source=public",
    )


def test_a_public_request_with_a_membership_is_a_programming_error(cora):
    with pytest.raises(ValueError, match="no acting membership"):
        _create(cora.clinic, cora, source="public")


def test_neither_email_nor_phone_names_both_fields_and_saves_nothing(cora):
    with pytest.raises(ValidationError) as caught:
        _create(cora.clinic, cora, email="", phone="  ", preferred_contact="phone")

    assert caught.value.message_dict == {"email": [NO_CONTACT], "phone": [NO_CONTACT]}
    assert not IntakeRequest.objects.exists()
    assert not audit_events(object_type="intake_request")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "Ro\x00wan"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me", "preferred_contact": "phone"}, "phone"),
        ({"phone": "12345", "preferred_contact": "phone"}, "phone"),
        ({"preferred_contact": "pigeon"}, "preferred_contact"),
        ({"preferred_contact": "text"}, "phone"),  # texting needs a phone number
        ({"email": "", "phone": "617-555-0100", "preferred_contact": "email"}, "email"),
        ({"message": "x" * 5001}, "message"),
        ({"best_time": "y" * 101}, "best_time"),
    ],
)
def test_bad_input_is_refused_naming_the_field(cora, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _create(cora.clinic, cora, **overrides)

    assert field in caught.value.message_dict
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize(
    "self_check",
    [["not", "an", "object"], {"phq9": float("nan")}, {"note": "a\x00b"}, {"x": "y" * 20_001}],
)
def test_a_self_check_that_is_not_small_plain_json_is_refused(clinic_a, self_check):
    with pytest.raises(ValidationError) as caught:
        _create(clinic_a, None, source="public", self_check=self_check)

    assert list(caught.value.message_dict) == ["self_check"]


def test_nurse_may_not_enter_a_request_and_the_refusal_is_audited(nora):
    with pytest.raises(PermissionDenied):
        _create(nora.clinic, nora)

    (event,) = audit_events(allowed=False)
    assert (event.action, event.object_type, event.detail) == (
        "create",
        "intake_request",
        "role_lacks:manage_intake",
    )
    assert not IntakeRequest.objects.exists()


def test_auditor_may_not_enter_a_request(audrey):
    with pytest.raises(PermissionDenied):
        _create(audrey.clinic, audrey)


def test_staff_cannot_enter_a_request_into_another_clinics_queue(cora, clinic_b):
    with pytest.raises(Http404):
        _create(clinic_b, cora)

    assert not IntakeRequest.objects.exists()
    (event,) = audit_events(allowed=False)
    assert (event.object_type, event.detail) == ("clinic", "not_found_in_clinic")
