"""Two-step sign-in: password, then a TOTP code; audit events for both steps and sign-out."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.forms import GENERIC_LOGIN_ERROR
from ketacare.accounts.views import WRONG_CODE
from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import code_for, confirmed_device, normalised_body, wrong_code_for
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
VERIFY = "/accounts/mfa/verify/"
ENROL = "/accounts/mfa/enrol/"


def _password_step(client, username, password=TEST_PASSWORD, next_url=None, **extra):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


@pytest.mark.django_db
def test_login_page_labels_its_fields_and_has_no_demo_notice_in_production(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_username">User name</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert 'autocomplete="current-password"' in body
    assert "Demo mode" not in body


def test_password_then_totp_code_lands_on_the_clinic_home(client, alice):
    device = confirmed_device(alice.user)

    response = _password_step(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"

    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    assert client.get("/").status_code == 200


def test_code_typed_with_a_space_is_accepted(client, alice):
    device = confirmed_device(alice.user)
    _password_step(client, "alice")
    code = code_for(device)

    response = client.post(VERIFY, {"otp_token": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_next_page_survives_both_steps(client, alice):
    device = confirmed_device(alice.user)

    response = _password_step(client, "alice", next_url="/?page=2")
    assert response["Location"] == f"{VERIFY}?next=%2F%3Fpage%3D2"

    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "/?page=2"})
    assert response["Location"] == "/?page=2"


def test_a_next_page_on_another_site_is_ignored(client, alice):
    device = confirmed_device(alice.user)
    _password_step(client, "alice")

    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_a_user_without_an_authenticator_is_sent_to_enrolment(client, alice):
    response = _password_step(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"


def test_wrong_totp_code_is_refused_with_400_and_audited(client, alice):
    device = confirmed_device(alice.user)
    _password_step(client, "alice")

    response = client.post(VERIFY, {"otp_token": wrong_code_for(device)})

    assert response.status_code == 400
    assert WRONG_CODE.replace("'", "&#x27;") in response.content.decode()
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).get()
    assert (event.allowed, event.object_id, event.detail) == (
        False,
        str(alice.user.pk),
        "step=totp reason=wrong",
    )


def test_a_code_that_is_not_six_digits_is_refused_before_checking(client, alice):
    confirmed_device(alice.user)
    _password_step(client, "alice")

    response = client.post(VERIFY, {"otp_token": "12ab"})

    assert response.status_code == 400
    assert "Enter the six digits shown in your authenticator app." in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.LOGIN_FAILED).exists()


def test_unverified_user_is_redirected_from_home_to_verify(client, alice):
    confirmed_device(alice.user)
    _password_step(client, "alice")

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"


def test_unverified_user_without_device_is_redirected_from_home_to_enrolment(client, alice):
    client.force_login(alice.user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"


def test_unverified_user_is_redirected_from_the_admin_too(client, alice):
    confirmed_device(alice.user)
    client.force_login(alice.user)

    response = client.get("/admin/")

    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_unverified_htmx_request_gets_an_hx_redirect(client, alice):
    confirmed_device(alice.user)
    client.force_login(alice.user)

    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == VERIFY


def test_unverified_user_may_reach_static_files_and_sign_out(client, alice):
    confirmed_device(alice.user)
    client.force_login(alice.user)

    static = client.get("/static/web/ketacare.css")
    logout = client.post("/accounts/logout/")

    assert static.status_code != 302
    assert logout.status_code == 302
    assert logout["Location"] == LOGIN


def test_wrong_password_and_unknown_user_get_the_same_message_and_status(client, alice):
    wrong_password = _password_step(client, "alice", "not the password at all")
    unknown_user = _password_step(client, "alicx", "not the password at all")

    assert wrong_password.status_code == unknown_user.status_code == 400
    assert GENERIC_LOGIN_ERROR in wrong_password.content.decode()
    assert normalised_body(wrong_password, "alice") == normalised_body(unknown_user, "alicx")


def test_an_inactive_user_gets_the_same_message(client, alice):
    alice.user.is_active = False
    alice.user.save()

    response = _password_step(client, "alice")

    assert response.status_code == 400
    assert GENERIC_LOGIN_ERROR in response.content.decode()


def test_both_sign_in_steps_are_audited(client, alice):
    device = confirmed_device(alice.user)

    _password_step(client, "alice", HTTP_USER_AGENT="pytest-browser")
    client.post(VERIFY, {"otp_token": code_for(device)}, HTTP_USER_AGENT="pytest-browser")

    events = list(
        AuditEvent.objects.filter(action=Action.LOGIN).values_list(
            "actor_user_id", "detail", "channel", "user_agent"
        )
    )
    assert events == [
        (alice.user.pk, "step=password", "web", "pytest-browser"),
        (alice.user.pk, "step=totp", "web", "pytest-browser"),
    ]


def test_failed_login_is_audited_without_the_password_or_a_strangers_user_name(client, alice):
    _password_step(client, "alice", "hunter2hunter2")
    _password_step(client, "someone.private@example.org", "hunter2hunter2")

    existing, unknown = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("pk")
    assert (existing.allowed, existing.object_type, existing.object_id) == (
        False,
        "user",
        str(alice.user.pk),
    )
    assert existing.detail == "step=password reason=bad_credentials"
    assert existing.actor_user_id is None
    assert (unknown.allowed, unknown.object_id, unknown.actor_username) == (False, "", "")
    assert unknown.detail.startswith("step=password reason=bad_credentials unknown_user=")
    for event in (existing, unknown):
        stored = " ".join(str(getattr(event, f.name)) for f in AuditEvent._meta.fields)
        assert "hunter2" not in stored
        assert "someone.private" not in stored


def test_logout_is_audited(staff_client, alice):
    client = staff_client(alice)

    response = client.post("/accounts/logout/")

    assert response["Location"] == LOGIN
    event = AuditEvent.objects.filter(action=Action.LOGOUT).get()
    assert (event.actor_user_id, event.detail) == (alice.user.pk, "reason=user")


def test_a_second_device_cannot_be_enrolled_without_the_first(client, alice):
    confirmed_device(alice.user)
    _password_step(client, "alice")

    response = client.get(ENROL)

    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1
