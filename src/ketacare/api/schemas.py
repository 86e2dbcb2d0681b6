"""Schemas every API app shares (contracts.md 2.0): errors, list paging, the page of a list.

The class names are the component names of the committed docs/openapi.json: keep them.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Field, Schema

T = TypeVar("T")


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str


class Invalid(Schema):
    """422: `loc` ends with the field's name (contracts.md 2.0)."""

    detail: list[FieldError]


# 409: `reasons` where clinical rules decided (contracts.md 2.0).
class ConflictOut(Schema):
    detail: str
    reasons: list[str] = []


# The largest OFFSET the databases take (a 64-bit integer); past it SQLite answers an error.
OFFSET_MAXIMUM = 2**63 - 1


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=OFFSET_MAXIMUM)


class Page(Schema, Generic[T]):
    """A list: `{"items": [...], "count": N}`, `count` the total (contracts.md 2.0). Each list
    names its own page (`class PlanPage(Page[PlanOut])`), which is its schema's name."""

    items: list[T]
    count: int


class MembershipOut(Schema):
    clinic_id: int
    clinic_name: str
    role: str


class MeOut(Schema):
    username: str
    memberships: list[MembershipOut]
