"""Page markup the phone layout relies on: patient rows link to the chart, dates are <time>
elements, the audit report shows the main nav once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_each_patient_row_links_to_the_patients_chart(staff_client, alice, patient_a):
    body = staff_client(alice).get("/").content.decode()

    name = f"{patient_a.family_name}, {patient_a.given_name}"
    assert f'<a href="/patients/{patient_a.pk}/">{name}</a>' in body


def test_the_birth_date_is_a_time_element_in_iso_form(staff_client, alice, patient_a):
    body = staff_client(alice).get("/").content.decode()

    iso = patient_a.date_of_birth.isoformat()
    assert f'<time datetime="{iso}">{iso}</time>' in body


def test_the_htmx_fragment_carries_the_same_links(staff_client, alice, patient_a):
    body = staff_client(alice).get("/", headers={"HX-Request": "true"}).content.decode()

    assert f'href="/patients/{patient_a.pk}/"' in body


def test_the_audit_report_shows_each_nav_link_once(staff_client, audrey):
    body = staff_client(audrey).get("/audit/").content.decode()

    nav = body.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert nav.count('href="/"') == 1
    assert nav.count('href="/audit/"') == 1
