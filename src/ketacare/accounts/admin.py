"""Read-only views of API tokens and demo accounts, for superusers only.

Tokens belong to people, not clinics, so a clinic admin never sees them here (they would show
other clinics' user names). Tokens are issued and revoked with `ketacare token`, which audits.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ketacare.accounts.models import ApiToken, DemoAccount


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserReadOnlyAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_select_related = ("user",)
    search_fields = ("prefix",)
    exclude = ("secret_sha256",)


@admin.register(DemoAccount)
class DemoAccountAdmin(SuperuserReadOnlyAdmin):
    list_display = ("user", "created_at")
    list_select_related = ("user",)
