"""`ketacare.api.acting`: the one way API endpoints find the caller's membership."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja.errors import ValidationError as NinjaValidationError

from ketacare.api.acting import (
    SEVERAL_CLINICS,
    membership_for_clinic,
    membership_for_object,
    membership_for_object_or_404,
)
from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY
from ketacare.patients.models import Patient
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(rf):
    """`call(user, token=True)`: a request of that user, by bearer token or browser session."""

    def make(user, *, token=True, active_clinic=None):
        request = rf.get("/api/v1/")
        request.user = user
        request.session = SessionStore()
        if active_clinic is not None:
            request.session[ACTIVE_CLINIC_SESSION_KEY] = active_clinic.pk
        if token:
            request.api_token = object()
        return request

    return make


def test_the_membership_in_the_clinic_of_the_object_is_chosen(call, alice, bob, patient_b):
    MembershipFactory(user=alice.user, clinic=bob.clinic, role="nurse")

    found = membership_for_object(call(alice.user), Patient, patient_b.pk)

    assert (found.clinic_id, found.role) == (bob.clinic_id, "nurse")


def test_another_clinics_object_falls_to_the_acting_membership(call, alice, patient_b):
    assert membership_for_object(call(alice.user), Patient, patient_b.pk) == alice


def test_the_strict_lookup_is_a_404_with_a_denied_event(call, alice, patient_b):
    with pytest.raises(Http404):
        membership_for_object_or_404(
            call(alice.user), Patient, patient_b.pk, object_type="patient", action=Action.UPDATE
        )

    event = AuditEvent.objects.get(allowed=False)
    assert (event.clinic_id, event.action, event.object_id, event.detail) == (
        alice.clinic_id,
        "update",
        str(patient_b.pk),
        "not_found_in_clinic",
    )


def test_a_named_clinic_of_someone_else_is_a_404(call, alice, clinic_b):
    with pytest.raises(Http404):
        membership_for_clinic(call(alice.user), clinic_b.pk, location="query")

    event = AuditEvent.objects.get(allowed=False)
    assert (event.clinic_id, event.object_type, event.object_id) == (
        alice.clinic_id,
        "clinic",
        str(clinic_b.pk),
    )


@pytest.mark.parametrize(("token", "answer"), [(True, "422"), (False, "active")])
def test_several_clinics_and_none_named(call, alice, clinic_b, token, answer):
    """contracts.md 2.0: `clinic_id` may be left out when the caller acts for one clinic; a
    browser session acts for the clinic chosen there, a token of several clinics must name it."""
    in_b = MembershipFactory(user=alice.user, clinic=clinic_b, role="prescriber")
    request = call(alice.user, token=token, active_clinic=clinic_b)

    if answer == "422":
        with pytest.raises(NinjaValidationError) as raised:
            membership_for_clinic(request, None, location="body")
        assert raised.value.errors == [{"loc": ["body", "clinic_id"], "msg": SEVERAL_CLINICS}]
    else:
        assert membership_for_clinic(request, None, location="body") == in_b


def test_one_clinic_needs_no_clinic_id(call, alice):
    assert membership_for_clinic(call(alice.user, token=True), None, location="query") == alice


def test_no_clinic_at_all_is_a_403(call):
    user = UserFactory(username="lonely")

    with pytest.raises(PermissionDenied):
        membership_for_clinic(call(user), None, location="query", object_type="intake_request")

    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_type, event.detail, event.actor_user_id) == (
        "intake_request",
        "no_membership",
        user.pk,
    )
