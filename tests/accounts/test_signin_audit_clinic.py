"""Sign-ins, sign-outs and failed sign-ins are filed under a clinic, so its audit report shows
them: the clinic the session acts for, else the user's first active membership."""

from __future__ import annotations

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY
from tests.accounts.helpers import code_for, confirmed_device, wrong_code_for
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

LOGIN = "/accounts/login/"
VERIFY = "/accounts/mfa/verify/"


def _sign_in(client, username, device):
    client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
    return client.post(VERIFY, {"otp_token": code_for(device)})


def test_both_sign_in_steps_are_filed_under_the_users_clinic_with_the_role(client, alice):
    device = confirmed_device(alice.user)

    _sign_in(client, "alice", device)

    events = AuditEvent.objects.filter(action=Action.LOGIN).order_by("pk")
    assert [(e.clinic_id, e.actor_role, e.detail) for e in events] == [
        (alice.clinic_id, "prescriber", "step=password"),
        (alice.clinic_id, "prescriber", "step=totp"),
    ]


def test_the_audit_report_of_clinic_a_lists_alices_login(client, alice, adam, staff_client):
    _sign_in(client, "alice", confirmed_device(alice.user))

    response = staff_client(adam).get("/audit/", {"user": "alice"})

    assert response.status_code == 200
    shown = response.context["page"].object_list
    assert [(e.action, e.actor_username, e.detail) for e in shown] == [
        (Action.LOGIN, "alice", "step=totp"),
        (Action.LOGIN, "alice", "step=password"),
    ]
    assert "Log in" in response.content.decode()


def test_clinic_b_does_not_see_alices_login(client, alice, bob, staff_client):
    _sign_in(client, "alice", confirmed_device(alice.user))

    response = staff_client(bob).get("/audit/", {"user": "alice"})

    assert list(response.context["page"].object_list) == []


def test_sign_out_is_filed_under_the_clinic_the_session_acts_for(staff_client, alice, clinic_b):
    MembershipFactory(user=alice.user, clinic=clinic_b, role="nurse")
    client = staff_client(alice)
    client.post("/clinic/switch/", {"clinic": clinic_b.pk})
    assert client.session[ACTIVE_CLINIC_SESSION_KEY] == clinic_b.pk

    client.post("/accounts/logout/")

    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert (event.clinic_id, event.actor_role) == (clinic_b.pk, "nurse")


def test_one_event_per_sign_in_even_for_a_member_of_two_clinics(client, alice, clinic_b):
    MembershipFactory(user=alice.user, clinic=clinic_b, role="nurse")
    device = confirmed_device(alice.user)

    _sign_in(client, "alice", device)

    events = AuditEvent.objects.filter(action=Action.LOGIN)
    assert events.count() == 2  # the password step and the code step
    # The first active membership by clinic name: Clinic A.
    assert {e.clinic_id for e in events} == {alice.clinic_id}


def test_a_failed_password_of_a_known_user_is_filed_under_their_clinic(client, alice):
    client.post(LOGIN, {"username": "alice", "password": "not the right one at all"})

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.clinic_id, event.actor_user_id, event.object_id) == (
        alice.clinic_id,
        None,
        str(alice.user.pk),
    )


def test_a_failed_code_is_filed_under_the_clinic(client, alice):
    device = confirmed_device(alice.user)
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    client.post(VERIFY, {"otp_token": wrong_code_for(device)})

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.clinic_id, event.actor_user_id, event.detail) == (
        alice.clinic_id,
        None,
        "step=totp reason=wrong",
    )


def test_an_unknown_user_name_belongs_to_no_clinic(client, alice):
    client.post(LOGIN, {"username": "nobody-here", "password": "whatever it is"})

    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).clinic_id is None


def test_a_user_without_a_clinic_signs_in_without_one(client, db):
    UserFactory(username="operator")

    client.post(LOGIN, {"username": "operator", "password": TEST_PASSWORD})

    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert (event.clinic_id, event.actor_role) == (None, "")


def test_mfa_enrolment_is_filed_under_the_clinic(client, alice):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=alice.user, confirmed=False)

    client.post("/accounts/mfa/enrol/", {"otp_token": code_for(device)})

    event = AuditEvent.objects.get(action=Action.MFA_ENROLL)
    assert (event.clinic_id, event.actor_role) == (alice.clinic_id, "prescriber")
