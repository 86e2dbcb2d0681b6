"""The clinic finder (contract 2.5): distances against a haversine computed here, radius bounds,
unknown ZIP, filters and ordering, for the service, the page and the API."""

from __future__ import annotations

import math

import pytest
import zipcodes
from django.core.exceptions import ValidationError

from ketacare.public.finder import find_clinics
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db


def centroid(zip_code: str) -> tuple[float, float]:
    found = zipcodes.matching(zip_code)[0]
    return float(found["lat"]), float(found["long"])


def miles_between(zip_a: str, zip_b: str) -> float:
    """Haversine on a sphere of mean radius 3958.8 miles, written out independently."""
    (lat1, lon1), (lat2, lon2) = centroid(zip_a), centroid(zip_b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(h))


@pytest.fixture
def oregon_clinics():
    return {
        "downtown": ClinicFactory(
            name="Downtown", zip_code="97205", city="", state="", esketamine_rems_certified=True
        ),
        "west": ClinicFactory(
            name="West Hills",
            zip_code="97229",
            city="",
            state="",
            offers_esketamine_nasal=False,
            accepting_new_patients=False,
        ),
        "salem": ClinicFactory(
            name="Salem", zip_code="97301", city="", state="", offers_iv_ketamine=False
        ),
        "seattle": ClinicFactory(name="Seattle", zip_code="98101", city="", state=""),
        "chicago": ClinicFactory(name="Chicago", zip_code="60611", city="", state=""),
    }


def test_distances_match_an_independent_haversine_and_nearest_comes_first(oregon_clinics):
    found = find_clinics(zip_code="97205", radius_miles=200)
    names = [m.clinic.name for m in found.items]
    assert names == ["Downtown", "West Hills", "Salem", "Seattle"]
    for match in found.items:
        expected = round(miles_between("97205", match.clinic.zip_code), 1)
        assert match.distance_miles == pytest.approx(expected, abs=0.05)
    assert found.items[0].distance_miles == 0.0
    assert 30 < found.items[2].distance_miles < 60  # Portland to Salem


def test_radius_cuts_at_the_exact_distance(oregon_clinics):
    salem = miles_between("97205", "97301")
    inside = find_clinics(zip_code="97205", radius_miles=math.ceil(salem))
    outside = find_clinics(zip_code="97205", radius_miles=math.floor(salem))
    assert "Salem" in [m.clinic.name for m in inside.items]
    assert "Salem" not in [m.clinic.name for m in outside.items]


def test_default_radius_is_25_miles(oregon_clinics):
    found = find_clinics(zip_code="97205")
    assert found.radius_miles == 25
    assert [m.clinic.name for m in found.items] == ["Downtown", "West Hills"]


@pytest.mark.parametrize("radius", [0, 501, -3, "ten", "2.5", "²", "٣"])
def test_radius_outside_1_to_500_is_refused_by_name(radius):
    with pytest.raises(ValidationError) as raised:
        find_clinics(zip_code="97205", radius_miles=radius)
    assert "1 to 500 miles" in raised.value.message_dict["radius_miles"][0]


@pytest.mark.parametrize("radius", [1, 500])
def test_radius_bounds_are_accepted(radius, oregon_clinics):
    assert find_clinics(zip_code="97205", radius_miles=radius).radius_miles == radius


@pytest.mark.parametrize("zip_code", ["00000", "9720", "abcde", "", "972055"])
def test_unknown_zip_is_refused_by_name(zip_code):
    with pytest.raises(ValidationError) as raised:
        find_clinics(zip_code=zip_code)
    assert raised.value.message_dict["zip"] == [
        "We could not find that ZIP code. Please check the 5 digits."
    ]


def test_filters_route_accepting_and_rems(oregon_clinics):
    def names(**filters):
        return [
            m.clinic.name for m in find_clinics(zip_code="97205", radius_miles=60, **filters).items
        ]

    assert names() == ["Downtown", "West Hills", "Salem"]
    assert names(route="iv_ketamine") == ["Downtown", "West Hills"]
    assert names(route="esketamine_nasal") == ["Downtown", "Salem"]
    assert names(accepting_only=True) == ["Downtown", "Salem"]
    assert names(rems_only=True) == ["Downtown"]
    with pytest.raises(ValidationError) as raised:
        names(route="intramuscular")
    assert "route" in raised.value.message_dict


def test_a_clinic_far_in_longitude_but_same_latitude_is_not_in_the_box(oregon_clinics):
    # Chicago is 1,700 miles away: even a 500-mile search never reads it.
    assert "Chicago" not in [
        m.clinic.name for m in find_clinics(zip_code="97205", radius_miles=500).items
    ]


def test_the_demo_clinic_is_found_at_zero_miles_from_97205():
    from ketacare.clinics.demo import DEMO_CLINICS
    from ketacare.clinics.services import create_clinic

    spec = DEMO_CLINICS[0]
    create_clinic(
        name=spec.name, address_line=spec.address_line, zip_code=spec.zip_code, phone=spec.phone
    )
    match = find_clinics(zip_code="97205").items[0]
    assert match.clinic.name == "Maple Street Ketamine Clinic (demo)"
    assert match.distance_miles == 0.0


# --- page and API --------------------------------------------------------------------------


def test_page_lists_nearest_first_with_distance(client, oregon_clinics):
    response = client.get("/clinics/", {"zip": "97205", "radius_miles": "60"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Downtown") < body.index("West Hills") < body.index("Salem")
    salem = round(miles_between("97205", "97301"), 1)
    assert f"{salem:.1f} miles" in body
    assert f'href="/clinics/{oregon_clinics["downtown"].pk}/"' in body


def test_page_says_unknown_zip_and_radius_out_of_range(client):
    response = client.get("/clinics/", {"zip": "00000", "radius_miles": "900"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "We could not find that ZIP code" in body
    assert "Choose a distance from 1 to 500 miles" in body


def test_a_superscript_radius_is_a_message_not_a_500(client):
    response = client.get("/clinics/", {"zip": "97205", "radius_miles": "²"})
    assert response.status_code == 422
    assert "1 to 500 miles" in response.content.decode()
    api = client.get("/api/v1/public/clinics", {"zip": "97205", "radius_miles": "²"})
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"][-1] == "radius_miles"


def test_page_without_a_zip_is_the_search_form(client):
    response = client.get("/clinics/")
    assert response.status_code == 200
    assert 'name="zip"' in response.content.decode()


def test_api_answers_the_contract_fields(client, oregon_clinics):
    response = client.get("/api/v1/public/clinics", {"zip": "97205", "radius_miles": "60"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["items"][0]
    assert set(first) == {
        "id",
        "name",
        "address",
        "city",
        "state",
        "zip",
        "phone",
        "routes",
        "accepting_new_patients",
        "rems_certified",
        "distance_miles",
    }
    assert first["name"] == "Downtown"
    assert first["city"] == "Portland" and first["state"] == "OR"
    assert first["routes"] == ["iv_ketamine", "esketamine_nasal"]
    assert first["rems_certified"] is True
    distances = [item["distance_miles"] for item in body["items"]]
    assert distances == sorted(distances)
    assert all(round(d, 1) == d for d in distances)


def test_api_unknown_zip_422_names_zip(client):
    response = client.get("/api/v1/public/clinics", {"zip": "00000"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "zip"]
    radius = client.get("/api/v1/public/clinics", {"zip": "97205", "radius_miles": "0"})
    assert radius.status_code == 422
    assert radius.json()["detail"][0]["loc"] == ["query", "radius_miles"]


def test_api_rate_limit_is_429(client, monkeypatch):
    from django.core.cache import cache

    from ketacare.public import limits

    cache.clear()
    monkeypatch.setitem(limits.LIMITS, "finder", 2)
    codes = [client.get("/api/v1/public/clinics", {"zip": "97205"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/clinics/", {"zip": "97205"}).status_code == 429
