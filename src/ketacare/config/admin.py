"""The admin site: for clinic admins of the acting clinic (and platform operators), MFA passed.

Ordinary staff have no `is_staff`; access follows the acting membership instead: a clinic_admin
membership (permission `use_admin`) or a superuser, in a session that passed MFA. A signed-in
user without that gets a 403 page (and a denied audit event), not Django's admin login form;
anonymous visitors go to KetaCare's own login page, which runs MFA and lockout.

Every 403 inside the admin is a denied audit event too, with the action the page would have
done (`attempted_action`): opening an add page is a `create`, a delete page a `delete`, any other
POST an `update`, the rest a `read`. A history page answers 403 before looking the object up, so
it does not tell someone who may not see it whether the id exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ketacare.accounts.services import mfa_satisfied
from ketacare.audit.models import Action
from ketacare.audit.services import record_denied
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership, parse_id
from ketacare.config.admin_filters import StrictChangelistMixin

_ATTEMPT_ATTR = "_ketacare_admin_attempt"


def _attempt_of(view: Callable[..., HttpResponse], request: HttpRequest) -> Action:
    name = getattr(view, "__name__", "")
    if name == "add_view":
        return Action.CREATE
    if name == "delete_view":
        return Action.DELETE
    if request.method == "POST":
        if name == "changelist_view" and request.POST.get("action") == "delete_selected":
            return Action.DELETE
        return Action.UPDATE
    return Action.READ


def attempted_action(request: HttpRequest) -> Action:
    """What the admin page of this request would do: the action of its audit events."""
    return getattr(request, _ATTEMPT_ATTR, Action.READ)


class KetaCareAdminSite(admin.AdminSite):
    site_header = "KetaCare admin"
    site_title = "KetaCare admin"
    index_title = "Clinic administration"
    enable_nav_sidebar = False

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        # The admins of other apps (users, TOTP devices, axes) get the strict changelist too.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, StrictChangelistMixin):
            admin_class = type(
                admin_class.__name__,
                (StrictChangelistMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated and mfa_satisfied(request)):
            return False
        return bool(user.is_superuser) or has_permission(
            acting_membership(request), Permission.USE_ADMIN
        )

    def admin_view(
        self, view: Callable[..., HttpResponse], cacheable: bool = False
    ) -> Callable[..., HttpResponse]:
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            setattr(request, _ATTEMPT_ATTR, _attempt_of(view, request))
            if not self.has_permission(request):
                return self.forbidden(request)
            model_admin = getattr(view, "__self__", None)
            try:
                if (
                    isinstance(model_admin, admin.ModelAdmin)
                    and getattr(view, "__name__", "") == "history_view"
                    and not model_admin.has_view_or_change_permission(request)
                ):
                    # Django looks the object up first and says "doesn't exist" for a missing
                    # id, a 403 for an existing one: refuse before the lookup instead.
                    raise PermissionDenied
                return guarded(request, *args, **kwargs)
            except PermissionDenied:
                # simple-history's old-version page passes the object id positionally.
                object_id = kwargs.get("object_id", args[0] if args else None)
                self.record_forbidden(request, model_admin, view, object_id)
                raise

        return update_wrapper(inner, guarded)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return self.forbidden(request)

    def forbidden(self, request: HttpRequest) -> HttpResponse:
        membership = acting_membership(request)
        record_denied(
            action=attempted_action(request),
            membership=membership,
            user=request.user,
            object_type="admin_site",
            reason="role" if membership is not None else "no_membership",
        )
        return render(
            request, "clinics/admin_forbidden.html", {"membership": membership}, status=403
        )

    def record_forbidden(
        self,
        request: HttpRequest,
        model_admin: Any,
        view: Callable[..., HttpResponse],
        object_id: object,
    ) -> None:
        """The denied event of a 403 raised by an admin page (Django's PermissionDenied).

        The object type is the admin's audit type, else the model's name; the object id only
        when the address holds a number (typed text never reaches the trail).
        """
        object_type = "admin_site"
        patient_id = None
        pk = parse_id(object_id) if object_id is not None else None
        if isinstance(model_admin, admin.ModelAdmin):
            object_type = getattr(model_admin, "audit_object_type", "") or (
                model_admin.model._meta.model_name
            )
            if getattr(model_admin, "audit_patient_id", False):
                patient_id = pk
        page = getattr(view, "__name__", "").removesuffix("_view") or "page"
        record_denied(
            action=attempted_action(request),
            membership=acting_membership(request),
            user=request.user,
            object_type=object_type,
            object_id=pk if pk is not None else "",
            patient_id=patient_id,
            reason=f"admin_forbidden:{page}",
        )
