"""Rating-scale results in the chart, scored by the clinical core (`ketacare score`)."""

from __future__ import annotations

from django.db import models

from ketacare.patients.models.base import ChartRecord

INSTRUMENT_CHOICES = [
    ("phq9", "PHQ-9"),
    ("phq2", "PHQ-2"),
    ("gad7", "GAD-7"),
    ("madrs", "MADRS"),
    ("qids_sr16", "QIDS-SR16"),
    ("cssrs_screener", "C-SSRS screener"),
    ("cadss", "CADSS"),
    ("moaas", "MOAA/S"),
]


class AssessmentSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    PATIENT_LINK = "patient_link", "Answered by the patient (link)"


class Assessment(ChartRecord):
    """One completed scale: the answers as given and the score the clinical core computed."""

    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    answers = models.JSONField()
    total = models.IntegerField(null=True, blank=True)
    severity = models.CharField(max_length=30, blank=True)
    flags = models.JSONField(default=list)
    completed_at = models.DateTimeField()
    source = models.CharField(
        max_length=20, choices=AssessmentSource.choices, default=AssessmentSource.STAFF
    )

    class Meta:
        ordering = ["patient_id", "-completed_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "patient", "instrument", "-completed_at"])]
