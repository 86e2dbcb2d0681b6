"""Clinic admins edit their own clinic's public listing (CHANGE_CLINIC); city, state and
coordinates come from the ZIP; another clinic's listing is a 404; every save is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.listing import update_listing
from ketacare.clinics.models import Clinic

pytestmark = pytest.mark.django_db


def listing(**changes):
    data = {
        "address_line": "9 New Street",
        "zip_code": "97205",
        "phone": "503-555-0123",
        "routes": ["iv_ketamine", "oral_ketamine"],
        "accepting_new_patients": False,
        "esketamine_rems_certified": True,
    }
    data.update(changes)
    return data


def test_admin_saves_and_city_state_coordinates_come_from_the_zip(adam, clinic_a):
    clinic = update_listing(membership=adam, clinic_id=clinic_a.pk, **listing())
    clinic.refresh_from_db()
    assert (clinic.city, clinic.state, clinic.zip_code) == ("Portland", "OR", "97205")
    assert clinic.latitude is not None and abs(clinic.latitude - Decimal("45.52")) < 1
    assert clinic.routes == ["iv_ketamine", "oral_ketamine"]
    assert clinic.accepting_new_patients is False
    assert clinic.esketamine_rems_certified is True
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="clinic").get()
    assert event.object_id == str(clinic_a.pk)
    assert "zip_code" in event.detail and "503" not in event.detail


@pytest.mark.parametrize("who", ["alice", "nora", "cora", "audrey"])
def test_other_roles_are_refused(who, request, clinic_a):
    membership = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        update_listing(membership=membership, clinic_id=clinic_a.pk, **listing())
    assert Clinic.objects.get(pk=clinic_a.pk).zip_code == "02115"


def test_another_clinics_listing_is_404_and_unchanged(bob, clinic_a):
    with pytest.raises(Http404):
        update_listing(membership=bob, clinic_id=clinic_a.pk, **listing())
    assert Clinic.objects.get(pk=clinic_a.pk).zip_code == "02115"
    assert AuditEvent.objects.filter(allowed=False, object_type="clinic").exists()


def test_bad_input_names_each_field_and_saves_nothing(adam, clinic_a):
    with pytest.raises(ValidationError) as raised:
        update_listing(
            membership=adam,
            clinic_id=clinic_a.pk,
            **listing(zip_code="00000", phone="call us", address_line=" ", routes=["im"]),
        )
    assert set(raised.value.message_dict) == {"zip_code", "phone", "address_line", "routes"}
    assert Clinic.objects.get(pk=clinic_a.pk).zip_code == "02115"
    assert not AuditEvent.objects.filter(action=Action.UPDATE, object_type="clinic").exists()


# --- the page ----------------------------------------------------------------------------


def test_page_for_the_admin_and_a_save(staff_client, adam, clinic_a):
    client = staff_client(adam)
    own = client.get("/staff/clinic/listing/")
    assert own.status_code == 302 and own["Location"] == f"/staff/clinic/{clinic_a.pk}/listing/"
    page = client.get(own["Location"])
    assert page.status_code == 200
    assert "Public listing of Clinic A" in page.content.decode()
    data = listing()
    response = client.post(own["Location"], {**data, "accepting_new_patients": ""})
    assert response.status_code == 302
    clinic_a.refresh_from_db()
    assert clinic_a.city == "Portland"


def test_page_bad_zip_is_422_naming_it(staff_client, adam, clinic_a):
    response = staff_client(adam).post(
        f"/staff/clinic/{clinic_a.pk}/listing/", listing(zip_code="00000")
    )
    assert response.status_code == 422
    assert "We could not find that ZIP code" in response.content.decode()


def test_page_refuses_other_roles_403_and_other_clinics_404(
    staff_client, nora, bob, clinic_a, clinic_b
):
    assert staff_client(nora).get(f"/staff/clinic/{clinic_a.pk}/listing/").status_code == 403
    assert staff_client(bob).get(f"/staff/clinic/{clinic_a.pk}/listing/").status_code == 404
    assert (
        staff_client(bob).post(f"/staff/clinic/{clinic_a.pk}/listing/", listing()).status_code
        == 404
    )
    assert staff_client(bob).get(f"/staff/clinic/{clinic_b.pk}/listing/").status_code == 200


def test_page_needs_sign_in(client, clinic_a):
    response = client.get(f"/staff/clinic/{clinic_a.pk}/listing/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
