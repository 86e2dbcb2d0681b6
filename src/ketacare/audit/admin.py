"""The audit trail in the admin: read-only, and only the events of the acting clinic.

No add, change or delete permission for anyone (not even a superuser); no bulk actions. Like
every other admin page and the audit report, a user sees the events of the clinic they act for
(`ketacare.clinics.tenancy.acting_membership`), provided their role there grants
`view_audit_report`; a superuser sees all. Opening the list or an event is itself audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from ketacare.audit.models import REPORT_OBJECT_TYPE, Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership


def _audited_clinic_ids(request: HttpRequest) -> list[int]:
    """The acting clinic, when the role there may read its audit trail; else none."""
    membership = acting_membership(request)
    if membership is None or not has_permission(membership, Permission.VIEW_AUDIT_REPORT):
        return []
    return [membership.clinic_id]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "occurred_at",
        "actor_username",
        "actor_role",
        "clinic_id",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "channel",
        "allowed",
    )
    list_filter = ("action", "channel", "allowed")
    search_fields = ("=actor_username", "=object_id", "=patient_id")
    date_hierarchy = "occurred_at"
    ordering = ("-pk",)
    actions = None
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        # Whether the user reaches the admin at all is the admin site's decision (config/admin.py).
        if not (user.is_active and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        clinic_ids = _audited_clinic_ids(request)
        if obj is not None:
            return obj.clinic_id in clinic_ids
        return bool(clinic_ids)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(clinic_id__in=_audited_clinic_ids(request))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            for clinic_id in [None] if request.user.is_superuser else _audited_clinic_ids(request):
                record_event(
                    action=Action.READ,
                    user=request.user,
                    clinic_id=clinic_id,
                    object_type=REPORT_OBJECT_TYPE,
                    detail="admin_list",
                )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            event = (
                self.get_queryset(request)
                .filter(pk=object_id)
                .values_list("clinic_id", flat=True)
                .first()
            )
            record_event(
                action=Action.READ,
                user=request.user,
                clinic_id=event,
                object_type=REPORT_OBJECT_TYPE,
                object_id=object_id,
                detail="admin_detail",
            )
        return response
