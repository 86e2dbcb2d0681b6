"""What every chart record shares: its clinic (the tenant key), its patient, who recorded it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChartRecord(models.Model):
    """Abstract: a row of a patient's chart.

    `clinic` repeats the patient's clinic on purpose: every table with patient data carries its
    tenant key, so each query is scoped without a join and the table can be sharded by clinic.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Never clinical text: str() ends up in logs and admin messages.
        return f"{self._meta.verbose_name} {self.pk}"
