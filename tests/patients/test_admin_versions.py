"""Two people editing one patient in the admin: the second save is refused, nothing is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - connection: skipif
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from ketacare.patients.admin import PatientAdmin
from ketacare.patients.forms import STALE_VERSION
from ketacare.patients.models import Patient
from tests.factories import MembershipFactory, UserFactory


def change_url(patient):
    return reverse("admin:patients_patient_change", args=[patient.pk])


def form_of(patient, **changes):
    data = {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_at_birth": patient.sex_at_birth,
        "email": patient.email,
        "phone": patient.phone,
        "is_active": "on",
        "loaded_version": patient.version,
    }
    return {**data, **changes}


@pytest.fixture
def ada(clinic_a):
    """A second clinic admin of clinic A."""
    return MembershipFactory(user=UserFactory(username="ada"), clinic=clinic_a, role="clinic_admin")


def test_the_change_form_carries_the_loaded_version(staff_client, adam, patient_a):
    response = staff_client(adam).get(change_url(patient_a))

    form = response.context["adminform"].form
    assert form["loaded_version"].value() == 1
    assert (
        '<input type="hidden" name="loaded_version" value="1" id="id_loaded_version">'
        in response.content.decode()
    )


def test_the_second_of_two_editors_is_refused_and_the_first_change_is_kept(
    staff_client, adam, ada, patient_a
):
    # given: both load version 1
    first, second = staff_client(adam), staff_client(ada)
    loaded = {c: c.get(change_url(patient_a)).context["adminform"].form for c in (first, second)}
    assert {f["loaded_version"].value() for f in loaded.values()} == {1}

    # when: adam saves, then ada saves what she loaded
    saved = first.post(change_url(patient_a), form_of(patient_a, phone="555-1111"))
    refused = second.post(change_url(patient_a), form_of(patient_a, family_name="Renamed"))

    # then
    assert saved.status_code == 302
    assert refused.status_code == 409
    assert refused.context["adminform"].form.non_field_errors() == [STALE_VERSION]
    assert STALE_VERSION in refused.content.decode()
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.family_name, patient_a.version) == (
        "555-1111",
        form_of(patient_a)["family_name"],
        2,
    )
    history = list(patient_a.history.order_by("history_id").values_list("phone", "version"))
    assert history == [("", 1), ("555-1111", 2)]
    updates = AuditEvent.objects.filter(action=Action.UPDATE, object_type="patient")
    assert list(updates.values_list("actor_username", "detail")) == [("adam", "fields=phone")]


def test_after_reloading_the_second_editor_saves_on_top_of_the_first(
    staff_client, adam, ada, patient_a
):
    staff_client(adam).post(change_url(patient_a), form_of(patient_a, phone="555-1111"))
    patient_a.refresh_from_db()

    response = staff_client(ada).post(change_url(patient_a), form_of(patient_a, email="a@b.org"))

    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.email, patient_a.version) == ("555-1111", "a@b.org", 3)


def test_a_save_landing_between_loading_and_checking_is_caught(
    staff_client, adam, patient_a, monkeypatch
):
    # The competing write commits after this request fetched the patient, before it checks.
    fetch = PatientAdmin.get_object

    def fetch_then_someone_saves(self, request, object_id, from_field=None):
        obj = fetch(self, request, object_id, from_field)
        if request.method == "POST":
            other = Patient.objects.get(pk=obj.pk)
            other.phone, other.version = "555-2222", other.version + 1
            other.save()
        return obj

    monkeypatch.setattr(PatientAdmin, "get_object", fetch_then_someone_saves)

    response = staff_client(adam).post(change_url(patient_a), form_of(patient_a, phone="1"))

    assert response.status_code == 409
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.version) == ("555-2222", 2)


@pytest.mark.parametrize("loaded", [None, "", "abc", "0"], ids=["absent", "empty", "text", "zero"])
def test_a_change_without_a_valid_loaded_version_is_refused(staff_client, adam, patient_a, loaded):
    data = form_of(patient_a, family_name="Renamed")
    if loaded is None:
        del data["loaded_version"]
    else:
        data["loaded_version"] = loaded

    response = staff_client(adam).post(change_url(patient_a), data)

    assert response.status_code == 409
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) != ("Renamed", 2)


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_the_same_moment_one_wins_one_is_refused(staff_client):
    from tests.factories import ClinicFactory, PatientFactory

    clinic = ClinicFactory(name="Clinic R")
    admins = [
        MembershipFactory(user=UserFactory(username=f"r{n}"), clinic=clinic, role="clinic_admin")
        for n in range(2)
    ]
    patient = PatientFactory(clinic=clinic)
    clients = [staff_client(m) for m in admins]
    start = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            start.wait(timeout=10)
            response = clients[n].post(change_url(patient), form_of(patient, phone=f"555-000{n}"))
            statuses.append(response.status_code)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(statuses) == [302, 409]
    patient.refresh_from_db()
    assert patient.version == 2
    assert patient.history.count() == 2
