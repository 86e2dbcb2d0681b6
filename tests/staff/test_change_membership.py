"""Changing a colleague's role, deactivating and reactivating: audited, scoped to the clinic,
and never leaving the clinic without a clinic admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketacare.audit.models import Action, AuditEvent
from ketacare.staff.errors import ConflictCode, StaffConflict
from ketacare.staff.services import change_membership
from tests.factories import MembershipFactory, UserFactory


def _events(**filters):
    return AuditEvent.objects.filter(**filters).order_by("pk")


def test_an_admin_changes_a_nurses_role_and_it_is_audited(adam, nora):
    changed = change_membership(by=adam, membership_id=nora.pk, role="prescriber")

    nora.refresh_from_db()
    assert changed.role == nora.role == "prescriber"
    event = _events(action=Action.UPDATE).get()
    assert (event.clinic_id, event.actor_user_id, event.object_type, event.object_id) == (
        adam.clinic_id,
        adam.user_id,
        "membership",
        str(nora.pk),
    )
    assert event.detail == "role=nurse->prescriber"


def test_deactivating_and_reactivating_are_audited(adam, nora):
    change_membership(by=adam, membership_id=nora.pk, is_active=False)
    nora.refresh_from_db()
    assert nora.is_active is False

    change_membership(by=adam, membership_id=nora.pk, is_active=True)
    nora.refresh_from_db()
    assert nora.is_active is True
    assert list(_events(action=Action.UPDATE).values_list("detail", flat=True)) == [
        "active=1->0",
        "active=0->1",
    ]


def test_no_change_writes_no_event(adam, nora):
    change_membership(by=adam, membership_id=nora.pk, role="nurse", is_active=True)

    assert not AuditEvent.objects.exists()


def test_a_deactivated_colleague_reaches_nothing_of_the_clinic(adam, nora, staff_client):
    client = staff_client(nora)
    change_membership(by=adam, membership_id=nora.pk, is_active=False)

    response = client.get("/")

    assert response.status_code == 403
    assert "No clinic yet" in response.content.decode()


def test_an_unknown_role_is_refused_naming_the_field(adam, nora):
    with pytest.raises(ValidationError) as refused:
        change_membership(by=adam, membership_id=nora.pk, role="janitor")

    assert list(refused.value.message_dict) == ["role"]
    nora.refresh_from_db()
    assert nora.role == "nurse"


# --- the last clinic admin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"), [({"role": "prescriber"}, "role"), ({"is_active": False}, "is_active")]
)
def test_the_last_clinic_admin_cannot_demote_or_deactivate_themself(adam, change, field):
    with pytest.raises(StaffConflict) as refused:
        change_membership(by=adam, membership_id=adam.pk, **change)

    assert refused.value.code == ConflictCode.LAST_ADMIN
    assert refused.value.field == field
    assert "You are the last active clinic admin" in refused.value.message
    adam.refresh_from_db()
    assert (adam.role, adam.is_active) == ("clinic_admin", True)
    assert not AuditEvent.objects.exists()


def test_with_a_second_admin_an_admin_may_step_down(adam, clinic_a):
    MembershipFactory(clinic=clinic_a, role="clinic_admin", user=UserFactory(username="ada"))

    change_membership(by=adam, membership_id=adam.pk, role="prescriber")

    adam.refresh_from_db()
    assert adam.role == "prescriber"


def test_an_invited_admin_who_has_not_chosen_a_password_does_not_count(adam, invite_colleague):
    invite_colleague(role="clinic_admin")

    with pytest.raises(StaffConflict) as refused:
        change_membership(by=adam, membership_id=adam.pk, role="nurse")

    assert refused.value.code == ConflictCode.LAST_ADMIN


def test_an_inactive_admin_does_not_count(adam, clinic_a):
    MembershipFactory(clinic=clinic_a, role="clinic_admin", is_active=False)

    with pytest.raises(StaffConflict):
        change_membership(by=adam, membership_id=adam.pk, is_active=False)


def test_an_admin_of_another_clinic_does_not_count(adam, bob):
    with pytest.raises(StaffConflict):
        change_membership(by=adam, membership_id=adam.pk, role="nurse")


# --- who may not ---------------------------------------------------------------------------


def test_the_admin_of_clinic_b_gets_404_for_a_clinic_a_membership_and_it_is_audited(bob, nora):
    with pytest.raises(Http404):
        change_membership(by=bob, membership_id=nora.pk, role="prescriber")

    nora.refresh_from_db()
    assert nora.role == "nurse"
    event = _events().get()
    assert (event.allowed, event.action, event.clinic_id, event.object_id, event.detail) == (
        False,
        "update",
        bob.clinic_id,
        str(nora.pk),
        "not_found_in_clinic",
    )


@pytest.mark.parametrize("member", ["alice", "nora", "cora", "audrey"])
def test_other_roles_get_403_and_the_attempt_is_audited(request, member, adam):
    membership = request.getfixturevalue(member)

    with pytest.raises(PermissionDenied):
        change_membership(by=membership, membership_id=adam.pk, is_active=False)

    adam.refresh_from_db()
    assert adam.is_active
    event = _events().get()
    assert (event.allowed, event.action, event.object_id, event.detail) == (
        False,
        "update",
        str(adam.pk),
        "role_lacks:manage_memberships",
    )


# --- the pages ---------------------------------------------------------------------------------


def test_the_role_form_changes_the_role_and_comes_back(staff_client, adam, nora):
    response = staff_client(adam).post(
        f"/staff/{nora.pk}/role/", {"role": "coordinator"}, follow=True
    )

    assert response.redirect_chain == [(f"/staff/{nora.pk}/", 302)]
    assert "The role is changed." in response.content.decode()
    nora.refresh_from_db()
    assert nora.role == "coordinator"


def test_the_deactivate_button_deactivates(staff_client, adam, nora):
    response = staff_client(adam).post(f"/staff/{nora.pk}/active/", {"is_active": "0"})

    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.is_active is False


def test_the_last_admin_sees_a_clear_error_on_the_page(staff_client, adam):
    client = staff_client(adam)

    demote = client.post(f"/staff/{adam.pk}/role/", {"role": "nurse"})
    deactivate = client.post(f"/staff/{adam.pk}/active/", {"is_active": "0"})

    for response in (demote, deactivate):
        assert response.status_code == 409
        assert "You are the last active clinic admin of this clinic" in response.content.decode()
    adam.refresh_from_db()
    assert (adam.role, adam.is_active) == ("clinic_admin", True)


def test_a_bad_role_on_the_page_is_a_400(staff_client, adam, nora):
    response = staff_client(adam).post(f"/staff/{nora.pk}/role/", {"role": "janitor"})

    assert response.status_code == 400
    nora.refresh_from_db()
    assert nora.role == "nurse"


def test_the_admin_of_clinic_b_gets_404_on_the_pages(staff_client, bob, nora):
    client = staff_client(bob)

    for url, data in [
        (f"/staff/{nora.pk}/role/", {"role": "prescriber"}),
        (f"/staff/{nora.pk}/active/", {"is_active": "0"}),
    ]:
        assert client.post(url, data).status_code == 404
    nora.refresh_from_db()
    assert (nora.role, nora.is_active) == ("nurse", True)


def test_a_nurse_gets_403_on_the_pages(staff_client, nora, adam):
    client = staff_client(nora)

    assert client.post(f"/staff/{adam.pk}/role/", {"role": "nurse"}).status_code == 403
    assert client.post(f"/staff/{adam.pk}/active/", {"is_active": "0"}).status_code == 403
    adam.refresh_from_db()
    assert (adam.role, adam.is_active) == ("clinic_admin", True)


def test_the_change_pages_take_post_only(staff_client, adam, nora):
    assert staff_client(adam).get(f"/staff/{nora.pk}/role/").status_code == 405
