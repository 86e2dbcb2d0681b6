"""Scoped reads of eligibility reviews."""

from __future__ import annotations

from ketacare.patients.models import Patient
from ketacare.screening.models import EligibilityReview


def latest_signed_review(patient: Patient, route: str) -> EligibilityReview | None:
    """The patient's latest signed review for `route` (by signed_at, then pk), or None.

    The caller has already read `patient` through a scoped helper; the clinic filter keeps the
    lookup inside the patient's clinic all the same (and on the index clinic, patient, route).
    A treatment plan for the route needs this review to be `eligible` (contracts 2.2).
    """
    return (
        EligibilityReview.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, route=route
        )
        .order_by("-signed_at", "-pk")
        .first()
    )
