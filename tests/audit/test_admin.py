"""The audit trail in the admin: read-only, scoped to the acting clinic, audited; clinic admins
only (auditors use the /audit/ report page)."""

from __future__ import annotations

import pytest
from django.contrib import admin

from ketacare.audit.admin import AuditEventAdmin
from ketacare.audit.models import AuditEvent
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY
from tests.factories import MembershipFactory
from tests.web.bodies import NOT_FOUND_BODY

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/audit/auditevent/"


@pytest.fixture
def model_admin():
    return AuditEventAdmin(AuditEvent, admin.site)


def _request(rf, membership, session=None):
    request = rf.get(LIST_URL)
    request.user = membership.user
    request.session = session if session is not None else {}
    return request


def test_a_clinic_admin_sees_only_the_events_of_their_clinic(
    rf, model_admin, adam, events_a, events_b
):
    request = _request(rf, adam)
    assert model_admin.has_view_permission(request) is True
    assert set(model_admin.get_queryset(request)) == set(events_a)
    assert model_admin.has_view_permission(request, events_b[0]) is False


def test_a_nurse_may_not_view(rf, model_admin, nora, events_a):
    assert model_admin.has_view_permission(_request(rf, nora)) is False
    assert model_admin.has_module_permission(_request(rf, nora)) is False
    assert list(model_admin.get_queryset(_request(rf, nora))) == []


def test_an_auditor_reads_the_trail_on_the_report_page_not_in_the_admin(staff_client, audrey):
    # The admin site admits only use_admin (config/admin.py); auditors use /audit/.
    client = staff_client(audrey)
    assert client.get(LIST_URL).status_code == 403
    assert client.get("/audit/").status_code == 200


def test_a_member_of_two_clinics_sees_the_events_of_the_acting_clinic_only(
    rf, model_admin, adam, clinic_b, events_a, events_b
):
    MembershipFactory(user=adam.user, clinic=clinic_b, role="auditor")

    assert set(model_admin.get_queryset(_request(rf, adam))) == set(events_a)
    in_b = _request(rf, adam, {ACTIVE_CLINIC_SESSION_KEY: clinic_b.pk})
    assert set(model_admin.get_queryset(in_b)) == set(events_b)
    assert model_admin.has_view_permission(in_b, events_a[0]) is False


def test_every_field_is_read_only(rf, model_admin, adam, events_a):
    fields = set(model_admin.get_readonly_fields(_request(rf, adam), events_a[0]))
    assert fields == {f.name for f in AuditEvent._meta.fields}


def test_the_admin_list_shows_clinic_a_events_to_its_admin_and_is_audited(
    staff_client, adam, events_a, events_b
):
    response = staff_client(adam).get(LIST_URL)

    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == {e.pk for e in events_a}
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_type, event.detail, event.clinic_id, event.channel) == (
        "read",
        "audit_report",
        "admin_list",
        adam.clinic_id,
        "admin",
    )


def test_the_admin_offers_no_add_page(staff_client, adam):
    response = staff_client(adam).get(f"{LIST_URL}add/")
    assert response.status_code == 403


def test_the_admin_list_event_carries_the_role(staff_client, adam, events_a):
    staff_client(adam).get(LIST_URL)

    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.actor_username, event.actor_role, event.allowed) == ("adam", "clinic_admin", True)


def test_opening_an_event_of_the_clinic_is_an_audited_read_with_the_role(
    staff_client, adam, events_a
):
    response = staff_client(adam).get(f"{LIST_URL}{events_a[0].pk}/change/")

    assert response.status_code == 200
    event = AuditEvent.objects.order_by("-pk").first()
    assert (
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
        event.actor_role,
        event.clinic_id,
    ) == (
        "read",
        "audit_report",
        str(events_a[0].pk),
        "admin_detail",
        "clinic_admin",
        adam.clinic_id,
    )


@pytest.mark.parametrize("suffix", ["change/", "history/"])
def test_another_clinics_event_is_a_404_and_a_denied_event_not_a_redirect(
    staff_client, adam, events_b, suffix
):
    other = events_b[0]

    response = staff_client(adam).get(f"{LIST_URL}{other.pk}/{suffix}")

    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    denied = AuditEvent.objects.get(allowed=False)
    assert (
        denied.action,
        denied.object_type,
        denied.object_id,
        denied.detail,
        denied.actor_role,
        denied.clinic_id,
    ) == (
        "read",
        "audit_report",
        str(other.pk),
        "not_found_in_clinic",
        "clinic_admin",
        adam.clinic_id,
    )


def test_a_nul_character_in_the_audit_admin_search_is_a_400(staff_client, adam, events_a):
    response = staff_client(adam).get(LIST_URL, {"q": "adam\x00"})

    assert response.status_code == 400
    assert response.content == b"Null characters are not allowed in the address."
