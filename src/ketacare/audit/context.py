"""Who is acting, from where: set once per request (middleware) or per command (CLI)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from ketacare.audit.models import Channel


@dataclass(frozen=True)
class RequestContext:
    channel: str = Channel.SYSTEM
    ip_address: str | None = None
    user_agent: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "ketacare_audit_context",
    default=RequestContext(),  # noqa: B039 - a frozen dataclass, never mutated
)


def current_context() -> RequestContext:
    return _current.get()


def set_context(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def reset_context(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)


@contextlib.contextmanager
def using_context(context: RequestContext) -> Iterator[RequestContext]:
    """`with using_context(RequestContext(channel=Channel.CLI)):` for commands and jobs."""
    token = set_context(context)
    try:
        yield context
    finally:
        reset_context(token)
