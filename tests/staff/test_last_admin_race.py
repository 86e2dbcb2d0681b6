"""Two clinic admins stepping down at the same moment: one succeeds, the other is refused, and
the clinic keeps a clinic admin. First with the competing write placed deterministically, then
with real threads on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - connection: skipif

from ketacare.clinics.models import Membership
from ketacare.staff import services
from ketacare.staff.errors import ConflictCode, StaffConflict
from ketacare.staff.services import change_membership
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def ada(clinic_a):
    """A second clinic admin of clinic A."""
    return MembershipFactory(clinic=clinic_a, role="clinic_admin", user=UserFactory(username="ada"))


def _admins(clinic) -> int:
    return Membership.objects.filter(clinic=clinic, role="clinic_admin", is_active=True).count()


def test_a_colleague_stepping_down_between_the_lookup_and_the_change_is_seen(
    adam, ada, clinic_a, monkeypatch
):
    real_lookup = services.get_member_for

    def lookup_then_ada_steps_down(*args, **kwargs):
        found = real_lookup(*args, **kwargs)
        monkeypatch.setattr(services, "get_member_for", real_lookup)
        change_membership(by=ada, membership_id=ada.pk, role="prescriber")
        return found

    monkeypatch.setattr(services, "get_member_for", lookup_then_ada_steps_down)

    with pytest.raises(StaffConflict) as refused:
        change_membership(by=adam, membership_id=adam.pk, role="prescriber")

    assert refused.value.code == ConflictCode.LAST_ADMIN
    assert _admins(clinic_a) == 1


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_themselves_at_once_leave_one_admin(adam, ada, clinic_a):
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def step_down(membership: Membership) -> None:
        try:
            start.wait(timeout=10)
            change_membership(by=membership, membership_id=membership.pk, role="nurse")
            outcomes.append("changed")
        except StaffConflict as conflict:
            outcomes.append(conflict.code)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in (adam, ada)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["changed", ConflictCode.LAST_ADMIN]
    assert _admins(clinic_a) == 1
