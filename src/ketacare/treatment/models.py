"""Treatment plans, their signed dose orders and the sessions they schedule.

The chair-side record of a session (pre-dose, dose, readings, discharge) is added to
`TreatmentSession` by the sessions issue; this module holds what the desk plans.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ketacare.clinical.protocols import choose_intervals
from ketacare.clinics.models import Route


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class TreatmentPlan(models.Model):
    """A protocol (versioned data in `ketacare.clinical.protocols`) applied to one patient.

    Created only over the latest signed review for the protocol's route being `eligible`.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    protocol = models.CharField(max_length=60)
    route = models.CharField(max_length=20, choices=Route.choices)
    start = models.DateField()
    clinic_days = models.JSONField()
    # The prescriber's interval, in days, of each phase whose protocol offers a choice (reference
    # 1.3: esketamine maintenance every 2 weeks or weekly), as the clinical core checked it:
    # `{"maintenance": 7}`. Every such phase is stored, the default too, so the plan keeps what
    # was signed; `{}` for a protocol without a choice (and for plans made before the field,
    # whose schedules used the protocol's defaults). Moves judge the frequency by it.
    every_days = models.JSONField(default=dict, blank=True)
    review = models.ForeignKey(
        "screening.EligibilityReview", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["patient_id", "-created_at", "-pk"]
        constraints = [
            # One course at a time (KetaCare policy, docs/treatment.md): the service refuses a
            # second active plan; the database refuses it too, whatever writes the row.
            models.UniqueConstraint(
                fields=["clinic", "patient"],
                condition=models.Q(status="active"),
                name="treatment_plan_one_active_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"treatment plan {self.pk}"

    @property
    def intervals(self) -> dict[str, int]:
        """The interval in days of every phase of the protocol that offers a choice: the plan's,
        else the protocol's default (a plan made before the choice was stored)."""
        defaults = choose_intervals(self.protocol)
        return {name: int(self.every_days.get(name, days)) for name, days in defaults.items()}

    @property
    def current_order(self) -> DoseOrder | None:
        """The latest signed order (from prefetched orders when there are: no query then)."""
        orders = list(self.orders.all())
        return max(orders, key=lambda order: order.number) if orders else None


class DoseOrder(models.Model):
    """One signed version of a plan's dose order; a change is a new signed version.

    IV: `dose_mg_per_kg` over `duration_min` (optionally `concentration_mg_per_ml`); esketamine
    and oral: `dose_mg`. Limits are the clinical core's (DOSE-*), checked by the service.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="orders")
    number = models.PositiveSmallIntegerField(default=1)
    dose_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    duration_min = models.PositiveSmallIntegerField(null=True, blank=True)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    dose_mg = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # The clinical core's alerts at signing (`rule`, `level`, `message`): what the prescriber
    # saw and signed over, e.g. the DOSE-IV-MGKG warning or the esketamine label notes.
    alerts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="dose_order_plan_number_unique")
        ]

    def __str__(self) -> str:
        return f"dose order {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A signed order never changes: a change is a new signed version that supersedes it.
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise SignedOrderIsFinal
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    @property
    def summary(self) -> str:
        """The order as one line: `0.5 mg/kg over 40 min` (IV) or `56 mg`."""
        if self.dose_mg_per_kg is not None:
            text = f"{_number(self.dose_mg_per_kg)} mg/kg over {self.duration_min} min"
            if self.concentration_mg_per_ml is not None:
                text += f" at {_number(self.concentration_mg_per_ml)} mg/mL"
            return text
        return f"{self.dose_mg} mg"


def _number(value: Decimal | str) -> str:
    """0.50 -> 0.5, 40.00 -> 40: the number as a prescriber writes it."""
    return format(Decimal(str(value)).normalize(), "f")


class SignedOrderIsFinal(Exception):
    """Raised on any attempt to change a signed dose order."""

    def __init__(self) -> None:
        super().__init__("A signed dose order never changes; sign a new version instead.")


class SessionStatus(models.TextChoices):
    """contracts.md 2.3: scheduled → in_chair → dosed → discharged; or cancelled."""

    SCHEDULED = "scheduled", "Scheduled"
    IN_CHAIR = "in_chair", "In chair"
    DOSED = "dosed", "Dosed"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"


class TreatmentSession(models.Model):
    """One session of a plan, on a date; moved or cancelled only with a reason (history kept)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=30)
    date = models.DateField()
    # The date the schedule first gave it, so moves can be shown and frequency warnings explained.
    planned_date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    dose_text = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    change_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "time", "pk"]
        indexes = [
            models.Index(fields=["clinic", "date"]),
            models.Index(fields=["clinic", "patient", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="session_plan_number_unique")
        ]

    def __str__(self) -> str:
        return f"treatment session {self.pk}"
