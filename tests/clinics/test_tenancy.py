"""The acting membership, scoped querysets, and denied lookups that leave an audit event."""

import pytest
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import flush_pending_denials
from ketacare.clinics.models import Membership
from ketacare.clinics.queries import get_membership_for, memberships_for
from ketacare.clinics.tenancy import (
    ACTIVE_CLINIC_SESSION_KEY,
    acting_membership,
    scoped,
    switch_clinic,
)
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for
from tests.factories import ClinicFactory, MembershipFactory, PatientFactory, UserFactory


def _request(user, session=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session if session is not None else {}
    return request


def test_a_user_without_membership_acts_for_no_clinic(db):
    assert acting_membership(_request(UserFactory())) is None


def test_an_inactive_membership_does_not_count(alice):
    alice.is_active = False
    alice.save()
    assert acting_membership(_request(alice.user)) is None


def test_a_user_of_two_clinics_acts_for_the_one_kept_in_the_session(alice, clinic_b):
    second = MembershipFactory(user=alice.user, clinic=clinic_b, role="auditor")
    assert acting_membership(_request(alice.user)) == alice  # "Clinic A" sorts first
    chosen = acting_membership(_request(alice.user, {ACTIVE_CLINIC_SESSION_KEY: clinic_b.pk}))
    assert chosen == second
    assert chosen.role == "auditor"


def test_switching_to_a_clinic_of_the_user_keeps_it_in_the_session(alice, clinic_b):
    MembershipFactory(user=alice.user, clinic=clinic_b, role="nurse")
    request = _request(alice.user)
    assert switch_clinic(request, clinic_b.pk).clinic == clinic_b
    assert request.session[ACTIVE_CLINIC_SESSION_KEY] == clinic_b.pk
    assert acting_membership(request).clinic == clinic_b


def test_switching_to_a_clinic_the_user_does_not_belong_to_is_a_404(alice, clinic_b):
    request = _request(alice.user)
    with pytest.raises(Http404):
        switch_clinic(request, clinic_b.pk)
    assert ACTIVE_CLINIC_SESSION_KEY not in request.session


def test_a_stale_clinic_in_the_session_falls_back_to_a_current_membership(alice, clinic_b):
    request = _request(alice.user, {ACTIVE_CLINIC_SESSION_KEY: clinic_b.pk})
    assert acting_membership(request) == alice


def test_scoped_patients_and_their_history_stay_in_the_clinic(alice, bob, patient_a, patient_b):
    assert list(scoped(Patient.objects, alice)) == [patient_a]
    assert list(scoped(Patient.objects, bob)) == [patient_b]
    assert list(Patient.objects.for_membership(alice)) == [patient_a]
    assert [h.id for h in scoped(Patient.history, alice)] == [patient_a.pk]
    assert [h.id for h in scoped(Patient.history, bob)] == [patient_b.pk]


def test_scoped_without_membership_is_empty(patient_a):
    assert list(scoped(Patient.objects, None)) == []
    assert list(Patient.objects.for_membership(None)) == []


def test_membership_lists_stay_in_the_clinic(alice, nora, bob):
    assert set(memberships_for(alice)) == {alice, nora}
    assert list(memberships_for(bob)) == [bob]
    assert get_membership_for(alice, nora.pk) == nora


def test_another_clinics_membership_is_a_404_and_a_denied_event(alice, bob):
    with pytest.raises(Http404):
        get_membership_for(alice, bob.pk)
    event = AuditEvent.objects.get()
    assert (event.allowed, event.object_type, event.object_id, event.actor_user_id) == (
        False,
        "membership",
        str(bob.pk),
        alice.user_id,
    )


def test_get_patient_for_returns_the_clinics_patient_and_audits_the_read(alice, patient_a):
    assert get_patient_for(alice, patient_a.pk) == patient_a
    event = AuditEvent.objects.get()
    assert (event.action, event.allowed, event.patient_id, event.actor_role, event.clinic_id) == (
        Action.READ,
        True,
        patient_a.pk,
        "prescriber",
        alice.clinic_id,
    )


@pytest.mark.parametrize("raw_id", ["other", "999999", "abc", "-1", ""])
def test_get_patient_for_another_clinics_or_no_patient_is_a_404_and_a_denied_event(
    bob, patient_a, raw_id
):
    wanted = str(patient_a.pk) if raw_id == "other" else raw_id
    with pytest.raises(Http404):
        get_patient_for(bob, wanted)
    numeric = raw_id in ("other", "999999")
    event = AuditEvent.objects.get()
    assert (event.action, event.allowed, event.object_type, event.object_id) == (
        Action.READ,
        False,
        "patient",
        wanted if numeric else "",
    )
    assert (event.actor_user_id, event.clinic_id, event.detail) == (
        bob.user_id,
        bob.clinic_id,
        "not_found_in_clinic" if numeric else "not_found_in_clinic non_numeric_id",
    )


def test_a_denied_lookup_inside_a_transaction_is_recorded_after_it_rolls_back(bob, patient_a):
    # The caller's transaction rolls back with the 404; the denial must not go with it.
    with pytest.raises(Http404), transaction.atomic():
        get_patient_for(bob, patient_a.pk)
    assert AuditEvent.objects.count() == 0
    flush_pending_denials()  # what request_finished does at the end of the request
    event = AuditEvent.objects.get()
    assert (event.allowed, event.object_id) == (False, str(patient_a.pk))


@pytest.mark.django_db(transaction=True)
def test_a_denied_lookup_is_committed_even_though_the_request_fails(clinic_a, clinic_b):
    patient = Patient.objects.create(
        clinic=clinic_a,
        mrn="M1",
        given_name="A",
        family_name="B",
        date_of_birth="1980-01-01",
        sex_at_birth="female",
    )
    bob = Membership.objects.create(
        user=UserFactory(username="bob2"), clinic=clinic_b, role="clinic_admin"
    )
    with pytest.raises(Http404), transaction.atomic():
        get_patient_for(bob, patient.pk)
    flush_pending_denials()
    assert AuditEvent.objects.filter(allowed=False, object_id=str(patient.pk)).count() == 1


def test_two_clinics_same_mrn_do_not_collide(db):
    PatientFactory(clinic=ClinicFactory(), mrn="X1")
    PatientFactory(clinic=ClinicFactory(), mrn="X1")
    assert Patient.objects.filter(mrn="X1").count() == 2


def _values(obj):
    fields = type(obj)._meta.concrete_fields
    return [(f.attname, getattr(obj, f.attname), type(getattr(obj, f.attname))) for f in fields]


def test_memberships_of_gives_what_the_orm_gives_clinic_joined_in_one_query(
    alice, clinic_b, django_assert_num_queries
):
    from decimal import Decimal

    from ketacare.clinics.tenancy import memberships_of

    MembershipFactory(user=alice.user, clinic=clinic_b, role="auditor")
    MembershipFactory(user=alice.user, clinic=ClinicFactory(name="A first"), is_active=False)
    MembershipFactory(clinic=ClinicFactory(name="0 other user"))

    with django_assert_num_queries(1):
        found = memberships_of(alice.user)
        clinics = [m.clinic for m in found]

    expected = list(
        Membership.objects.filter(user=alice.user, is_active=True)
        .select_related("clinic")
        .order_by("clinic__name", "clinic_id")
    )
    assert [m.pk for m in found] == [m.pk for m in expected] == [alice.pk, found[1].pk]
    for got, want in zip(found, expected, strict=True):
        assert _values(got) == _values(want)
        assert _values(got.clinic) == _values(want.clinic)
        assert not got._state.adding and got._state.db == want._state.db
    assert isinstance(clinics[1].latitude, Decimal)  # filled from the ZIP code
    assert found[0].user is alice.user
