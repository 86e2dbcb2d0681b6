"""Every API request refused for want of credentials leaves a denied audit event: the same 401
for the caller, a code (never the token) in the trail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ketacare.accounts.auth import record_refused_credentials
from ketacare.accounts.services import create_api_token, revoke_api_token
from ketacare.api.site import NOT_AUTHENTICATED
from ketacare.audit.models import AuditEvent

ME = "/api/v1/me"
REFUSED = {"detail": NOT_AUTHENTICATED}
pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_token(alice):
    return create_api_token(user=alice.user, name="test")


def _bearer(client, value: str, method: str = "get"):
    return getattr(client, method)(ME, headers={"Authorization": f"Bearer {value}"})


def _the_denied_event() -> AuditEvent:
    return AuditEvent.objects.get(allowed=False)


def _fields(event: AuditEvent) -> tuple[object, ...]:
    return (
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
        event.channel,
        event.actor_user_id,
        event.clinic_id,
    )


def test_a_request_without_credentials_is_recorded_as_token_missing(client):
    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert _fields(_the_denied_event()) == ("read", "api", "", "token_missing", "api", None, None)


def test_a_wrong_secret_is_recorded_as_token_refused_without_any_part_of_the_token(
    client, alice_token
):
    wrong = f"kc_{alice_token.token.prefix}_{'A' * 43}"

    response = _bearer(client, wrong)

    assert response.status_code == 401
    assert response.json() == REFUSED
    event = _the_denied_event()
    assert _fields(event) == ("read", "api", "", "token_refused", "api", None, None)
    stored = " ".join(str(v) for v in AuditEvent.objects.filter(pk=event.pk).values_list().get())
    assert alice_token.token.prefix not in stored
    assert "AAAA" not in stored


def test_a_revoked_token_is_recorded_as_token_refused(client, alice_token):
    revoke_api_token(prefix=alice_token.token.prefix)

    response = _bearer(client, alice_token.value)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert _the_denied_event().detail == "token_refused"


def test_an_expired_token_is_recorded_as_token_refused(client, alice):
    issued = create_api_token(user=alice.user, days=1)

    with time_machine.travel(issued.token.expires_at + dt.timedelta(seconds=1)):
        response = _bearer(client, issued.value)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert _the_denied_event().detail == "token_refused"


@pytest.mark.parametrize("value", ["not-a-token", "kc_00000000_" + "B" * 43])
def test_malformed_and_unknown_tokens_are_recorded_alike(client, value):
    response = _bearer(client, value)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert _the_denied_event().detail == "token_refused"


def test_a_non_bearer_authorization_header_is_recorded_as_token_refused(client):
    response = client.get(ME, headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert _the_denied_event().detail == "token_refused"


@pytest.mark.parametrize(
    ("method", "action"),
    [("post", "create"), ("put", "update"), ("patch", "update"), ("delete", "delete")],
)
def test_a_refused_write_is_recorded_with_the_action_of_its_method(rf, db, method, action):
    # Every route so far takes GET only (a write would be refused before authentication by
    # its method), so the refusal is recorded directly for a request of each method.
    request = getattr(rf, method)(ME, headers={"Authorization": "Bearer x"})

    record_refused_credentials(request)

    event = _the_denied_event()
    assert (event.action, event.object_type, event.detail) == (action, "api", "token_refused")


def test_a_valid_token_leaves_no_denied_event(client, alice_token):
    assert _bearer(client, alice_token.value).status_code == 200
    assert not AuditEvent.objects.filter(allowed=False).exists()
