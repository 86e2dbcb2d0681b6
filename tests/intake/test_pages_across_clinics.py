"""A request's pages find the request in the acting clinic before they ask the role, as the API
does: another clinic's (or a missing) request is a 404 with a denied event naming its id,
whatever the outsider's role; a role refused inside the clinic is a 403."""

from __future__ import annotations

import pytest

from ketacare.intake.models import IntakeRequest
from ketacare.patients.models import Patient
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db

MISSING_ID = 987654

REGISTER_FORM = {
    "version": 1, "given_name": "Rowan", "family_name": "Quill", "date_of_birth": "1984-05-17",
    "sex_at_birth": "female", "email": "rowan@example.org", "phone": "617-555-0142", "mrn": "",
}  # fmt: skip

# (method, path under /intake/<id>/, form, audited action of the 404, permission of the 403)
PAGES = [
    pytest.param("get", "", None, "read", "view_intake", id="GET request"),
    pytest.param("head", "", None, "read", "view_intake", id="HEAD request"),
    pytest.param("post", "status/", {"version": 1, "status": "contacted"}, "update",
                 "manage_intake", id="POST status"),
    pytest.param("get", "register/", None, "read", "manage_intake", id="GET register"),
    pytest.param("post", "register/", REGISTER_FORM, "create", "manage_intake",
                 id="POST register"),
]  # fmt: skip


def _send(client, method, url, form):
    send = getattr(client, method)
    return send(url, form) if form is not None else send(url)


def _assert_untouched(request_a):
    request_a.refresh_from_db()
    assert (request_a.status, request_a.version, request_a.patient_id) == ("new", 1, None)
    assert not Patient.objects.exists()


@pytest.mark.parametrize("outsider", ["nell", "bob"])
@pytest.mark.parametrize(("method", "page", "form", "action", "permission"), PAGES)
def test_a_clinic_b_member_gets_404_with_a_denied_event_naming_the_request(
    request, staff_client, request_a, outsider, method, page, form, action, permission
):
    by = request.getfixturevalue(outsider)

    response = _send(staff_client(by), method, f"/intake/{request_a.pk}/{page}", form)

    assert response.status_code == 404
    assert "Rowan Quill" not in response.content.decode()
    (event,) = audit_events()
    assert (event.allowed, event.action, event.clinic_id, event.actor_role) == (
        False,
        action,
        by.clinic_id,
        by.role,
    )
    assert (event.object_type, event.object_id, event.detail) == (
        "intake_request",
        str(request_a.pk),
        "not_found_in_clinic",
    )
    _assert_untouched(request_a)


@pytest.mark.parametrize(("method", "page", "form", "action", "permission"), PAGES)
def test_a_missing_request_is_a_404_even_for_a_role_without_the_permission(
    staff_client, nora, method, page, form, action, permission
):
    response = _send(staff_client(nora), method, f"/intake/{MISSING_ID}/{page}", form)

    assert response.status_code == 404
    (event,) = audit_events()
    assert (event.allowed, event.action, event.object_id, event.detail) == (
        False,
        action,
        str(MISSING_ID),
        "not_found_in_clinic",
    )


@pytest.mark.parametrize(("method", "page", "form", "action", "permission"), PAGES)
def test_a_clinic_a_nurse_gets_403_with_a_denied_event_naming_the_request(
    staff_client, nora, request_a, method, page, form, action, permission
):
    response = _send(staff_client(nora), method, f"/intake/{request_a.pk}/{page}", form)

    assert response.status_code == 403
    if method != "head":
        assert "Your role (Nurse) at Clinic A does not give access" in response.content.decode()
    (event,) = audit_events()
    assert (event.allowed, event.clinic_id, event.actor_role) == (False, nora.clinic_id, "nurse")
    assert (event.object_type, event.object_id, event.detail) == (
        "intake_request",
        str(request_a.pk),
        f"role_lacks:{permission}",
    )
    _assert_untouched(request_a)


def test_the_queue_keeps_its_role_check_first(staff_client, nell, request_b):
    response = staff_client(nell).get("/intake/")

    assert response.status_code == 403
    (event,) = audit_events()
    assert (event.object_type, event.object_id, event.detail) == (
        "intake_request_list",
        "",
        "role_lacks:view_intake",
    )


def test_the_new_request_page_keeps_its_role_check(staff_client, nell):
    response = staff_client(nell).post("/intake/new/", {"name": "Sam Reed", "phone": "6175550111"})

    assert response.status_code == 403
    assert not IntakeRequest.objects.exists()
