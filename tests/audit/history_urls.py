"""The project's URLs plus one test-only view that edits a patient through a request."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.config.urls import urlpatterns as project_urlpatterns
from ketacare.patients.models import Patient


def rename_patient(request: HttpRequest, pk: int) -> HttpResponse:
    # Stand-in for the patient service of a later issue: change, history row and audit event
    # in one transaction.
    with transaction.atomic(durable=True):
        patient = Patient.objects.select_for_update().get(pk=pk)
        patient.family_name = request.POST["family_name"]
        patient.version += 1
        patient.save()
        record_event(
            action=Action.UPDATE,
            user=request.user,
            clinic_id=patient.clinic_id,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
            detail=f"version={patient.version} history={patient.history.latest().history_id}",
        )
    return HttpResponse("saved")


urlpatterns = [path("test-only/patients/<int:pk>/rename/", rename_patient), *project_urlpatterns]
