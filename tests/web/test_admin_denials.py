"""Every refusal inside the admin is a denied audit event with the action that was attempted, and
a history page does not tell someone who may not see it whether an id exists."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from ketacare.accounts.services import create_api_token
from ketacare.audit.models import Action, AuditEvent
from ketacare.patients.models import Patient
from tests.factories import UserFactory
from tests.web.bodies import FORBIDDEN_BODY

MISSING_ID = 987654


def _denied() -> list[tuple[str, str, str, str]]:
    return list(
        AuditEvent.objects.filter(allowed=False)
        .order_by("pk")
        .values_list("action", "object_type", "object_id", "detail")
    )


def _allowed_reads(object_type: str) -> int:
    return AuditEvent.objects.filter(
        allowed=True, action=Action.READ, object_type=object_type
    ).count()


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def lockout_record(db):
    return AccessAttempt.objects.create(
        username="0" * 64,
        ip_address="192.0.2.7",
        user_agent="",
        http_accept="",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


@pytest.fixture
def existing_ids(alice, lockout_record):
    return {
        "auth_user": alice.user_id,
        "accounts_apitoken": create_api_token(user=alice.user, name="t").token.pk,
        "axes_accessattempt": lockout_record.pk,
    }


# --- the admin's own 403s ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("admin:auth_user_changelist", ("read", "user", "", "admin_forbidden:changelist")),
        (
            "admin:accounts_apitoken_changelist",
            ("read", "apitoken", "", "admin_forbidden:changelist"),
        ),
        ("admin:clinics_clinic_add", ("create", "clinic", "", "admin_forbidden:add")),
        ("admin:audit_auditevent_add", ("create", "audit_report", "", "admin_forbidden:add")),
    ],
)
def test_a_clinic_admin_opening_a_page_they_may_not_gets_403_and_a_denied_event(
    staff_client, adam, url, expected
):
    response = staff_client(adam).get(reverse(url))

    assert response.status_code == 403
    assert response.content == FORBIDDEN_BODY
    assert _denied() == [expected]
    event = AuditEvent.objects.get(allowed=False)
    assert (event.actor_user_id, event.actor_role, event.clinic_id, event.channel) == (
        adam.user_id,
        "clinic_admin",
        adam.clinic_id,
        "admin",
    )


def test_opening_another_users_change_page_is_a_denied_read_with_the_id(staff_client, adam, alice):
    url = reverse("admin:auth_user_change", args=[alice.user_id])

    response = staff_client(adam).get(url)

    assert (response.status_code, response.content) == (403, FORBIDDEN_BODY)
    assert _denied() == [("read", "user", str(alice.user_id), "admin_forbidden:change")]


def test_posting_a_change_the_admin_refuses_is_a_denied_update(staff_client, adam, alice):
    url = reverse("admin:auth_user_change", args=[alice.user_id])

    response = staff_client(adam).post(url, {"username": "mallory"})

    assert (response.status_code, response.content) == (403, FORBIDDEN_BODY)
    assert _denied() == [("update", "user", str(alice.user_id), "admin_forbidden:change")]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_refused_delete_of_the_clinics_patient_is_a_denied_delete_not_a_read(
    staff_client, adam, patient_a, method
):
    url = reverse("admin:patients_patient_delete", args=[patient_a.pk])

    response = getattr(staff_client(adam), method)(url, {"post": "yes"} if method == "post" else {})

    assert (response.status_code, response.content) == (403, FORBIDDEN_BODY)
    assert _denied() == [("delete", "patient", str(patient_a.pk), "admin_forbidden:delete")]
    assert AuditEvent.objects.get(allowed=False).patient_id == patient_a.pk
    assert _allowed_reads("patient") == 0
    assert Patient.objects.filter(pk=patient_a.pk).exists()


def test_a_refused_delete_of_a_colleagues_membership_is_a_denied_delete(staff_client, adam, nora):
    url = reverse("admin:clinics_membership_delete", args=[nora.pk])

    response = staff_client(adam).get(url)

    assert (response.status_code, response.content) == (403, FORBIDDEN_BODY)
    assert _denied() == [("delete", "membership", str(nora.pk), "admin_forbidden:delete")]
    assert _allowed_reads("membership") == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_delete_of_another_clinics_patient_is_a_404_recorded_as_a_denied_delete(
    staff_client, bob, patient_a, method
):
    url = reverse("admin:patients_patient_delete", args=[patient_a.pk])

    response = getattr(staff_client(bob), method)(url)

    assert response.status_code == 404
    assert _denied() == [("delete", "patient", str(patient_a.pk), "not_found_in_clinic")]


def test_a_change_posted_to_another_clinics_patient_is_recorded_as_a_denied_update(
    staff_client, bob, patient_a
):
    url = reverse("admin:patients_patient_change", args=[patient_a.pk])

    response = staff_client(bob).post(url, {"family_name": "Changed"})

    assert response.status_code == 404
    assert _denied() == [("update", "patient", str(patient_a.pk), "not_found_in_clinic")]


def test_reverting_a_patient_to_an_old_version_is_a_denied_update(staff_client, adam, patient_a):
    version = patient_a.history.get().history_id
    url = reverse("admin:patients_patient_simple_history", args=[patient_a.pk, version])

    response = staff_client(adam).post(url, {"family_name": "Reverted"})

    assert response.status_code == 403
    assert _denied() == [("update", "patient", str(patient_a.pk), "admin_forbidden:history_form")]


def test_a_bulk_delete_from_a_list_the_admin_refuses_is_a_denied_delete(staff_client, adam, alice):
    url = reverse("admin:auth_user_changelist")
    data = {"action": "delete_selected", "_selected_action": [alice.user_id]}

    response = staff_client(adam).post(url, data)

    assert response.status_code == 403
    assert _denied() == [("delete", "user", "", "admin_forbidden:changelist")]


def test_a_nurse_posting_to_the_admin_is_a_denied_update_of_the_admin_site(
    staff_client, nora, patient_a
):
    url = reverse("admin:patients_patient_change", args=[patient_a.pk])

    response = staff_client(nora).post(url, {"family_name": "Changed"})

    assert response.status_code == 403
    assert _denied() == [("update", "admin_site", "", "role")]


def test_a_non_numeric_id_never_reaches_the_trail(staff_client, adam):
    response = staff_client(adam).get("/admin/auth/user/Jane%20Doe/change/")

    assert response.status_code == 403
    assert _denied() == [("read", "user", "", "admin_forbidden:change")]


# --- history pages: existence does not leak -----------------------------------------------------


@pytest.mark.parametrize("model", ["auth_user", "accounts_apitoken", "axes_accessattempt"])
def test_a_history_page_answers_the_same_403_for_an_existing_and_a_missing_id(
    staff_client, adam, existing_ids, model
):
    page = staff_client(adam)
    existing = page.get(reverse(f"admin:{model}_history", args=[existing_ids[model]]))
    missing = page.get(reverse(f"admin:{model}_history", args=[MISSING_ID]))

    assert (existing.status_code, existing.content) == (403, FORBIDDEN_BODY)
    assert (missing.status_code, missing.content) == (403, FORBIDDEN_BODY)
    assert [event[0] for event in _denied()] == ["read", "read"]
    assert {event[3] for event in _denied()} == {"admin_forbidden:history"}


@pytest.mark.parametrize("model", ["auth_user", "accounts_apitoken", "axes_accessattempt"])
def test_a_superuser_still_reads_those_history_pages(staff_client, root, existing_ids, model):
    response = staff_client(root).get(reverse(f"admin:{model}_history", args=[existing_ids[model]]))

    assert response.status_code == 200
    assert _denied() == []
