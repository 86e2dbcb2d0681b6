"""A clinic's public page: its listing, the intake form section, 404 for an unknown clinic."""

from __future__ import annotations

import pytest
from django.utils.http import urlencode

from ketacare.public.self_check import parse_self_check, run_self_check, sign_self_check
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_listing_and_the_request_section(client):
    clinic = ClinicFactory(
        name="Riverside Ketamine",
        address_line="12 River Road",
        zip_code="97205",
        city="",
        state="",
        phone="(503) 555-0199",
        offers_oral_ketamine=True,
        esketamine_rems_certified=True,
    )
    response = client.get(f"/clinics/{clinic.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "<h1>Riverside Ketamine</h1>",
        "12 River Road",
        "Portland, OR 97205",
        'href="tel:5035550199"',
        "IV ketamine infusions",
        "Esketamine nasal spray",
        "Oral ketamine",
        "Certified in the esketamine REMS program",
        "Accepting new patients",
        'id="request"',
    ):
        assert text in body, text


def test_a_clinic_not_certified_nor_accepting_says_so(client):
    clinic = ClinicFactory(esketamine_rems_certified=False, accepting_new_patients=False)
    body = client.get(f"/clinics/{clinic.pk}/").content.decode()
    assert "Not certified in the esketamine REMS program" in body
    assert "Not accepting new patients" in body


def test_an_unknown_clinic_is_404(client):
    assert client.get("/clinics/987654/").status_code == 404


def test_a_self_check_in_the_link_reaches_the_intake_form(client):
    clinic = ClinicFactory()
    result = run_self_check(
        parse_self_check(
            {
                "route": "iv_ketamine",
                "age": 40,
                "phq9": [2, 2, 2, 2, 1, 1, 2, 1, 0],
                "antidepressants_tried": 2,
                "conditions": [],
                "pregnant": False,
                "breastfeeding": False,
            }
        )
    )
    token = sign_self_check(result)
    body = client.get(f"/clinics/{clinic.pk}/", {"self_check": token}).content.decode()
    assert f'value="{token}"' in body


def test_finder_links_carry_a_valid_self_check_and_drop_a_forged_one(client):
    clinic = ClinicFactory(zip_code="97205", city="", state="")
    result = run_self_check(
        parse_self_check(
            {
                "route": "not_sure",
                "age": 40,
                "phq9": [1] * 9,
                "antidepressants_tried": None,
                "conditions": [],
                "pregnant": False,
                "breastfeeding": False,
            }
        )
    )
    token = sign_self_check(result)
    body = client.get("/clinics/", {"zip": "97205", "self_check": token}).content.decode()
    assert f"/clinics/{clinic.pk}/?{urlencode({'self_check': token})}" in body
    forged = client.get("/clinics/", {"zip": "97205", "self_check": "x" + token}).content.decode()
    assert f'href="/clinics/{clinic.pk}/"' in forged
