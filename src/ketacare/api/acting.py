"""Which of the caller's memberships an API endpoint acts under (contracts.md 2.0).

The acting clinic is the clinic of the object in the path: `membership_for_object` finds the
caller's membership there. An endpoint without an object in its path (a clinic's list, a create)
takes `clinic_id`, and `membership_for_clinic` resolves it. Both read the caller's memberships
once per request (`ketacare.clinics.tenancy.user_memberships`: a bearer token sets
`request.user` too) and record every refusal as a denied audit event.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from ninja.errors import ValidationError as NinjaValidationError

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied
from ketacare.clinics.models import Membership
from ketacare.clinics.tenancy import acting_membership, deny_not_found, parse_id, user_memberships

SEVERAL_CLINICS = "You work for several clinics: name the clinic with clinic_id."
NO_CLINIC = "Your account is not a member of any clinic."

# What a left-out `clinic_id` means:
# - "only": the caller's only clinic; several is a 422 on `clinic_id`, none a 403;
# - "session": the clinic a browser session acts for; for a bearer token, as "only" but none
#   falls to the role check (403);
# - "acting": the acting membership, whatever the caller holds.


def _in_clinic_of(request: HttpRequest, model: type[Model], object_id: object) -> Membership | None:
    """The caller's membership in the clinic of `model` `object_id`; None when it is in none of
    their clinics or does not exist. Only the clinic of the object is read."""
    memberships = user_memberships(request)
    pk = parse_id(object_id)
    if pk is None or not memberships:
        return None
    clinic_id = (
        model._default_manager.filter(pk=pk, clinic_id__in=[m.clinic_id for m in memberships])
        .values_list("clinic_id", flat=True)
        .first()
    )
    return next((m for m in memberships if m.clinic_id == clinic_id), None)


def membership_for_object(
    request: HttpRequest, model: type[Model], object_id: object
) -> Membership | None:
    """The caller's membership in the clinic of `model` `object_id`, else the acting one, under
    which the app's scoped read answers 404 with its denied audit event."""
    return _in_clinic_of(request, model, object_id) or acting_membership(request)


def membership_for_object_or_404(
    request: HttpRequest,
    model: type[Model],
    object_id: object,
    *,
    object_type: str,
    action: Action,
) -> Membership:
    """The caller's membership in the clinic of `model` `object_id`; otherwise a 404 here, with
    a denied `action` on `object_type` filed under the acting membership."""
    found = _in_clinic_of(request, model, object_id)
    if found is None:
        raise deny_not_found(
            membership=acting_membership(request),
            user=request.user,
            object_type=object_type,
            object_id=object_id,
            action=action,
        )
    return found


def membership_for_clinic(
    request: HttpRequest,
    clinic_id: int | None,
    *,
    location: Literal["body", "query"],
    action: Action = Action.READ,
    object_type: str = "",
) -> Membership:
    """The caller's membership in `clinic_id`: a clinic they do not belong to is a 404 with a
    denied event. Left out (contracts.md 2.0: optional when the caller acts for one clinic), it
    is the caller's only clinic, or in a browser session the clinic chosen there; a token of
    several clinics gets a 422 naming `[location, "clinic_id"]`, a caller of no clinic a 403
    (a denied `action` on `object_type`)."""
    memberships = user_memberships(request)
    if clinic_id is not None:
        found = next((m for m in memberships if m.clinic_id == clinic_id), None)
        if found is None:
            raise deny_not_found(
                membership=acting_membership(request),
                user=request.user,
                object_type="clinic",
                object_id=clinic_id,
                action=action,
            )
        return found
    if not memberships:
        record_denied(
            action=action, user=request.user, object_type=object_type, reason="no_membership"
        )
        raise PermissionDenied(NO_CLINIC)
    acting = acting_membership(request)
    if acting is not None and (len(memberships) == 1 or not hasattr(request, "api_token")):
        return acting
    raise NinjaValidationError([{"loc": [location, "clinic_id"], "msg": SEVERAL_CLINICS}])
