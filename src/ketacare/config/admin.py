"""The admin site: for clinic admins of the acting clinic (and platform operators), MFA passed.

Ordinary staff have no `is_staff`; access follows the acting membership instead: a clinic_admin
membership (permission `use_admin`) or a superuser, in a session that passed MFA. A signed-in
user without that gets a 403 page (and a denied audit event), not Django's admin login form;
anonymous visitors go to KetaCare's own login page, which runs MFA and lockout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ketacare.accounts.services import mfa_satisfied
from ketacare.audit.models import Action
from ketacare.audit.services import record_denied
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership
from ketacare.config.admin_filters import StrictChangelistMixin


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
            if not self.has_permission(request):
                return self.forbidden(request)
            return guarded(request, *args, **kwargs)

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
            action=Action.READ,
            membership=membership,
            user=request.user,
            object_type="admin_site",
            reason="role" if membership is not None else "no_membership",
        )
        return render(
            request, "clinics/admin_forbidden.html", {"membership": membership}, status=403
        )
