"""register_patient_from_intake: the patient is registered and linked both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketacare.intake import services
from ketacare.intake.errors import IntakeConflict
from ketacare.intake.models import IntakeRequest
from ketacare.intake.services import register_patient_from_intake
from ketacare.patients.models import Patient
from tests.factories import IntakeRequestFactory, PatientFactory
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db

BORN = dt.date(1984, 5, 17)


def _register(by, request, **values):
    values.setdefault("version", request.version)
    values.setdefault("given_name", "Rowan")
    values.setdefault("family_name", "Quill")
    values.setdefault("date_of_birth", BORN)
    values.setdefault("sex_at_birth", "female")
    return register_patient_from_intake(by=by, intake_request_id=request.pk, **values)


def test_coordinator_registers_the_patient_and_the_link_is_kept_both_ways(cora, request_a):
    registered = _register(cora, request_a)

    patient = Patient.objects.get()
    request_a.refresh_from_db()
    assert registered.patient == patient and registered.intake_request == request_a
    assert request_a.patient == patient
    assert patient.intake_request_id == request_a.pk
    assert (patient.clinic_id, patient.given_name, patient.family_name) == (
        cora.clinic_id,
        "Rowan",
        "Quill",
    )


def test_contact_details_left_out_are_the_requests(cora, request_a):
    _register(cora, request_a)

    patient = Patient.objects.get()
    assert (patient.email, patient.phone, patient.preferred_contact) == (
        "rowan@example.org",
        "617-555-0142",
        "phone",
    )


def test_contact_details_given_replace_the_requests(cora, request_a):
    _register(cora, request_a, email="", phone="617-555-0000")

    patient = Patient.objects.get()
    assert (patient.email, patient.phone) == ("", "617-555-0000")


@pytest.mark.parametrize("status", ["new", "contacted"])
def test_a_new_or_contacted_request_moves_to_evaluation_scheduled(cora, clinic_a, status):
    request = IntakeRequestFactory(clinic=clinic_a, status=status)

    registered = _register(cora, request)

    assert (registered.intake_request.status, registered.intake_request.version) == (
        "evaluation_scheduled",
        2,
    )


def test_an_evaluation_scheduled_request_stays_there(adam, clinic_a):
    request = IntakeRequestFactory(clinic=clinic_a, status="evaluation_scheduled")

    assert _register(adam, request).intake_request.status == "evaluation_scheduled"


def test_registering_is_audited_as_the_patient_created_and_the_request_linked(cora, request_a):
    registered = _register(cora, request_a)

    patient_id = registered.patient.pk
    created = audit_events(object_type="patient", action="create")
    linked = audit_events(object_type="intake_request", action="update")
    assert [(e.object_id, e.patient_id) for e in created] == [(str(patient_id), patient_id)]
    assert [(e.object_id, e.patient_id, e.detail) for e in linked] == [
        (
            str(request_a.pk),
            patient_id,
            f"registered patient={patient_id} status=new->evaluation_scheduled",
        )
    ]


def test_a_closed_request_cannot_be_registered(cora, clinic_a):
    closed = IntakeRequestFactory(clinic=clinic_a, status="closed")

    with pytest.raises(IntakeConflict) as caught:
        _register(cora, closed)

    assert caught.value.code == "closed"
    assert not Patient.objects.exists()


def test_a_request_is_registered_once(cora, clinic_a, patient_a):
    request = IntakeRequestFactory(clinic=clinic_a, patient=patient_a, status="contacted")

    with pytest.raises(IntakeConflict) as caught:
        _register(cora, request)

    assert (caught.value.code, caught.value.detail) == (
        "already_registered",
        f"This request is already registered as patient {patient_a.pk}.",
    )
    assert Patient.objects.count() == 1


def test_a_stale_version_registers_nobody(cora, request_a):
    with pytest.raises(IntakeConflict) as caught:
        _register(cora, request_a, version=7)

    assert caught.value.code == "stale_version"
    assert not Patient.objects.exists()


def test_a_birth_date_in_the_future_names_the_field_and_nothing_changes(cora, request_a):
    with pytest.raises(ValidationError) as caught:
        _register(
            cora, request_a, date_of_birth=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
        )

    assert "date_of_birth" in caught.value.message_dict
    assert not Patient.objects.exists()
    request_a.refresh_from_db()
    assert (request_a.status, request_a.version, request_a.patient_id) == ("new", 1, None)


def test_a_coordinator_cannot_set_a_diagnosis_while_registering(cora, request_a):
    with pytest.raises(PermissionDenied):
        _register(cora, request_a, diagnosis="mdd")

    assert not Patient.objects.exists()


@pytest.mark.parametrize("person", ["audrey", "alice", "nora"])
def test_roles_without_manage_intake_may_not_register(request, request_a, person):
    membership = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied):
        _register(membership, request_a)

    assert not Patient.objects.exists()
    (event,) = audit_events(allowed=False)
    assert (event.action, event.detail) == ("create", "role_lacks:manage_intake")


def test_another_clinics_request_is_not_found(bob, request_a):
    with pytest.raises(Http404):
        _register(bob, request_a)

    assert not Patient.objects.exists()


def test_a_registration_racing_this_one_is_refused_whole_and_names_the_first(
    cora, request_a, monkeypatch
):
    # Given someone else registers the same request while this registration creates its patient
    real_register = services.register_patient

    def racing_register(**kwargs):
        other = PatientFactory(clinic=request_a.clinic)
        IntakeRequest.objects.filter(pk=request_a.pk).update(patient=other, version=2)
        racing_register.other = other
        return real_register(**kwargs)

    monkeypatch.setattr(services, "register_patient", racing_register)

    # When this registration links its patient
    with pytest.raises(IntakeConflict) as caught:
        _register(cora, request_a)

    # Then the request keeps the first patient, no second patient is left, the message names it
    request_a.refresh_from_db()
    other = racing_register.other
    assert request_a.patient == other
    assert list(Patient.objects.values_list("pk", flat=True)) == [other.pk]
    assert caught.value.code == "already_registered"
    assert str(other.pk) in caught.value.detail and "nothing was stored" in caught.value.detail


def test_a_request_closed_while_registering_registers_nobody(cora, request_a, monkeypatch):
    # Given someone closes the request while this registration creates its patient
    real_register = services.register_patient

    def closing_register(**kwargs):
        IntakeRequest.objects.filter(pk=request_a.pk).update(
            status="closed", closed_reason="Chose another clinic", version=request_a.version + 1
        )
        return real_register(**kwargs)

    monkeypatch.setattr(services, "register_patient", closing_register)

    # When this registration links its patient
    with pytest.raises(IntakeConflict) as caught:
        _register(cora, request_a)

    # Then nothing is stored and the request stays closed, unlinked
    request_a.refresh_from_db()
    assert caught.value.code == "stale_version"
    assert not Patient.objects.exists()
    assert request_a.status == "closed" and request_a.patient_id is None
