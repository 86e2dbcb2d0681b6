"""The clinical history of a patient: weights, office vitals, allergies, medications, conditions
and the antidepressant-trial ledger (clinical-reference.md 2.1, ELIG-TRD)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from ketacare.clinical.eligibility import CONDITION_CODES
from ketacare.patients.models.base import ChartRecord

CONDITION_CHOICES = [(code, code.replace("_", " ")) for code in CONDITION_CODES]


class WeightMeasurement(ChartRecord):
    """One weight; the latest is the chart's weight and the IV dose's default."""

    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    measured_on = models.DateField()

    class Meta:
        ordering = ["patient_id", "-measured_on", "-pk"]
        indexes = [models.Index(fields=["clinic", "patient", "-measured_on"])]


class OfficeVitals(ChartRecord):
    """Vitals taken outside a session; the eligibility screen uses the latest blood pressure."""

    at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField("SpO2", null=True, blank=True)

    class Meta:
        ordering = ["patient_id", "-at", "-pk"]
        indexes = [models.Index(fields=["clinic", "patient", "-at"])]
        verbose_name_plural = "office vitals"


class Allergy(ChartRecord):
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(
        max_length=10,
        choices=[("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")],
        blank=True,
    )
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["patient_id", "substance", "pk"]
        verbose_name_plural = "allergies"


class MedicationClass(models.TextChoices):
    """The classes the eligibility and monitoring rules ask about (ELIG-CNS-DEP, ELIG-STIMULANT,
    ELIG-MAOI; SAFE-CNS-DEP), plus antidepressants and everything else."""

    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    OTHER_SEDATIVE = "other_sedative", "Other sedative"
    OPIOID = "opioid", "Opioid"
    STIMULANT = "stimulant", "Psychostimulant"
    MAOI = "maoi", "MAO inhibitor"
    ANTIDEPRESSANT = "antidepressant", "Antidepressant"
    OTHER = "other", "Other"


class Medication(ChartRecord):
    """A current (or stopped) medication; a stopped one stays in the chart with its stop date."""

    name = models.CharField(max_length=200)
    medication_class = models.CharField(max_length=20, choices=MedicationClass.choices)
    dose = models.CharField(max_length=100, blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["patient_id", "name", "pk"]


class Condition(ChartRecord):
    """A condition by the reference's screening code; resolving it keeps the row (history)."""

    code = models.CharField(max_length=50, choices=CONDITION_CHOICES)
    onset_on = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["patient_id", "code", "pk"]
        constraints = [
            # At most one active (unresolved) row per code and patient.
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=models.Q(resolved_on__isnull=True),
                name="condition_one_active_per_code",
            )
        ]


class TrialAdherence(models.TextChoices):
    GOOD = "good", "Good"
    PARTIAL = "partial", "Partial"
    POOR = "poor", "Poor"
    UNKNOWN = "unknown", "Unknown"


class TrialOutcome(models.TextChoices):
    NONRESPONSE = "nonresponse", "No response"
    PARTIAL_RESPONSE = "partial_response", "Partial response"
    RESPONSE = "response", "Response"
    INTOLERANCE = "intolerance", "Stopped for intolerance"


class AntidepressantTrial(ChartRecord):
    """One antidepressant trial. ELIG-TRD counts current-episode trials that were adequate and
    failed (reference 2.1); the count is derived, never typed in."""

    drug = models.CharField(max_length=100)
    daily_dose_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    weeks = models.PositiveSmallIntegerField()
    adherence = models.CharField(
        max_length=10, choices=TrialAdherence.choices, default=TrialAdherence.UNKNOWN
    )
    adequate = models.BooleanField()
    outcome = models.CharField(max_length=20, choices=TrialOutcome.choices)
    current_episode = models.BooleanField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["patient_id", "pk"]
