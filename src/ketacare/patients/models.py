"""The patient record: one patient belongs to exactly one clinic."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from ketacare.clinics.models import Clinic


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(
        max_length=10, choices=[("female", "Female"), ("male", "Male"), ("unknown", "Unknown")]
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_clinic_mrn_unique")
        ]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]
        ordering = ["family_name", "given_name", "pk"]

    def __str__(self) -> str:
        # Never a name: str() ends up in logs and admin messages.
        return f"patient {self.pk}"
