"""Signed eligibility reviews: never edited; a later review for the route supersedes it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketacare.clinics.models import Route


class ReviewDecision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class EligibilityReview(models.Model):
    """A prescriber's signed decision for one route, with the screen it was signed over.

    `screen` is the clinical core's output at signing time (the shape of `ketacare screen`),
    `chart_snapshot` the chart facts it was computed from, so the review can be read later
    exactly as the prescriber saw it. Rows are inserted once and never updated (SAFE-ABS-EXCLUSION:
    an `exclude` outcome cannot be signed eligible, enforced by the service).
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices)
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    screen_decision = models.CharField(max_length=20)
    screen = models.JSONField()
    chart_snapshot = models.JSONField(default=dict)
    # The prescriber's findings (free text) and their note; never copied into the audit trail.
    findings = models.TextField(blank=True)
    note = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["patient_id", "-signed_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "patient", "route", "-signed_at"])]
        constraints = [
            # SAFE-ABS-EXCLUSION, held by the database too: a screen with an exclusion is never
            # signed eligible, whatever path wrote the row.
            models.CheckConstraint(
                condition=~Q(decision=ReviewDecision.ELIGIBLE, screen_decision="not_eligible"),
                name="eligibility_review_no_eligible_over_exclusion",
            ),
        ]

    def __str__(self) -> str:
        return f"eligibility review {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A signed review never changes: a correction is a new review that supersedes it
        # (the database refuses UPDATE as well, migration 0002).
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise SignedReviewIsFinal
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)


class SignedReviewIsFinal(Exception):
    """Raised on any attempt to change a signed eligibility review."""

    def __init__(self) -> None:
        super().__init__("A signed eligibility review never changes; sign a new one instead.")
