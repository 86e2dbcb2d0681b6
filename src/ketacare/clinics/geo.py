"""US ZIP code centroids from the offline `zipcodes` data (no network at run time)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import zipcodes

# ASCII digits only: `zipcodes` panics (a BaseException, not a ValueError) on other digits
# such as "١٢٣٤٥", which `\d` would let through.
_ZIP_RE = re.compile(r"[0-9]{5}")
EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    latitude: Decimal
    longitude: Decimal


@lru_cache(maxsize=4096)
def place_for_zip(zip_code: str) -> ZipPlace | None:
    """The centroid of a 5-digit US ZIP, or None when the ZIP is malformed or unknown."""
    if not isinstance(zip_code, str) or not _ZIP_RE.fullmatch(zip_code):
        return None
    matches = zipcodes.matching(zip_code)
    if not matches:
        return None
    found = matches[0]
    return ZipPlace(
        zip_code=zip_code,
        city=found.get("city", ""),
        state=found.get("state", ""),
        latitude=Decimal(found["lat"]).quantize(Decimal("0.000001")),
        longitude=Decimal(found["long"]).quantize(Decimal("0.000001")),
    )


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance; ZIP centroids make anything finer pointless."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))
