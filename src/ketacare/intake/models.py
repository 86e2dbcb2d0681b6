"""Intake requests: people who asked a clinic for an evaluation, and where each one stands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

# How the person wants to be reached: the same choice the patient record keeps.
from ketacare.patients.models import PreferredContact


class IntakeStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    EVALUATION_SCHEDULED = "evaluation_scheduled", "Evaluation scheduled"
    CLOSED = "closed", "Closed"


# Where a request may still move, and where it may be registered as a patient: every status
# but closed (docs/intake.md, "Statuses").
OPEN_STATUSES = frozenset(
    {IntakeStatus.NEW, IntakeStatus.CONTACTED, IntakeStatus.EVALUATION_SCHEDULED}
)


class IntakeSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    PUBLIC = "public", "Public intake form"


class IntakeRequest(models.Model):
    """One request in a clinic's queue (contracts.md 2.5): new → contacted → evaluation
    scheduled → closed with a reason. Registering the patient keeps the link both ways."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=IntakeSource.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=PreferredContact.choices)
    best_time = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    # The anonymous self-check the person chose to attach (public side), as submitted.
    self_check = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=30, choices=IntakeStatus.choices, default=IntakeStatus.NEW)
    closed_reason = models.CharField(max_length=300, blank=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "status", "-created_at"])]
        constraints = [
            # The clinic must be able to answer: an e-mail address or a phone number, or both.
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="intake_request_has_contact",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=IntakeStatus.CLOSED) | ~models.Q(closed_reason=""),
                name="intake_request_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"intake request {self.pk}"
