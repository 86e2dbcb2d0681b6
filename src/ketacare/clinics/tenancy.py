"""Tenancy: who is acting for which clinic, and querysets that never leave that clinic.

Every read of clinic data starts from the acting `Membership`:

- `acting_membership(request)` resolves it. A user may belong to several clinics; the active
  one is kept in the session (`switch_clinic`), falling back to the first active membership.
- `membership_required(permission, object_type=...)` guards a view: no membership is a 403
  page telling the user to ask their clinic admin, a role without the permission a 403, both
  audited as denied. A page whose URL names an object (`in_path=InPath(...)`) first finds it in
  the acting clinic (`scoped_get`: another clinic's or a missing id is a 404), then asks the
  role, as the API does: across clinics the answer is 404 whatever the role.
- `scoped(queryset, membership)` narrows any queryset of a model carrying a clinic to the
  membership's clinic (an empty queryset without a membership: deny by default).
- `scoped_get(queryset, membership, object_id, object_type=...)` reads one row that way, or
  answers 404 as `deny_not_found` does.
- `require_role(membership, permission, ...)` is the role check of queries and services: a
  role without the permission is a denied audit event and a 403.
- `get_patient_row_for(queryset, membership, object_id, ...)` is the two in that order for a
  row of a patient's record (plan, session, alert, form...), its read audited unless the
  caller records its own event.
- `deny_not_found(...)` records the denied audit event for a lookup that found nothing in the
  acting clinic and returns the Http404 to raise; 404, not 403, so existence does not leak.

Every denial is written by `ketacare.audit.services.record_denied`, which keeps it even when the
caller's transaction rolls back with the error that follows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Manager, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied, record_event
from ketacare.clinics.compiled import CompiledRead
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

logger = logging.getLogger(__name__)

ACTIVE_CLINIC_SESSION_KEY = "ketacare_active_clinic_id"
_MEMBERSHIPS_ATTR = "_ketacare_memberships"
_ACTING_ATTR = "_ketacare_acting_membership"

M = TypeVar("M", bound=Model)


# --- the acting membership -------------------------------------------------------------


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """The user's active memberships, clinic joined, in a stable order (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    memberships: list[Membership] = _MEMBERSHIPS.objects(user.pk)
    for membership in memberships:
        # The request's user is this user: spare record_event a query for membership.user.
        membership.user = user  # type: ignore[assignment]
    return memberships


def _active_memberships(user_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user_id, is_active=True)
        .select_related("clinic")
        .order_by("clinic__name", "clinic_id")
    )


# `memberships_of`'s query, compiled once per connection and then only run: every signed-in
# page asks it, and compiling it (a join, an ordering by the clinic's name) cost more than
# running it. Its rows become models as the ORM makes them, the clinic joined.
_MEMBERSHIPS = CompiledRead("clinics.memberships_of", Membership, _active_memberships, 1)


def user_memberships(request: HttpRequest) -> list[Membership]:
    """All active memberships of the request's user, loaded once per request."""
    cached = getattr(request, _MEMBERSHIPS_ATTR, None)
    if cached is None:
        cached = memberships_of(request.user)
        setattr(request, _MEMBERSHIPS_ATTR, cached)
    return cached


def acting_membership(request: HttpRequest) -> Membership | None:
    """The membership the user is acting under now, or None (no clinic: deny everything)."""
    if hasattr(request, _ACTING_ATTR):
        return getattr(request, _ACTING_ATTR)
    memberships = user_memberships(request)
    chosen = None
    session = getattr(request, "session", None)
    wanted = session.get(ACTIVE_CLINIC_SESSION_KEY) if session is not None else None
    if wanted is not None:
        chosen = next((m for m in memberships if m.clinic_id == wanted), None)
    if chosen is None and memberships:
        chosen = memberships[0]
    setattr(request, _ACTING_ATTR, chosen)
    return chosen


def switch_clinic(request: HttpRequest, clinic_id: int) -> Membership:
    """Make `clinic_id` the active clinic; 404 unless the user holds an active membership there.

    A refusal is a denied READ of that clinic, filed under the clinic the user acts for (with
    their role there), so their own clinic's audit report shows the attempt.
    """
    membership = next((m for m in user_memberships(request) if m.clinic_id == clinic_id), None)
    if membership is None:
        record_denied(
            action=Action.READ,
            membership=acting_membership(request),
            user=request.user,
            object_type="clinic",
            object_id=clinic_id or "",
            reason="not_a_member",
        )
        raise Http404("No such clinic.")
    request.session[ACTIVE_CLINIC_SESSION_KEY] = membership.clinic_id
    setattr(request, _ACTING_ATTR, membership)
    return membership


# --- scoping ---------------------------------------------------------------------------


def scoped(
    queryset: QuerySet[M] | Manager[M],
    membership: Membership | None,
    *,
    clinic_field: str = "clinic",
) -> QuerySet[M]:
    """`queryset` narrowed to the membership's clinic; empty without an active membership.

    `clinic_field` is the lookup path to the clinic for models that reach it through a
    relation (e.g. "patient__clinic").
    """
    qs = queryset.all()
    if membership is None or not membership.is_active:
        return qs.none()
    return qs.filter(**{f"{clinic_field}_id": membership.clinic_id})


def scoped_get(
    queryset: QuerySet[M] | Manager[M],
    membership: Membership | None,
    object_id: object,
    *,
    object_type: str,
    action: Action | str = Action.READ,
) -> M:
    """The row `object_id` of `queryset` in the membership's clinic; otherwise (another clinic's,
    none, or no id at all) the denied event of `deny_not_found` and its 404."""
    pk = parse_id(object_id)
    found = scoped(queryset, membership).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise deny_not_found(
            membership=membership, object_type=object_type, object_id=object_id, action=action
        )
    return found


def get_patient_row_for(
    queryset: QuerySet[M] | Manager[M],
    membership: Membership | None,
    object_id: object,
    *,
    object_type: str,
    permission: Permission,
    action: Action | str = Action.READ,
    audit_read: bool = True,
) -> M:
    """The row `object_id` of `queryset` (a model of one patient's record) in the membership's
    clinic, for a role granted `permission`.

    Looked up first, so another clinic's row is a 404 whatever the role (`scoped_get`); in the
    clinic, a role without `permission` is a 403 (`require_role`); both audited. With
    `audit_read` the read itself is recorded; services that go on to change the row pass False
    and record their own event.
    """
    found = scoped_get(queryset, membership, object_id, object_type=object_type, action=action)
    patient_id = found.patient_id  # type: ignore[attr-defined]
    require_role(
        membership,
        permission,
        action=action,
        object_type=object_type,
        object_id=found.pk,
        patient_id=patient_id,
    )
    if audit_read:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type=object_type,
            object_id=found.pk,
            patient_id=patient_id,
        )
    return found


# --- denied lookups --------------------------------------------------------------------


def deny_not_found(
    *,
    membership: Membership | None,
    object_type: str,
    object_id: object,
    user: AbstractBaseUser | AnonymousUser | None = None,
    action: Action | str = Action.READ,
    patient_id: int | None = None,
) -> Http404:
    """Record the denied event for a lookup outside the acting clinic; return the 404 to raise.

    `object_id` is often a URL segment or a form value, i.e. typed text (a name, a birth date):
    only a parsed id reaches the audit trail and the log; anything else is recorded as an empty
    object id with the flag `non_numeric_id`.
    """
    pk = parse_id(object_id)
    reason = "not_found_in_clinic" if pk is not None else "not_found_in_clinic non_numeric_id"
    record_denied(
        action=action,
        membership=membership,
        user=user,
        object_type=object_type,
        object_id=pk if pk is not None else "",
        patient_id=patient_id,
        reason=reason,
    )
    logger.info(
        "denied %s %s=%s for user %s",
        action,
        object_type,
        pk if pk is not None else "non_numeric_id",
        membership.user_id if membership is not None else getattr(user, "pk", None),
    )
    return Http404(f"No {object_type} with that id.")


def require_role(
    membership: Membership | None,
    permission: Permission,
    *,
    action: Action | str,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
    message: str = "",
) -> Membership:
    """The membership, if its role grants `permission`; else a denied `action` on `object_type`
    (`role_lacks:<permission>`, the object's id only if it is one) and PermissionDenied (403)
    with `message`, by default naming the permission."""
    if membership is not None and has_permission(membership, permission):
        return membership
    pk = parse_id(object_id)
    record_denied(
        action=action,
        membership=membership,
        object_type=object_type,
        object_id=pk if pk is not None else "",
        patient_id=patient_id,
        reason=f"role_lacks:{permission.value}",
    )
    raise PermissionDenied(message or f"Your role does not allow {permission.value}.")


def parse_id(raw: object) -> int | None:
    """An object id from a URL or form: a positive integer, or None."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


# --- view guard ------------------------------------------------------------------------

# A GET or HEAD only reads the object it names, whatever the page would do with a POST.
_READING_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class InPath:
    """The object a page's URL names: the view's keyword argument `kwarg` holds the id of a
    `model` row (a model carrying a clinic), audited as `object_type`."""

    model: type[Model]
    kwarg: str
    object_type: str


def membership_required(
    permission: Permission,
    *,
    object_type: str,
    action: Action | str = Action.READ,
    in_path: InPath | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Guard a view: logged in, acting for a clinic, with a role granting `permission`.

    The view receives the acting membership as the keyword argument `membership`. A refusal is
    recorded as a denied `action` on `object_type`: detail `no_membership` (403 page asking the
    user to see their clinic admin) or `role_lacks:<permission>` (403 naming role and clinic).

    With `in_path` the object of the URL is looked up in the acting clinic BEFORE the role is
    asked (as the API does): another clinic's or a missing id is `scoped_get`'s 404 and denied
    event (`action`, or a read for GET and HEAD) whatever the role, so a 403 never tells an
    outsider that the id exists; a role refused inside the clinic is audited with the id.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = acting_membership(request)
            if membership is None:
                record_denied(
                    action=action,
                    user=request.user,
                    object_type=object_type,
                    reason="no_membership",
                )
                return render(request, "clinics/no_membership.html", status=403)
            object_id: object = ""
            if in_path is not None:
                raw_id = kwargs.get(in_path.kwarg)
                pk = parse_id(raw_id)
                # Only whether it is in the clinic: the view reads what it shows itself.
                if pk is None or not (
                    scoped(in_path.model._default_manager, membership).filter(pk=pk).exists()
                ):
                    raise deny_not_found(
                        membership=membership,
                        object_type=in_path.object_type,
                        object_id=raw_id,
                        action=Action.READ if request.method in _READING_METHODS else action,
                    )
                object_id = pk
            if not has_permission(membership, permission):
                record_denied(
                    action=action,
                    membership=membership,
                    object_type=object_type,
                    object_id=object_id,
                    reason=f"role_lacks:{permission.value}",
                )
                return render(
                    request,
                    "clinics/forbidden.html",
                    {"membership": membership, "permission": permission},
                    status=403,
                )
            return view(request, *args, membership=membership, **kwargs)

        return wrapper

    return decorator
