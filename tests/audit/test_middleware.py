"""The request context: channel by path, the client address (ketacare.web.client_ip), user agent
cut short."""

from __future__ import annotations

import pytest

from ketacare.audit.context import current_context
from ketacare.audit.middleware import AuditContextMiddleware
from ketacare.audit.models import Channel


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/api/v1/me", Channel.API),
        ("/admin/", Channel.ADMIN),
        ("/audit/", Channel.WEB),
        ("/", Channel.WEB),
    ],
)
def test_the_channel_follows_the_path_and_the_context_ends_with_the_request(rf, path, channel):
    seen = []
    middleware = AuditContextMiddleware(
        lambda request: seen.append(current_context()) or "response"
    )
    request = rf.get(
        path, REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.1", HTTP_USER_AGENT="x" * 400
    )

    assert middleware(request) == "response"
    assert (seen[0].channel, seen[0].ip_address, len(seen[0].user_agent)) == (
        channel,
        "192.0.2.5",
        300,
    )
    assert current_context().channel == Channel.SYSTEM


def test_behind_a_trusted_proxy_the_context_has_the_forwarded_client(rf, settings):
    settings.SECURE_PROXY = True
    settings.KETACARE_PROXY_HOPS = 1
    seen = []
    middleware = AuditContextMiddleware(lambda request: seen.append(current_context()))
    middleware(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1"))

    assert seen[0].ip_address == "203.0.113.1"
