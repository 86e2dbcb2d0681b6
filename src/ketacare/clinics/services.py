"""Use cases that change clinics and memberships (keyword-only, one transaction, audited)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Clinic, Route

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def create_clinic(
    *,
    name: str,
    address_line: str,
    zip_code: str,
    phone: str,
    city: str = "",
    state: str = "",
    routes: Iterable[str] = (),
    accepting_new_patients: bool = True,
    esketamine_rems_certified: bool = False,
    by: AbstractBaseUser | None = None,
) -> Clinic:
    """Create a clinic; latitude/longitude (and a blank city/state) come from the ZIP.

    Opening a clinic is a platform operator's act: `by` is a superuser, or None for the
    command line. An unknown ZIP or route is a ValidationError naming the field.
    """
    if by is not None and not getattr(by, "is_superuser", False):
        raise PermissionDenied("Only a platform operator may create a clinic.")
    wanted = set(routes)
    unknown = sorted(wanted - set(Route.values))
    if unknown:
        raise ValidationError(
            {"routes": f"Unknown route(s): {', '.join(unknown)}."}, code="unknown_route"
        )
    clinic = Clinic(
        name=name,
        address_line=address_line,
        city=city,
        state=state,
        zip_code=zip_code,
        phone=phone,
        accepting_new_patients=accepting_new_patients,
        esketamine_rems_certified=esketamine_rems_certified,
        **{f"offers_{route}": route in wanted for route in Route.values},
    )
    # City and state may be left to the ZIP; field validation would refuse them blank first.
    clinic.fill_from_zip()
    clinic.full_clean()
    with transaction.atomic(durable=True):
        clinic.save()
        record_event(
            action=Action.CREATE,
            user=by,
            clinic_id=clinic.pk,
            object_type="clinic",
            object_id=clinic.pk,
        )
    return clinic
