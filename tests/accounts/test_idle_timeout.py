"""Idle session time-out: signed out after settings.SESSION_IDLE_TIMEOUT_MIN quiet minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from ketacare.audit.models import Action, AuditEvent

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_session_survives_fourteen_quiet_minutes(clock, staff_client, alice):
    client = staff_client(alice)
    assert client.get("/").status_code == 200

    clock.shift(dt.timedelta(minutes=14, seconds=59))

    assert client.get("/").status_code == 200


def test_activity_keeps_extending_the_session(clock, staff_client, alice):
    client = staff_client(alice)
    for _ in range(3):
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=10))

    assert client.get("/").status_code == 200


def test_fifteen_quiet_minutes_sign_the_user_out_with_a_message(clock, staff_client, alice):
    client = staff_client(alice)
    client.get("/")

    clock.shift(dt.timedelta(minutes=15, seconds=1))
    response = client.get("/?page=3")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2F%3Fpage%3D3"
    page = client.get(response["Location"])
    assert "You were signed out after 15 minutes without activity." in page.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert (event.actor_user_id, event.detail, event.channel) == (
        alice.user.pk,
        "reason=idle_timeout",
        "web",
    )


def test_an_idle_sign_out_under_the_admin_is_audited_on_the_admin_channel(
    clock, staff_client, adam
):
    client = staff_client(adam)
    assert client.get("/admin/").status_code == 200

    clock.shift(dt.timedelta(minutes=15, seconds=1))
    response = client.get("/admin/")

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert (event.actor_user_id, event.detail, event.channel) == (
        adam.user.pk,
        "reason=idle_timeout",
        "admin",
    )


def test_the_message_is_shown_only_once(clock, staff_client, alice):
    client = staff_client(alice)
    client.get("/")
    clock.shift(dt.timedelta(minutes=16))
    client.get("/")
    client.get("/accounts/login/")

    again = client.get("/accounts/login/")

    assert "without activity" not in again.content.decode()


@override_settings(SESSION_IDLE_TIMEOUT_MIN=5)
def test_the_time_out_follows_the_setting(clock, staff_client, alice):
    client = staff_client(alice)
    client.get("/")

    clock.shift(dt.timedelta(minutes=5, seconds=1))
    response = client.get("/")

    assert response["Location"] == "/accounts/login/?next=%2F"
    assert "after 5 minutes without activity" in client.get("/accounts/login/").content.decode()


def test_an_htmx_request_after_the_time_out_gets_an_hx_redirect(clock, staff_client, alice):
    client = staff_client(alice)
    client.get("/")

    clock.shift(dt.timedelta(minutes=16))
    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/"


def test_an_api_request_after_the_time_out_gets_401_json(clock, staff_client, alice):
    client = staff_client(alice)
    client.get("/api/v1/me")

    clock.shift(dt.timedelta(minutes=16))
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "You were signed out after 15 minutes without activity."}


def test_a_bearer_request_with_a_stale_session_is_judged_by_its_token(clock, staff_client, alice):
    from ketacare.accounts.services import create_api_token

    client = staff_client(alice)
    client.get("/")
    issued = create_api_token(user=alice.user)

    clock.shift(dt.timedelta(minutes=16))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.value}"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_idle_sign_out_event_names_the_client_behind_the_proxy(
    clock, staff_client, alice, settings
):
    settings.SECURE_PROXY = True
    settings.KETACARE_PROXY_HOPS = 1
    client = staff_client(alice)
    client.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")

    clock.shift(dt.timedelta(minutes=16))
    client.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert AuditEvent.objects.get(action=Action.LOGOUT).ip_address == "203.0.113.7"


def test_a_pages_own_background_refresh_does_not_keep_the_session_alive(clock, staff_client, nora):
    # The nurse board polls itself: a screen left open must still sign out when nobody uses it.
    client = staff_client(nora)
    assert client.get("/board/").status_code == 200
    refresh = {"HX-Request": "true", "X-KetaCare-Background-Refresh": "1"}
    for _ in range(3):
        clock.shift(dt.timedelta(minutes=5))
        assert client.get("/board/", headers=refresh).status_code == 200

    clock.shift(dt.timedelta(minutes=1))
    response = client.get("/board/", headers=refresh)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_the_refresh_header_alone_is_not_background_without_htmx(clock, staff_client, nora):
    client = staff_client(nora)
    client.get("/board/")
    for _ in range(3):
        clock.shift(dt.timedelta(minutes=10))
        response = client.get("/board/", headers={"X-KetaCare-Background-Refresh": "1"})
        assert response.status_code == 200


def test_a_patients_link_in_a_browser_with_an_idle_staff_session_is_left_alone(
    clock, staff_client, alice
):
    # The link opens as the patient's page (here: an unknown one, 410), never as a sign-in page
    # whose `next` would carry the token; the staff session is neither ended nor extended.
    client = staff_client(alice)
    client.get("/")
    clock.shift(dt.timedelta(minutes=15, seconds=1))

    response = client.get("/r/not-a-real-token-but-shaped-like-one/")

    assert response.status_code == 410
    assert "_auth_user_id" in client.session
    assert client.get("/")["Location"].startswith("/accounts/login/")
