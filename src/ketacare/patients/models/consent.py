"""Signed consent documents; the latest of each document answers "consent current"."""

from __future__ import annotations

from django.db import models

from ketacare.patients.models.base import ChartRecord


class Consent(ChartRecord):
    """A consent the patient signed: a record, never edited (a new signature is a new row)."""

    document = models.CharField(max_length=100)
    version = models.CharField(max_length=30)
    signed_on = models.DateField()
    # Who signed: the patient or a legal representative (their name as written on the form).
    signed_by = models.CharField(max_length=200, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["patient_id", "-signed_on", "-pk"]
