"""A clinic's coordinates come from its ZIP (offline data); an unknown ZIP names the field."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.geo import distance_miles, place_for_zip
from ketacare.clinics.models import Clinic
from ketacare.clinics.services import create_clinic
from tests.factories import ClinicFactory, UserFactory


def test_saving_a_clinic_fills_latitude_and_longitude_from_the_zip(db):
    clinic = ClinicFactory(zip_code="02115")
    clinic.refresh_from_db()
    assert clinic.latitude == Decimal("42.342700")
    assert clinic.longitude == Decimal("-71.092200")


def test_changing_the_zip_moves_the_clinic(db):
    clinic = ClinicFactory(zip_code="02115")
    clinic.zip_code = "60611"
    clinic.save(update_fields=["zip_code"])
    clinic.refresh_from_db()
    assert (clinic.latitude, clinic.longitude) == (Decimal("41.897100"), Decimal("-87.622300"))


# Digits other than ASCII ones (Arabic-Indic, fullwidth) made the ZIP library panic: a 500.
NON_ASCII_DIGITS = ["\u0661\u0662\u0663\u0664\u0665", "0211\uff15"]


@pytest.mark.parametrize("zip_code", ["00000", "abcde", "1234", "", "02115\n", *NON_ASCII_DIGITS])
def test_an_unknown_zip_is_a_validation_error_naming_the_field(db, zip_code):
    with pytest.raises(ValidationError) as caught:
        ClinicFactory(zip_code=zip_code)
    assert list(caught.value.message_dict) == ["zip_code"]
    assert "is not a known 5-digit US ZIP code" in caught.value.message_dict["zip_code"][0]
    assert Clinic.objects.count() == 0


def test_create_clinic_fills_city_and_state_from_the_zip_and_audits(db):
    clinic = create_clinic(
        name="Test clinic",
        address_line="1 Way",
        zip_code="97205",
        phone="503-555-0199",
        routes=["iv_ketamine", "oral_ketamine"],
    )
    assert (clinic.city, clinic.state) == ("Portland", "OR")
    assert clinic.routes == ["iv_ketamine", "oral_ketamine"]
    assert clinic.latitude is not None
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id, event.clinic_id) == (
        Action.CREATE,
        "clinic",
        str(clinic.pk),
        clinic.pk,
    )


def test_create_clinic_refuses_an_unknown_zip_without_writing_anything(db):
    with pytest.raises(ValidationError) as caught:
        create_clinic(name="X", address_line="1 Way", zip_code="00000", phone="1")
    assert "zip_code" in caught.value.message_dict
    assert Clinic.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_create_clinic_refuses_an_unknown_route(db):
    with pytest.raises(ValidationError) as caught:
        create_clinic(name="X", address_line="1 Way", zip_code="97205", phone="1", routes=["tea"])
    assert caught.value.message_dict == {"routes": ["Unknown route(s): tea."]}


def test_only_a_platform_operator_may_create_a_clinic(db):
    with pytest.raises(PermissionDenied):
        create_clinic(name="X", address_line="1 Way", zip_code="97205", phone="1", by=UserFactory())
    assert Clinic.objects.count() == 0


def test_distance_between_two_zip_centroids_is_plausible():
    boston, chicago = place_for_zip("02115"), place_for_zip("60611")
    miles = distance_miles(
        float(boston.latitude),
        float(boston.longitude),
        float(chicago.latitude),
        float(chicago.longitude),
    )
    assert 840 < miles < 870


@pytest.mark.parametrize("zip_code", NON_ASCII_DIGITS)
def test_a_clinic_admin_typing_other_digits_gets_a_form_error(staff_client, adam, zip_code):
    clinic = adam.clinic
    form = {
        "name": clinic.name,
        "address_line": clinic.address_line,
        "city": clinic.city,
        "state": clinic.state,
        "zip_code": zip_code,
        "phone": clinic.phone,
    }

    response = staff_client(adam).post(
        reverse("admin:clinics_clinic_change", args=[clinic.pk]), form
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["zip_code"]
    clinic.refresh_from_db()
    assert clinic.zip_code == "02115"
