"""The main navigation links only to what the acting role may open."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("member", "audit_link", "admin_link"),
    [
        ("adam", True, True),
        ("audrey", True, False),
        ("alice", False, False),
        ("nora", False, False),
        ("cora", False, False),
    ],
)
def test_nav_shows_audit_and_admin_links_by_role(
    request, staff_client, member, audit_link, admin_link
):
    membership = request.getfixturevalue(member)
    body = staff_client(membership).get("/").content.decode()
    assert ('href="/audit/"' in body) is audit_link
    assert ('href="/admin/"' in body) is admin_link
