"""The public clinic finder (contracts.md 2.5): clinics near a US ZIP code, nearest first.

    found = find_clinics(zip_code="97205", radius_miles=25, route="iv_ketamine")
    found.place                   # the ZIP's centroid (city, state)
    found.items                   # [ClinicMatch(clinic, distance_miles)], nearest first

Distances are between ZIP centroids (offline `zipcodes` data, `ketacare.clinics.geo`). The clinics
table may hold every clinic of the country, so the database first keeps the clinics inside a
latitude/longitude box around the ZIP (an indexable range filter), and only those few get the
exact haversine distance in Python. Clinic listings are public facts, not patient data: the
finder reads no patient record and writes no audit event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from ketacare.clinics.geo import EARTH_RADIUS_MILES, ZipPlace, distance_miles, place_for_zip
from ketacare.clinics.models import Clinic, Route

RADIUS_MIN_MILES = 1
RADIUS_MAX_MILES = 500
RADIUS_DEFAULT_MILES = 25
UNKNOWN_ZIP = "We could not find that ZIP code. Please check the 5 digits."
RADIUS_OUT_OF_RANGE = (
    f"Choose a distance from {RADIUS_MIN_MILES} to {RADIUS_MAX_MILES} miles "
    f"(the usual is {RADIUS_DEFAULT_MILES})."
)
# The box is widened a little so rounding of stored coordinates never drops a clinic at the edge.
_BOX_MARGIN = 1.01


@dataclass(frozen=True, slots=True)
class ClinicMatch:
    clinic: Clinic
    distance_miles: float  # to 0.1 mile

    def as_document(self) -> dict[str, object]:
        clinic = self.clinic
        return {
            "id": clinic.pk,
            "name": clinic.name,
            "address": clinic.address_line,
            "city": clinic.city,
            "state": clinic.state,
            "zip": clinic.zip_code,
            "phone": clinic.phone,
            "routes": clinic.routes,
            "accepting_new_patients": clinic.accepting_new_patients,
            "rems_certified": clinic.esketamine_rems_certified,
            "distance_miles": self.distance_miles,
        }


@dataclass(frozen=True, slots=True)
class FinderResult:
    place: ZipPlace
    radius_miles: int
    items: tuple[ClinicMatch, ...]


def check_search(
    *, zip_code: object, radius_miles: object, route: object = None
) -> tuple[ZipPlace, int, str | None]:
    """The search's ZIP place, radius and route, or one ValidationError naming each bad field
    (`zip`, `radius_miles`, `route`)."""
    errors: dict[str, str] = {}
    place = place_for_zip(zip_code.strip()) if isinstance(zip_code, str) else None
    if place is None:
        errors["zip"] = UNKNOWN_ZIP
    if radius_miles is None or radius_miles == "":
        radius_miles = RADIUS_DEFAULT_MILES
    radius = _whole_number(radius_miles)
    if radius is None or not RADIUS_MIN_MILES <= radius <= RADIUS_MAX_MILES:
        errors["radius_miles"] = RADIUS_OUT_OF_RANGE
    if route in (None, ""):
        route = None
    elif route not in Route.values:
        errors["route"] = f"route must be one of {', '.join(Route.values)}."
    if errors:
        raise ValidationError(errors)
    assert place is not None and radius is not None  # noqa: S101 - narrowed by the checks above
    return place, radius, route if isinstance(route, str) else None


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # ASCII digits only: str.isdigit() is also true of "²", which int() refuses.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def find_clinics(
    *,
    zip_code: object,
    radius_miles: object = RADIUS_DEFAULT_MILES,
    route: object = None,
    accepting_only: bool = False,
    rems_only: bool = False,
) -> FinderResult:
    """Clinics within `radius_miles` of the ZIP's centroid, nearest first (then by name), each
    with its distance to 0.1 mile; filters: a route offered, accepting new patients, certified
    for the esketamine REMS. Bad input is a ValidationError naming the field."""
    place, radius, wanted_route = check_search(
        zip_code=zip_code, radius_miles=radius_miles, route=route
    )
    candidates = _within_box(place, radius)
    if wanted_route is not None:
        candidates = candidates.filter(**{f"offers_{wanted_route}": True})
    if accepting_only:
        candidates = candidates.filter(accepting_new_patients=True)
    if rems_only:
        candidates = candidates.filter(esketamine_rems_certified=True)
    origin = (float(place.latitude), float(place.longitude))
    matches = []
    for clinic in candidates:
        assert clinic.latitude is not None and clinic.longitude is not None  # noqa: S101
        miles = distance_miles(*origin, float(clinic.latitude), float(clinic.longitude))
        if miles <= radius:
            matches.append((miles, clinic))
    matches.sort(key=lambda pair: (pair[0], pair[1].name, pair[1].pk))
    return FinderResult(
        place=place,
        radius_miles=radius,
        items=tuple(ClinicMatch(clinic, round(miles, 1)) for miles, clinic in matches),
    )


def _within_box(place: ZipPlace, radius: int) -> QuerySet[Clinic]:
    """Clinics inside the latitude/longitude box that holds the circle of `radius` miles."""
    latitude = float(place.latitude)
    longitude = float(place.longitude)
    lat_delta = math.degrees(radius / EARTH_RADIUS_MILES) * _BOX_MARGIN
    box = Q(
        latitude__isnull=False,
        longitude__isnull=False,
        latitude__gte=_decimal(latitude - lat_delta),
        latitude__lte=_decimal(latitude + lat_delta),
    )
    cos_lat = math.cos(math.radians(min(89.0, abs(latitude) + lat_delta)))
    lon_delta = lat_delta / cos_lat if cos_lat > 0 else 360.0
    west, east = longitude - lon_delta, longitude + lon_delta
    # Near the poles or across the 180th meridian the longitude band is left to the exact check.
    if lon_delta < 180 and west >= -180 and east <= 180:
        box &= Q(longitude__gte=_decimal(west), longitude__lte=_decimal(east))
    return Clinic.objects.filter(box).order_by()


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")
