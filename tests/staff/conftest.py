"""Staff management fixtures: inviting a colleague through the service, reading the link."""

from __future__ import annotations

import re

import pytest

SITE = "http://testserver/"
LINK_RE = re.compile(r"http://testserver/staff/invitations/([A-Za-z0-9_-]+)/")


def token_in(body: str) -> str:
    match = LINK_RE.search(body)
    assert match is not None, "no invitation link in the e-mail"
    return match.group(1)


@pytest.fixture
def invite_colleague(adam, django_capture_on_commit_callbacks, mailoutbox):
    """`invite_colleague(email=..., role=...)` → (InvitedStaff, token from the e-mail's link).

    Adam (clinic admin of clinic A) invites, unless `by=` says otherwise; the e-mail is sent as
    after a real commit.
    """
    from ketacare.staff.services import invite_staff

    def invite(
        email="nina@example.org",
        role="nurse",
        *,
        by=None,
        given_name="Nina",
        family_name="Newcomer",
        username="",
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invited = invite_staff(
                by=by or adam,
                email=email,
                given_name=given_name,
                family_name=family_name,
                role=role,
                username=username,
                site_url=SITE,
            )
        token = token_in(mailoutbox[-1].body) if invited.invitation is not None else ""
        return invited, token

    return invite
