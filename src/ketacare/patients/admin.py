"""Patient admin for clinic admins: their clinic only, every view and change audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from ketacare.clinics.admin import READ_ONLY_METHODS, ClinicScopedAdmin, refuse_unless_read
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found, parse_id, scoped
from ketacare.patients.forms import STALE_VERSION_CODE, PatientAdminForm
from ketacare.patients.models import Patient


@admin.register(Patient)
class PatientAdmin(ClinicScopedAdmin, SimpleHistoryAdmin):
    audit_object_type = "patient"
    audit_patient_id = True
    view_permission = Permission.VIEW_PATIENT
    add_permission = Permission.ADD_PATIENT
    change_permission = Permission.CHANGE_PATIENT
    # No delete: a patient leaves by being marked inactive (an audited change, history kept).
    delete_permission = None
    actions = None
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "is_active")
    list_filter = ("is_active",)
    search_fields = ("mrn", "family_name", "given_name")
    list_per_page = 25
    readonly_fields = ("version", "created_at", "updated_at")
    form = PatientAdminForm
    # The form's editable fields, then those only shown, then the version the editor loaded.
    fields = (*PatientAdminForm.Meta.fields, *readonly_fields, "loaded_version")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(self.readonly_fields)
        if obj is not None and not request.user.is_superuser:
            # A clinic admin cannot move a patient out of their clinic.
            fields = ("clinic", *fields)
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            # PatientAdminForm.clean checked (with the row locked) that this is the version the
            # editor loaded; a full save, not a queryset update, so simple-history records it.
            obj.version = form.cleaned_data["loaded_version"] + 1
        super().save_model(request, obj, form, change)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        adminform = (getattr(response, "context_data", None) or {}).get("adminform")
        if adminform is not None and adminform.form.has_error(
            NON_FIELD_ERRORS, code=STALE_VERSION_CODE
        ):
            # The form again, with the message and nothing saved: a conflict, as the API's 409.
            response.status_code = 409
        return response

    # --- history (django-simple-history) --------------------------------------------------

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any
    ) -> QuerySet[Any]:
        qs = super().get_history_queryset(request, history_manager, pk_name, object_id)
        if request.user.is_superuser:
            return qs
        return scoped(qs, self.membership(request))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        refused = refuse_unless_read(request)
        if refused is not None:
            return refused
        # simple-history falls back to the newest historical row when the live queryset has no
        # such patient, which would show another clinic's history: resolve in scope first.
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method not in READ_ONLY_METHODS:
            # Reverting would overwrite the record from an old version: not through the admin.
            raise PermissionDenied("Old versions are read-only.")
        patient = self.get_object(request, unquote(object_id))
        history = self.get_history_queryset(request, Patient.history, "id", patient.pk)
        if not history.filter(history_id=parse_id(version_id)).exists():
            raise deny_not_found(
                membership=self.membership(request),
                user=request.user,
                object_type="patient_version",
                object_id=version_id,
                patient_id=patient.pk,
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True
