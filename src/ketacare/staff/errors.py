"""Errors of the staff use cases.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form error
on the pages). A request the clinic's current state forbids is a `StaffConflict` (409 in the API,
through `ketacare.api.errors.Conflict`) with a stable code; `field` names the form field the
pages show it on.
"""

from __future__ import annotations

from enum import StrEnum

from ketacare.api.errors import Conflict


class ConflictCode(StrEnum):
    LAST_ADMIN = "last_admin"
    ALREADY_MEMBER = "already_member"
    OWN_AUTHENTICATOR = "own_authenticator"
    NOT_PENDING = "not_pending"
    INACTIVE = "inactive"


class StaffConflict(Conflict):
    def __init__(self, code: ConflictCode, message: str, *, field: str = "") -> None:
        super().__init__(message, code=code.value)
        self.message = message
        self.field = field


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired: one answer for all four."""
