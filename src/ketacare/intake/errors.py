"""Errors of the intake use cases.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form
error on the pages). A request whose state forbids the change is an `IntakeConflict` with a
stable code (`ketacare.api.errors.Conflict`: 409 in the API, a message on the pages).
"""

from __future__ import annotations

from enum import StrEnum

from ketacare.api.errors import Conflict


class ConflictCode(StrEnum):
    STALE_VERSION = "stale_version"
    INVALID_TRANSITION = "invalid_transition"
    CLOSED = "closed"
    ALREADY_REGISTERED = "already_registered"


class IntakeConflict(Conflict):
    def __init__(self, code: ConflictCode, message: str) -> None:
        super().__init__(message, code=code.value)


STALE_VERSION_MESSAGE = (
    "Someone else changed this intake request first; reload it to see their change."
)
