from __future__ import annotations

from ninja import Schema


class Error(Schema):
    detail: str


class MembershipOut(Schema):
    clinic_id: int
    clinic_name: str
    role: str


class MeOut(Schema):
    username: str
    memberships: list[MembershipOut]
