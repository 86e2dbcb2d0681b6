"""The request context: channel by path, address from REMOTE_ADDR only, user agent cut short."""

from __future__ import annotations

import pytest

from ketacare.audit.context import current_context
from ketacare.audit.middleware import AuditContextMiddleware
from ketacare.audit.models import Channel


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/api/v1/me", Channel.API),
        ("/fhir/Patient/1", Channel.API),
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
