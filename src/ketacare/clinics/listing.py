"""A clinic's public listing (what the clinic finder and the clinic page show), edited by its
own clinic admins (CHANGE_CLINIC).

    clinic = listing_for(membership, clinic_id)           # 404 across clinics, 403 without role
    update_listing(membership=m, clinic_id=..., address_line=..., zip_code=..., phone=...,
                   routes=[...], accepting_new_patients=True, esketamine_rems_certified=False)

City, state, latitude and longitude always come from the ZIP (offline data), so the finder's
distances and the address agree. The clinic has no `version`: two admins saving at once, the
last save wins (the row is locked while it is written, so one save never mixes with another).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.geo import place_for_zip
from ketacare.clinics.models import Clinic, Membership, Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found, parse_id, require_role

OBJECT_TYPE = "clinic"
LISTING_FIELDS = (
    "address_line",
    "zip_code",
    "city",
    "state",
    "phone",
    *(f"offers_{route}" for route in Route.values),
    "accepting_new_patients",
    "esketamine_rems_certified",
)
ADDRESS_MAX_CHARS = 200
PHONE_MAX_CHARS = 30
# Digits with the usual separators; at least 7 digits, so "call us" is never a phone number.
_PHONE_RE = re.compile(r"^\+?[0-9 ().\-]{7,30}$")


def listing_for(membership: Membership | None, clinic_id: object, *, action: str) -> Clinic:
    """The clinic `clinic_id` if it is the membership's own; another clinic's or a missing one is
    a 404 (audited), then a role without CHANGE_CLINIC a 403 (audited)."""
    pk = parse_id(clinic_id)
    if membership is None or pk is None or pk != membership.clinic_id:
        raise deny_not_found(
            membership=membership, object_type=OBJECT_TYPE, object_id=clinic_id, action=action
        )
    require_role(
        membership, Permission.CHANGE_CLINIC, action=action, object_type=OBJECT_TYPE, object_id=pk
    )
    return Clinic.objects.get(pk=pk)


def update_listing(
    *,
    membership: Membership | None,
    clinic_id: object,
    address_line: str,
    zip_code: str,
    phone: str,
    routes: Iterable[str],
    accepting_new_patients: bool,
    esketamine_rems_certified: bool,
) -> Clinic:
    """Change the listing; one audit event naming the changed fields (names only, no values).
    Bad input is one ValidationError naming every bad field; nothing is saved then."""
    listing_for(membership, clinic_id, action=Action.UPDATE)
    assert membership is not None  # noqa: S101 - listing_for refused None
    wanted = set(routes)
    errors: dict[str, str] = {}
    address = (address_line or "").strip()
    if not address:
        errors["address_line"] = "Enter the street address."
    elif len(address) > ADDRESS_MAX_CHARS:
        errors["address_line"] = f"The address must be at most {ADDRESS_MAX_CHARS} characters."
    zip_clean = (zip_code or "").strip()
    place = place_for_zip(zip_clean)
    if place is None:
        errors["zip_code"] = "We could not find that ZIP code. Enter a 5-digit US ZIP code."
    phone_clean = (phone or "").strip()
    if not _PHONE_RE.fullmatch(phone_clean):
        errors["phone"] = "Enter a phone number: digits, with spaces, dashes or brackets."
    unknown = sorted(wanted - set(Route.values))
    if unknown:
        errors["routes"] = f"Unknown route(s): {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    assert place is not None  # noqa: S101 - checked above
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=membership.clinic_id)
        before = {name: getattr(clinic, name) for name in LISTING_FIELDS}
        clinic.address_line = address
        clinic.zip_code = zip_clean
        clinic.city = place.city
        clinic.state = place.state
        clinic.phone = phone_clean
        for route in Route.values:
            setattr(clinic, f"offers_{route}", route in wanted)
        clinic.accepting_new_patients = bool(accepting_new_patients)
        clinic.esketamine_rems_certified = bool(esketamine_rems_certified)
        changed = [name for name in LISTING_FIELDS if getattr(clinic, name) != before[name]]
        if changed:
            clinic.save()  # save() fills latitude and longitude from the ZIP
            record_event(
                action=Action.UPDATE,
                membership=membership,
                object_type=OBJECT_TYPE,
                object_id=clinic.pk,
                detail="listing fields=" + ",".join(changed),
            )
    return clinic
