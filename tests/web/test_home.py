"""The staff home: the acting clinic's patients, searchable, paged, read-only, audited."""

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY
from tests.factories import MembershipFactory, PatientFactory, UserFactory
from tests.web.bodies import NOT_FOUND_BODY

HOME = reverse("web:home")


def _patients(clinic, count, prefix="P"):
    return [
        PatientFactory(clinic=clinic, mrn=f"{prefix}-{n:04d}", family_name=f"Family{n:04d}")
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("person", ["adam", "alice", "nora", "cora", "audrey"])
def test_every_role_of_the_clinic_sees_its_patient_list(request, staff_client, person, patient_a):
    membership = request.getfixturevalue(person)
    response = staff_client(membership).get(HOME)
    assert response.status_code == 200
    assert patient_a.mrn in response.content.decode()


def test_anonymous_visitors_get_the_public_welcome_and_no_patient(client, patient_a):
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert patient_a.mrn not in body and patient_a.family_name not in body
    for link in ('href="/learn/"', 'href="/self-check/"', 'href="/clinics/"'):
        assert link in body
    assert f'href="{reverse("accounts:login")}"' in body
    assert not AuditEvent.objects.exists()


def test_a_session_without_two_factor_is_sent_to_the_second_step(client, alice):
    client.force_login(alice.user)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_enrol"))


def test_a_user_without_a_clinic_gets_403_telling_them_to_ask_their_admin(staff_client, db):
    loner = UserFactory(username="loner")
    response = staff_client(loner).get(HOME)
    assert response.status_code == 403
    assert "Ask your clinic admin to add you to their clinic." in response.content.decode()
    event = AuditEvent.objects.get(actor_user_id=loner.pk, object_type="patient_list")
    assert (event.allowed, event.object_type, event.detail) == (
        False,
        "patient_list",
        "no_membership",
    )


def test_a_role_without_the_list_permission_gets_403(staff_client, clinic_a, patient_a):
    odd = MembershipFactory(user=UserFactory(username="odd"), clinic=clinic_a, role="janitor")
    response = staff_client(odd).get(HOME)
    assert response.status_code == 403
    assert "does not give access to this page" in response.content.decode()
    assert patient_a.mrn not in response.content.decode()
    event = AuditEvent.objects.get(actor_user_id=odd.user_id, object_type="patient_list")
    assert (event.allowed, event.detail) == (False, "role_lacks:view_patient_list")


def test_the_outsider_sees_only_their_own_clinics_patients(staff_client, bob, patient_a, patient_b):
    # A name no page text contains (a random surname could be a word of the page, e.g. "Young").
    patient_a.family_name = "Qxzunlikelyname"
    patient_a.save(update_fields=["family_name"])
    body = staff_client(bob).get(HOME).content.decode()
    assert patient_b.mrn in body
    assert patient_a.mrn not in body
    assert patient_a.family_name not in body


def test_searching_for_another_clinics_patient_finds_nothing(staff_client, bob, patient_a):
    for text in (patient_a.mrn, patient_a.family_name, patient_a.given_name):
        response = staff_client(bob).get(HOME, {"q": text})
        table = response.content.decode().split('<section id="patient-table"')[1]
        assert response.status_code == 200
        assert patient_a.mrn not in table
        assert "No patient matches the search." in table


def test_search_by_name_or_mrn_ignores_case(staff_client, alice, clinic_a):
    ada = PatientFactory(clinic=clinic_a, mrn="KC-1", given_name="Ada", family_name="Lovelace")
    alan = PatientFactory(clinic=clinic_a, mrn="KC-2", given_name="Alan", family_name="Turing")
    page = staff_client(alice)
    body = page.get(HOME, {"q": "LOVELACE"}).content.decode()
    assert ada.mrn in body and alan.mrn not in body
    body = page.get(HOME, {"q": "kc-2"}).content.decode()
    assert alan.mrn in body and ada.mrn not in body
    assert 'value="kc-2"' in body


def test_the_list_is_paged_25_at_a_time(staff_client, alice, clinic_a):
    patients = _patients(clinic_a, 30)
    page = staff_client(alice)
    first = page.get(HOME).content.decode()
    assert patients[24].mrn in first and patients[25].mrn not in first
    assert "Page 1 of 2" in first
    assert f'href="{HOME}?page=2"' in first
    second = page.get(HOME, {"page": 2}).content.decode()
    assert patients[25].mrn in second and patients[24].mrn not in second


@pytest.mark.parametrize(
    ("raw", "shown"), [("99", "Page 2 of 2"), ("abc", "Page 1 of 2"), ("-1", "Page 2 of 2")]
)
def test_an_out_of_range_or_malformed_page_shows_a_real_page(
    staff_client, alice, clinic_a, raw, shown
):
    _patients(clinic_a, 26)
    response = staff_client(alice).get(HOME, {"page": raw})
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_paging_keeps_the_search(staff_client, alice, clinic_a):
    _patients(clinic_a, 27, prefix="ZZ")
    body = staff_client(alice).get(HOME, {"q": "zz-"}).content.decode()
    assert f'href="{HOME}?q=zz-&amp;page=2"' in body


def test_each_page_view_is_one_read_event_without_the_search_text(staff_client, alice, clinic_a):
    _patients(clinic_a, 3)
    staff_client(alice).get(HOME, {"q": "Family0002"})
    event = AuditEvent.objects.get(object_type="patient_list")
    assert (event.action, event.allowed, event.actor_role, event.clinic_id, event.channel) == (
        Action.READ,
        True,
        "prescriber",
        alice.clinic_id,
        "web",
    )
    assert event.detail == f"page=1 shown=1 total=1 search=1 ids={shown_patient_pk(clinic_a)}"
    assert "Family" not in event.detail


def shown_patient_pk(clinic):
    return clinic.patients.get(family_name="Family0002").pk


def test_the_read_event_names_every_patient_shown_on_the_page(staff_client, alice, clinic_a):
    patients = _patients(clinic_a, 27)
    staff_client(alice).get(HOME, {"page": 2})

    event = AuditEvent.objects.get(object_type="patient_list")
    assert event.detail == (
        f"page=2 shown=2 total=27 search=0 ids={patients[25].pk},{patients[26].pk}"
    )


def test_a_page_without_patients_names_none(staff_client, alice):
    staff_client(alice).get(HOME, {"q": "nobody"})

    assert AuditEvent.objects.get(object_type="patient_list").detail == (
        "page=1 shown=0 total=0 search=1"
    )


@pytest.mark.parametrize("text", ["a\x00b", "\x00"], ids=["inside", "alone"])
def test_a_search_with_a_nul_character_is_a_400_naming_the_problem_not_a_500(
    staff_client, alice, patient_a, text
):
    response = staff_client(alice).get(HOME, {"q": text})

    assert response.status_code == 400
    body = response.content.decode()
    assert (
        '<p class="form-errors" role="alert">The search was not run: '
        "Null characters are not allowed.</p>"
    ) in body
    assert patient_a.mrn not in body
    assert not AuditEvent.objects.filter(object_type="patient_list").exists()


def test_a_nul_search_from_htmx_gets_the_table_fragment_with_the_error(staff_client, alice):
    response = staff_client(alice).get(HOME, {"q": "a\x00"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<section id="patient-table"')
    assert "Null characters are not allowed." in response.content.decode()


def test_a_search_longer_than_the_box_allows_is_cut_not_refused(staff_client, alice, clinic_a):
    ada = PatientFactory(clinic=clinic_a, mrn="KC-1", family_name="Lovelace")
    response = staff_client(alice).get(HOME, {"q": "lovelace" + " " * 92 + "x" * 50})

    assert response.status_code == 200
    assert ada.mrn in response.content.decode()


def test_htmx_requests_get_only_the_table_fragment(staff_client, alice, patient_a):
    response = staff_client(alice).get(HOME, {"q": patient_a.mrn}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="patient-table"')
    assert "<html" not in body and patient_a.mrn in body
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(staff_client, alice, patient_a):
    response = staff_client(alice).get(
        HOME, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_search_form_works_without_javascript(staff_client, alice, patient_a):
    body = staff_client(alice).get(HOME).content.decode()
    assert f'<form method="get" action="{HOME}" role="search"' in body
    assert 'hx-get="/"' in body and 'hx-target="#patient-table"' in body
    assert "<script>" not in body and "style=" not in body


def test_a_user_of_two_clinics_switches_between_them(
    staff_client, alice, clinic_b, patient_a, patient_b
):
    MembershipFactory(user=alice.user, clinic=clinic_b, role="nurse")
    page = staff_client(alice)
    assert patient_a.mrn in page.get(HOME).content.decode()
    response = page.post(reverse("web:switch-clinic"), {"clinic": clinic_b.pk})
    assert response.status_code == 302
    body = page.get(HOME).content.decode()
    assert patient_b.mrn in body and patient_a.mrn not in body
    assert page.session[ACTIVE_CLINIC_SESSION_KEY] == clinic_b.pk


def test_switching_to_a_clinic_one_does_not_belong_to_is_a_404_and_a_denied_event(
    staff_client, alice, clinic_b
):
    page = staff_client(alice)
    response = page.post(reverse("web:switch-clinic"), {"clinic": clinic_b.pk})
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    assert ACTIVE_CLINIC_SESSION_KEY not in page.session
    event = AuditEvent.objects.get(allowed=False)
    assert (
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
        event.actor_user_id,
        event.actor_role,
        event.clinic_id,
    ) == (
        Action.READ,
        "clinic",
        str(clinic_b.pk),
        "not_a_member",
        alice.user_id,
        "prescriber",
        alice.clinic_id,
    )


def test_switching_to_a_malformed_clinic_id_is_a_404_and_a_denied_event(staff_client, alice):
    response = staff_client(alice).post(reverse("web:switch-clinic"), {"clinic": "x\x00y"})
    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_type, event.object_id, event.detail) == ("clinic", "", "not_a_member")


@pytest.mark.parametrize("size", [3, 40])
def test_the_page_takes_a_fixed_number_of_queries(
    staff_client, alice, clinic_a, size, django_assert_num_queries
):
    _patients(clinic_a, size)
    page = staff_client(alice)
    page.get(HOME)  # warm caches that are not the page's own (content types, ...)
    # session, user, TOTP device, memberships+clinic, count, page, last audit hash, audit insert,
    # session save (3); PostgreSQL appends in one round trip.
    with django_assert_num_queries(11 - (connection.vendor == "postgresql")):
        response = page.get(HOME)
    assert response.status_code == 200
