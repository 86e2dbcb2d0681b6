"""Puts the request's channel, address and user agent where `record_event` finds them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ketacare.api.middleware import API_PREFIX
from ketacare.audit.context import RequestContext, reset_context, set_context
from ketacare.audit.models import Channel
from ketacare.web.client_ip import client_ip
from ketacare.web.middleware import ADMIN_PREFIX


def _channel_of(path: str) -> str:
    if path.startswith(API_PREFIX):
        return Channel.API
    if path.startswith(ADMIN_PREFIX):
        return Channel.ADMIN
    return Channel.WEB


def request_context(request: HttpRequest) -> RequestContext:
    """The audit context of a request: its channel by path, client address and user agent."""
    return RequestContext(
        channel=_channel_of(request.path),
        # X-Forwarded-For only as far as settings trust a proxy (ketacare.web.client_ip).
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_context(request_context(request))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
