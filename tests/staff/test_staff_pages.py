"""The staff list and a colleague's page: what the admin sees, what is audited, who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.audit.models import Action, AuditEvent
from ketacare.staff.models import Invitation
from tests.accounts.helpers import confirmed_device
from tests.staff.conftest import token_in

pytestmark = pytest.mark.django_db


def test_the_admin_sees_the_whole_staff_of_the_clinic_and_no_one_else(
    staff_client, adam, alice, nora, bob
):
    nora.is_active = False
    nora.save()
    alice.user.first_name, alice.user.last_name = "Alice", "Prescott"
    alice.user.last_login = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    alice.user.save()
    confirmed_device(alice.user)

    response = staff_client(adam).get("/staff/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Staff of Clinic A" in body
    for cell in [
        f'<a href="/staff/{alice.pk}/">Alice Prescott</a>',
        '<td data-label="User name">alice</td>',
        '<td data-label="E-mail">alice@example.org</td>',
        '<td data-label="Role">Prescriber</td>',
        '<time datetime="2026-03-04T09:30:00+00:00">2026-03-04 09:30</time>',
        '<tr class="staff-inactive">',
    ]:
        assert cell in body
    assert "bob" not in body
    rows = {row.pk: row for row in response.context["rows"]}
    assert set(rows) == {adam.pk, alice.pk, nora.pk}
    assert rows[alice.pk].two_factor_enrolled is True
    assert rows[nora.pk].two_factor_enrolled is False


def test_the_status_column_tells_active_invited_and_inactive_apart(
    staff_client, adam, nora, invite_colleague
):
    invited, _token = invite_colleague()
    nora.is_active = False
    nora.save()

    rows = staff_client(adam).get("/staff/").content.decode().split("<tr")

    def status_of(member):
        row = next(r for r in rows if f'href="/staff/{member.pk}/"' in r)
        return row.split('data-label="Status">', 1)[1].split("</td>", 1)[0].strip()

    assert status_of(adam) == "Active"
    assert status_of(invited.membership) == "Invited"
    assert status_of(nora) == "Inactive"


def test_reading_the_staff_list_is_audited_with_the_ids_shown(staff_client, adam, nora):
    staff_client(adam).get("/staff/")

    event = AuditEvent.objects.get(object_type="membership_list")
    assert (event.action, event.clinic_id, event.actor_role) == (
        Action.READ,
        adam.clinic_id,
        "clinic_admin",
    )
    assert event.detail == f"shown=2 ids={adam.pk},{nora.pk}"


def test_the_staff_list_queries_do_not_grow_with_the_staff(
    staff_client, adam, clinic_a, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    client = staff_client(adam)
    client.get("/staff/")
    MembershipFactory.create_batch(10, clinic=clinic_a)

    with django_assert_max_num_queries(15):
        client.get("/staff/")


@pytest.mark.parametrize("member", ["alice", "nora", "cora", "audrey"])
def test_other_roles_get_403_for_the_staff_pages_and_it_is_audited(
    request, staff_client, member, adam
):
    membership = request.getfixturevalue(member)
    client = staff_client(membership)

    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/{adam.pk}/").status_code == 403
    denied = AuditEvent.objects.filter(allowed=False).order_by("pk")
    assert [(e.object_type, e.detail) for e in denied] == [
        ("membership_list", "role_lacks:manage_memberships"),
        ("membership", "role_lacks:manage_memberships"),
    ]


def test_anonymous_visitors_go_to_the_login_page(client, db):
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/"


def test_the_colleagues_page_shows_their_details_and_is_audited(staff_client, adam, nora):
    response = staff_client(adam).get(f"/staff/{nora.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<dt>User name</dt><dd>nora</dd>" in body
    assert "<dt>Two-factor</dt><dd>Not set up yet</dd>" in body
    assert '<label for="id_role">Role</label>' in body
    assert '<label for="id_reason">Reason</label>' in body
    event = AuditEvent.objects.get(object_type="membership")
    assert (event.action, event.object_id, event.clinic_id) == (
        Action.READ,
        str(nora.pk),
        adam.clinic_id,
    )


def test_the_admin_of_clinic_b_gets_404_for_a_clinic_a_colleague(staff_client, bob, nora):
    response = staff_client(bob).get(f"/staff/{nora.pk}/")

    assert response.status_code == 404
    event = AuditEvent.objects.get()
    assert (event.allowed, event.clinic_id, event.object_id, event.detail) == (
        False,
        bob.clinic_id,
        str(nora.pk),
        "not_found_in_clinic",
    )


@pytest.mark.parametrize(
    ("member", "shown"),
    [("adam", True), ("alice", False), ("nora", False), ("cora", False), ("audrey", False)],
)
def test_the_nav_links_to_the_staff_pages_for_clinic_admins_only(
    request, staff_client, member, shown
):
    membership = request.getfixturevalue(member)

    body = staff_client(membership).get("/").content.decode()

    assert ('<a href="/staff/">Staff</a>' in body) is shown


# --- a new invitation link ---------------------------------------------------------------------


def test_a_pending_colleagues_page_offers_a_new_link(staff_client, adam, invite_colleague):
    invited, _token = invite_colleague()

    body = staff_client(adam).get(f"/staff/{invited.membership.pk}/").content.decode()

    assert "has not chosen a password yet" in body
    assert f'action="/staff/{invited.membership.pk}/invitation/"' in body


def test_a_new_link_replaces_the_old_one(
    staff_client, adam, invite_colleague, mailoutbox, django_capture_on_commit_callbacks
):
    invited, old_token = invite_colleague()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(adam).post(f"/staff/{invited.membership.pk}/invitation/")

    assert response.status_code == 302
    new_token = token_in(mailoutbox[-1].body)
    assert new_token != old_token
    old, new = Invitation.objects.order_by("pk")
    assert old.revoked_at is not None
    assert new.is_usable_at(timezone.now())
    event = AuditEvent.objects.filter(object_type="invitation").get()
    assert event.detail == f"membership={invited.membership.pk} resend=1"


def test_no_new_link_for_a_colleague_who_has_a_password(staff_client, adam, nora):
    response = staff_client(adam).post(f"/staff/{nora.pk}/invitation/")

    assert response.status_code == 409
    assert "already chosen a password" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_link_is_refused_to_clinic_b_and_to_a_nurse(
    staff_client, bob, nora, invite_colleague
):
    invited, _token = invite_colleague()
    url = f"/staff/{invited.membership.pk}/invitation/"

    assert staff_client(bob).post(url).status_code == 404
    assert staff_client(nora).post(url).status_code == 403
    assert Invitation.objects.count() == 1
