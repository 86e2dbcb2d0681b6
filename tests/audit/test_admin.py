"""The audit trail in the admin: read-only, scoped to the clinics the user audits, audited."""

from __future__ import annotations

import pytest
from django.contrib import admin

from ketacare.audit.admin import AuditEventAdmin
from ketacare.audit.models import AuditEvent
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY
from tests.factories import MembershipFactory

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


def test_an_auditor_may_view_and_a_nurse_may_not(rf, model_admin, audrey, nora, events_a):
    assert model_admin.has_view_permission(_request(rf, audrey), events_a[0]) is True
    assert model_admin.has_view_permission(_request(rf, nora)) is False
    assert model_admin.has_module_permission(_request(rf, nora)) is False
    assert list(model_admin.get_queryset(_request(rf, nora))) == []


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
