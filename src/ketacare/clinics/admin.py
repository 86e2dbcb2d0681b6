"""Admin for clinic admins: everything scoped to the acting clinic, every access audited.

`ClinicScopedAdmin` is the base of every admin holding clinic data (patients, memberships, the
clinic itself). A clinic admin sees and edits only the acting clinic's rows: the changelist is
scoped, a direct URL to another clinic's object is a 404 with a denied audit event, foreign-key
choices list only their clinic. Superusers (platform operators) see everything and are audited
the same way. Channel "admin" comes from the audit middleware (the /admin/ prefix).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse

from ketacare.audit.models import Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership, deny_not_found, parse_id, scoped
from ketacare.config.admin import attempted_action
from ketacare.config.admin_filters import StrictChangelistMixin

READ_ONLY_METHODS = ("GET", "HEAD")


class ClinicScopedAdmin(StrictChangelistMixin, admin.ModelAdmin):
    #: the audit object type ("patient", "membership", ...); lists are audited as "<type>_list".
    audit_object_type: str = ""
    #: the lookup path from the model to its clinic.
    clinic_field: str = "clinic"
    #: True when the object id is a patient id (fills the audit event's patient_id).
    audit_patient_id: bool = False
    view_permission: Permission | None = None
    add_permission: Permission | None = None
    change_permission: Permission | None = None
    delete_permission: Permission | None = None
    #: superusers may hard-delete (clinic admins never: records are deactivated instead).
    superuser_may_delete: bool = False
    #: the detail of the READ event written when one object is opened.
    read_detail: str = ""

    # --- who ------------------------------------------------------------------------------

    def membership(self, request: HttpRequest) -> Membership | None:
        return acting_membership(request)

    def _allows(self, request: HttpRequest, permission: Permission | None, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        membership = self.membership(request)
        if permission is None or not has_permission(membership, Permission.USE_ADMIN):
            return False
        if not has_permission(membership, permission):
            return False
        return obj is None or self.clinic_id_of(obj) == membership.clinic_id  # type: ignore[union-attr]

    def clinic_id_of(self, obj: Any) -> int | None:
        return getattr(obj, f"{self.clinic_field}_id", None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allows(request, self.view_permission)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allows(request, self.view_permission, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allows(request, self.add_permission)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allows(request, self.change_permission, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return self.superuser_may_delete
        return self._allows(request, self.delete_permission, obj)

    # --- what -----------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scoped(qs, self.membership(request), clinic_field=self.clinic_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == self.clinic_field and not request.user.is_superuser:
            membership = self.membership(request)
            clinic_id = membership.clinic_id if membership is not None else None
            kwargs["queryset"] = Clinic.objects.filter(pk=clinic_id)
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        membership = self.membership(request)
        if membership is not None and not request.user.is_superuser:
            initial.setdefault(self.clinic_field, membership.clinic_id)
        return initial

    # --- audit ----------------------------------------------------------------------------

    def audit(
        self,
        request: HttpRequest,
        *,
        action: Action,
        obj: Model | None = None,
        object_type: str | None = None,
        detail: str = "",
    ) -> None:
        membership = self.membership(request)
        clinic_id = self.clinic_id_of(obj) if obj is not None else None
        if request.user.is_superuser and (membership is None or membership.clinic_id != clinic_id):
            # A platform operator acts outside any membership: the event names the object's clinic.
            record_event(
                action=action,
                user=request.user,
                clinic_id=clinic_id,
                object_type=object_type or self.audit_object_type,
                object_id=obj.pk if obj is not None else "",
                patient_id=obj.pk if obj is not None and self.audit_patient_id else None,
                detail=detail,
            )
            return
        record_event(
            action=action,
            membership=membership,
            object_type=object_type or self.audit_object_type,
            object_id=obj.pk if obj is not None else "",
            patient_id=obj.pk if obj is not None and self.audit_patient_id else None,
            detail=detail,
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        attempt = attempted_action(request)
        if obj is None:
            # Django would redirect to the index ("perhaps it was deleted?"): a 404 leaks nothing.
            raise deny_not_found(
                membership=self.membership(request),
                user=request.user,
                action=attempt,
                object_type=self.audit_object_type,
                object_id=object_id,
                patient_id=parse_id(object_id) if self.audit_patient_id else None,
            )
        # Every answer but a write shows the object: GET and HEAD (the only other methods the
        # admin accepts, ketacare.web.middleware.AdminMethodsMiddleware) are audited reads;
        # a page about to be refused shows nothing (the site records the refusal instead).
        if request.method != "POST" and self._may_attempt(request, attempt, obj):
            self.audit(request, action=Action.READ, obj=obj, detail=self.read_detail)
        return obj

    def _may_attempt(self, request: HttpRequest, attempt: Action, obj: Any) -> bool:
        if attempt == Action.DELETE:
            return self.has_delete_permission(request, obj)
        return self.has_view_or_change_permission(request, obj)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        refused = refuse_unless_read(request)
        return refused or super().history_view(request, object_id, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if isinstance(response, TemplateResponse) and changelist is not None:
            self.audit_list(request, changelist)
        return response

    def audit_list(self, request: HttpRequest, changelist: Any) -> None:
        """One READ event for the page of the list shown; the search text (?q=) may be a name,
        so only counts are recorded, and for patients the ids of those shown."""
        object_type = f"{self.audit_object_type}_list"
        detail = (
            f"page={changelist.page_num} shown={len(changelist.result_list)} "
            f"total={changelist.result_count}"
        )
        if not self.audit_patient_id:
            self.audit(request, action=Action.READ, object_type=object_type, detail=detail)
            return
        membership = self.membership(request)
        rows = list(changelist.result_list)
        if not request.user.is_superuser:
            record_list_read(
                membership=membership,
                object_type=object_type,
                ids=[r.pk for r in rows],
                detail=detail,
            )
            return
        # A platform operator's list spans clinics: one event per clinic shown, so each clinic's
        # audit report finds the views of its own patients (the counts are the whole page's).
        by_clinic: dict[int | None, list[int]] = {}
        for row in rows:
            by_clinic.setdefault(self.clinic_id_of(row), []).append(row.pk)
        for clinic_id, ids in by_clinic.items() or [(None, [])]:
            own = membership is not None and membership.clinic_id == clinic_id
            record_list_read(
                membership=membership if own else None,
                user=None if own else request.user,
                clinic_id=clinic_id,
                object_type=object_type,
                ids=ids,
                detail=detail,
            )

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        # The admin wraps this in its own transaction: the event commits or rolls back with it.
        super().save_model(request, obj, form, change)
        changed = ",".join(sorted(form.changed_data))
        self.audit(
            request,
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
            detail=f"fields={changed}" if change else "",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.audit(request, action=Action.DELETE, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.audit(request, action=Action.DELETE, obj=obj)
        super().delete_queryset(request, queryset)


def refuse_unless_read(request: HttpRequest) -> HttpResponse | None:
    """A 405 for a write to a page that only shows (history): such a page has no write."""
    if request.method in READ_ONLY_METHODS:
        return None
    return HttpResponseNotAllowed(
        READ_ONLY_METHODS, "Method not allowed.", content_type="text/plain; charset=utf-8"
    )


class MembershipForm(forms.ModelForm):
    acting_membership_id: int | None = None

    class Meta:
        model = Membership
        fields = ["user", "clinic", "role", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        own = self.instance.pk is not None and self.instance.pk == self.acting_membership_id
        if own and (data.get("role") != Role.CLINIC_ADMIN or not data.get("is_active")):
            raise forms.ValidationError(
                "You cannot remove your own admin access; ask another clinic admin.",
                code="own_admin_access",
            )
        return data


@admin.register(Membership)
class MembershipAdmin(ClinicScopedAdmin):
    audit_object_type = "membership"
    view_permission = Permission.MANAGE_MEMBERSHIPS
    # Read-only here: inviting, role changes, deactivation and authenticator resets go through
    # the Staff pages (ketacare.staff.services), which keep the clinic's last admin and audit
    # each change with its details.
    change_permission = None
    add_permission = None
    superuser_may_delete = True
    form = MembershipForm
    list_display = ("user", "role", "is_active", "clinic", "created_at")
    list_filter = ("role", "is_active")
    list_select_related = ("user", "clinic")
    search_fields = ("user__username",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if request.user.is_superuser:
            return ()
        return ("user", "clinic")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        membership = self.membership(request)
        form.acting_membership_id = membership.pk if membership is not None else None
        return form


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    audit_object_type = "clinic"
    view_permission = Permission.CHANGE_CLINIC
    change_permission = Permission.CHANGE_CLINIC
    list_display = ("name", "city", "state", "zip_code", "accepting_new_patients")
    readonly_fields = ("latitude", "longitude", "created_at")
    fields = (
        "name",
        "address_line",
        "city",
        "state",
        "zip_code",
        "latitude",
        "longitude",
        "phone",
        "offers_iv_ketamine",
        "offers_esketamine_nasal",
        "offers_oral_ketamine",
        "accepting_new_patients",
        "esketamine_rems_certified",
        "created_at",
    )

    def clinic_id_of(self, obj: Any) -> int | None:
        return obj.pk

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Opening a clinic is a platform operator's act.
        return bool(request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        membership = self.membership(request)
        return qs.filter(pk=membership.clinic_id) if membership is not None else qs.none()
