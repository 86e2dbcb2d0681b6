"""The audit trail in the admin: read-only, and only the events of the acting clinic.

No add, change or delete permission for anyone (not even a superuser); no bulk actions. The admin
site itself admits only roles granting `use_admin` (clinic admins) and superusers
(config/admin.py); auditors read the trail on the /audit/ report page instead. Like every other
admin page, a clinic admin sees the events of the clinic they act for
(`ketacare.clinics.tenancy.acting_membership`), provided their role there grants
`view_audit_report`; a superuser sees all. It is a `ClinicScopedAdmin`, so it behaves like the
other admins: another clinic's event is a 404 with a denied audit event, and opening the list or
an event is itself audited under the acting membership (with its role).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ketacare.audit.models import REPORT_OBJECT_TYPE, Action, AuditEvent
from ketacare.clinics.admin import ClinicScopedAdmin
from ketacare.clinics.permissions import Permission, has_permission


@admin.register(AuditEvent)
class AuditEventAdmin(ClinicScopedAdmin):
    audit_object_type = REPORT_OBJECT_TYPE
    clinic_field = "clinic"  # AuditEvent.clinic_id is a plain integer column
    view_permission = Permission.VIEW_AUDIT_REPORT
    read_detail = "admin_detail"
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

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        if not has_permission(self.membership(request), Permission.VIEW_AUDIT_REPORT):
            return events.none()
        return events

    def audit_list(self, request: HttpRequest, changelist: Any) -> None:
        self.audit(request, action=Action.READ, object_type=REPORT_OBJECT_TYPE, detail="admin_list")
