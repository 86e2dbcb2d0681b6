"""The admin: clinic admins only, their clinic only, every access to patient data audited."""

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.models import Membership
from ketacare.patients.models import Patient
from tests.factories import MembershipFactory, PatientFactory, UserFactory
from tests.web.bodies import FORBIDDEN_BODY, NOT_FOUND_BODY

INDEX = reverse("admin:index")
PATIENTS = reverse("admin:patients_patient_changelist")
ADD_PATIENT = reverse("admin:patients_patient_add")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(patient):
    return reverse("admin:patients_patient_history", args=[patient.pk])


def denied_events(**filters):
    return AuditEvent.objects.filter(allowed=False, **filters)


@pytest.fixture
def root(db):
    """A platform operator (superuser) without any membership."""
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_clinic_admin_reaches_the_admin(staff_client, adam):
    response = staff_client(adam).get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Patients" in body and "Memberships" in body
    assert "Users" not in body  # the platform's user table is for superusers


@pytest.mark.parametrize("person", ["alice", "nora", "cora", "audrey"])
def test_other_roles_get_403_from_the_admin_and_a_denied_event(request, staff_client, person):
    membership = request.getfixturevalue(person)
    page = staff_client(membership)
    for url in (INDEX, PATIENTS, reverse("admin:login")):
        response = page.get(url)
        assert response.status_code == 403
        assert "The admin is for clinic admins." in response.content.decode()
    assert denied_events(actor_user_id=membership.user_id, object_type="admin_site").count() == 3


def test_a_user_without_membership_gets_403_from_the_admin(staff_client, db):
    loner = UserFactory(username="loner")
    response = staff_client(loner).get(INDEX)
    assert response.status_code == 403
    assert "The admin is for clinic admins." in response.content.decode()
    event = denied_events(actor_user_id=loner.pk).get()
    assert (event.object_type, event.detail) == ("admin_site", "no_membership")


def test_anonymous_visitors_go_to_the_ketacare_login_page(client, db):
    response = client.get(PATIENTS)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PATIENTS}"
    response = client.get(reverse("admin:login"))
    assert response["Location"] == f"{reverse('accounts:login')}?next={INDEX}"


def test_the_admin_needs_two_factor_too(client, adam):
    client.force_login(adam.user)
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_enrol"))


def test_the_patient_changelist_shows_only_the_clinics_patients_and_is_audited(
    staff_client, adam, patient_a, patient_b
):
    body = staff_client(adam).get(PATIENTS).content.decode()
    assert patient_a.mrn in body and patient_b.mrn not in body
    event = AuditEvent.objects.get(object_type="patient_list")
    assert (event.channel, event.actor_role, event.clinic_id, event.allowed) == (
        "admin",
        "clinic_admin",
        adam.clinic_id,
        True,
    )
    assert event.detail == f"page=1 shown=1 total=1 ids={patient_a.pk}"


def test_the_changelist_event_names_every_patient_on_the_page(staff_client, adam, clinic_a):
    patients = [PatientFactory(clinic=clinic_a, family_name=f"F{n:02d}") for n in range(27)]
    staff_client(adam).get(PATIENTS, {"p": 2})

    event = AuditEvent.objects.get(object_type="patient_list")
    assert event.detail == f"page=2 shown=2 total=27 ids={patients[25].pk},{patients[26].pk}"


def test_a_superusers_changelist_is_audited_once_per_clinic_shown(
    staff_client, root, patient_a, patient_b
):
    staff_client(root).get(PATIENTS)

    events = AuditEvent.objects.filter(object_type="patient_list").order_by("clinic_id")
    assert list(events.values_list("clinic_id", "detail", "actor_user_id")) == [
        (patient_a.clinic_id, f"page=1 shown=2 total=2 ids={patient_a.pk}", root.pk),
        (patient_b.clinic_id, f"page=1 shown=2 total=2 ids={patient_b.pk}", root.pk),
    ]


@pytest.mark.parametrize(
    "params",
    [{"q": "a\x00"}, {"mrn": "a\x00"}, {"is_active__exact": "1\x00"}, {"o": "\x00"}],
    ids=["search", "field-lookup", "filter", "ordering"],
)
def test_a_nul_character_in_the_changelist_address_is_a_400_not_a_500(
    staff_client, adam, patient_a, params
):
    response = staff_client(adam).get(PATIENTS, params)

    assert response.status_code == 400
    assert response.content == b"Null characters are not allowed in the address."
    assert not AuditEvent.objects.filter(object_type="patient_list").exists()


@pytest.mark.parametrize("size", [3, 30])
def test_the_patient_changelist_takes_a_fixed_number_of_queries(
    staff_client, adam, clinic_a, size, django_assert_num_queries
):
    for n in range(size):
        PatientFactory(clinic=clinic_a, family_name=f"F{n:02d}")
    page = staff_client(adam)
    page.get(PATIENTS)  # warm caches that are not the page's own (content types, ...)

    # session, user, TOTP device, memberships+clinic, filtered count, unfiltered count, the
    # user's own and group permissions (Django's has_perm, once each), page of patients, last
    # audit hash, audit insert, session save (3); PostgreSQL appends in one round trip.
    with django_assert_num_queries(14 - (connection.vendor == "postgresql")):
        response = page.get(PATIENTS)
    assert response.status_code == 200


def test_searching_the_admin_cannot_find_another_clinics_patient(staff_client, bob, patient_a):
    response = staff_client(bob).get(PATIENTS, {"q": patient_a.mrn})
    assert response.status_code == 200
    assert f">{patient_a.mrn}<" not in response.content.decode()


def test_viewing_a_patient_is_audited(staff_client, adam, patient_a):
    response = staff_client(adam).get(change_url(patient_a))
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="patient")
    assert (event.action, event.patient_id, event.channel) == (Action.READ, patient_a.pk, "admin")


@pytest.mark.parametrize(
    ("url_of", "action"),
    [
        (change_url, Action.READ),
        (history_url, Action.READ),
        (lambda p: reverse("admin:patients_patient_delete", args=[p.pk]), Action.DELETE),
        (
            lambda p: reverse(
                "admin:patients_patient_simple_history", args=[p.pk, p.history.get().history_id]
            ),
            Action.READ,
        ),
    ],
    ids=["change", "history", "delete", "version"],
)
def test_another_clinics_patient_is_a_404_in_the_admin_and_a_denied_event(
    staff_client, bob, patient_a, url_of, action
):
    response = staff_client(bob).get(url_of(patient_a))
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    event = denied_events(object_type="patient").get()
    assert (event.actor_user_id, event.object_id, event.channel, event.action) == (
        bob.user_id,
        str(patient_a.pk),
        "admin",
        action,
    )


def test_posting_a_change_to_another_clinics_patient_is_a_404_and_changes_nothing(
    staff_client, bob, patient_a
):
    response = staff_client(bob).post(change_url(patient_a), {"family_name": "Changed"})
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    patient_a.refresh_from_db()
    assert patient_a.family_name != "Changed"
    assert denied_events(object_type="patient").count() == 1


def test_a_missing_patient_is_a_404_not_a_redirect(staff_client, adam):
    response = staff_client(adam).get(reverse("admin:patients_patient_change", args=[987654]))
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    event = denied_events(object_type="patient").get()
    assert (event.object_id, event.patient_id, event.detail) == (
        "987654",
        987654,
        "not_found_in_clinic",
    )


def _patient_form(clinic, **overrides):
    data = {
        "clinic": clinic.pk,
        "mrn": "NEW-1",
        "given_name": "Nia",
        "family_name": "Newcomer",
        "date_of_birth": "1990-05-01",
        "sex_at_birth": "female",
        "email": "",
        "phone": "",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_adding_a_patient_offers_only_the_clinics_own_clinic_and_is_audited(
    staff_client, adam, clinic_a, clinic_b
):
    page = staff_client(adam)
    form = page.get(ADD_PATIENT).context["adminform"].form
    assert list(form.fields["clinic"].queryset) == [clinic_a]
    response = page.post(ADD_PATIENT, _patient_form(clinic_a))
    assert response.status_code == 302
    patient = Patient.objects.get(mrn="NEW-1")
    assert patient.clinic == clinic_a
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="patient")
    assert (event.patient_id, event.clinic_id, event.channel) == (patient.pk, clinic_a.pk, "admin")


def test_adding_a_patient_to_another_clinic_is_refused(staff_client, adam, clinic_b):
    response = staff_client(adam).post(ADD_PATIENT, _patient_form(clinic_b))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Patient.objects.filter(mrn="NEW-1").exists()


def test_a_duplicate_mrn_in_the_clinic_is_a_form_error(staff_client, adam, patient_a, clinic_a):
    response = staff_client(adam).post(ADD_PATIENT, _patient_form(clinic_a, mrn=patient_a.mrn))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_changing_a_patient_is_audited_with_the_changed_fields_and_a_new_version(
    staff_client, adam, patient_a
):
    data = _patient_form(
        patient_a.clinic, mrn=patient_a.mrn, family_name="Renamed", loaded_version=1
    )
    data.pop("clinic")  # read-only for a clinic admin once the patient exists
    response = staff_client(adam).post(change_url(patient_a), data)
    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) == ("Renamed", 2)
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.patient_id == patient_a.pk
    assert "family_name" in event.detail and "Renamed" not in event.detail
    assert patient_a.history.count() == 2


def test_patients_cannot_be_deleted_through_the_admin(staff_client, adam, patient_a):
    response = staff_client(adam).post(
        reverse("admin:patients_patient_delete", args=[patient_a.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert response.content == FORBIDDEN_BODY
    assert Patient.objects.filter(pk=patient_a.pk).exists()


def test_the_history_of_the_clinics_patient_is_readable_and_read_only(
    staff_client, adam, patient_a
):
    page = staff_client(adam)
    assert page.get(history_url(patient_a)).status_code == 200
    version = patient_a.history.get().history_id
    url = reverse("admin:patients_patient_simple_history", args=[patient_a.pk, version])
    assert page.get(url).status_code == 200
    assert page.post(url, {"family_name": "Reverted"}).status_code == 403


def test_the_membership_list_is_the_clinics_own(staff_client, adam, nora, bob):
    body = staff_client(adam).get(reverse("admin:clinics_membership_changelist")).content.decode()
    assert "nora" in body and "bob" not in body


def test_another_clinics_membership_is_a_404_and_a_denied_event(staff_client, adam, bob):
    response = staff_client(adam).get(change_url(bob))
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    assert denied_events(object_type="membership", object_id=str(bob.pk)).count() == 1


def test_memberships_are_read_only_in_the_admin_the_staff_pages_change_them(
    staff_client, adam, nora
):
    page = staff_client(adam)
    assert page.get(change_url(nora)).status_code == 200
    response = page.post(change_url(nora), {"role": "coordinator", "is_active": "on"})
    assert response.status_code == 403
    nora.refresh_from_db()
    assert nora.role == "nurse"
    assert denied_events(object_type="membership", object_id=str(nora.pk)).count() == 1


def test_a_clinic_admin_sees_and_edits_only_their_own_clinic(staff_client, adam, clinic_b):
    page = staff_client(adam)
    body = page.get(reverse("admin:clinics_clinic_changelist")).content.decode()
    assert "Clinic A" in body and "Clinic B" not in body
    other = page.get(change_url(clinic_b))
    assert (other.status_code, other.content) == (404, NOT_FOUND_BODY)
    add = page.get(reverse("admin:clinics_clinic_add"))
    assert (add.status_code, add.content) == (403, FORBIDDEN_BODY)


def test_an_unknown_zip_in_the_clinic_form_names_the_field(staff_client, adam, clinic_a):
    data = {
        "name": "Clinic A",
        "address_line": "1 Main Street",
        "city": "Boston",
        "state": "MA",
        "zip_code": "00000",
        "phone": "617-555-0100",
        "accepting_new_patients": "on",
    }
    response = staff_client(adam).post(change_url(clinic_a), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["zip_code"] == [
        "ZIP code '00000' is not a known 5-digit US ZIP code."
    ]


def test_a_superuser_sees_every_clinic_and_is_audited(staff_client, root, patient_a, patient_b):
    page = staff_client(root)
    body = page.get(PATIENTS).content.decode()
    assert patient_a.mrn in body and patient_b.mrn in body
    assert page.get(change_url(patient_b)).status_code == 200
    event = AuditEvent.objects.get(object_type="patient")
    assert (event.actor_user_id, event.clinic_id, event.patient_id, event.actor_role) == (
        root.pk,
        patient_b.clinic_id,
        patient_b.pk,
        "",
    )


def test_a_superuser_deleting_a_membership_is_audited(staff_client, root, nora):
    response = staff_client(root).post(
        reverse("admin:clinics_membership_delete", args=[nora.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=nora.pk).exists()
    event = AuditEvent.objects.get(action=Action.DELETE)
    assert (event.object_type, event.object_id, event.clinic_id) == (
        "membership",
        str(nora.pk),
        nora.clinic_id,
    )


def test_an_admin_of_two_clinics_manages_the_acting_one_only(
    staff_client, adam, clinic_b, patient_b
):
    MembershipFactory(user=adam.user, clinic=clinic_b, role="nurse")
    page = staff_client(adam)
    page.post(reverse("web:switch-clinic"), {"clinic": clinic_b.pk})
    # Acting as a nurse of clinic B: no admin at all, and clinic A's admin rights do not carry over.
    for url in (INDEX, change_url(patient_b)):
        response = page.get(url)
        assert response.status_code == 403
        assert "The admin is for clinic admins." in response.content.decode()
        assert patient_b.mrn not in response.content.decode()
