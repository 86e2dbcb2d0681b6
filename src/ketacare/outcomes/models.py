"""Long-term results: when each scale is due, the links patients answer on their phones, the
e-mails that carried them, what patients report between sessions, and the alerts a clinician
must acknowledge.

Every row carries its clinic (the tenant key) and its patient. A timepoint is a row of data made
from the clinic's measurement schedule and the plan's sessions; the answer to it (an
`patients.Assessment`) is linked from the timepoint, so "PHQ-9 at the end of induction" is a query.
Medical decisions (scores, flags, outcome status) are the clinical core's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class PatientRow(models.Model):
    """Tenant key and the patient a row belongs to."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class MeasurementSchedule(models.Model):
    """A clinic's measurement schedule (defaults: docs/outcomes.md). One per clinic."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="measurement_schedule"
    )
    # Self-report scales go to the patient by link; clinician scales to the prescriber's worklist.
    patient_instruments = models.JSONField(default=list)
    clinician_instruments = models.JSONField(default=list)
    before_each_induction_session = models.BooleanField(default=True)
    weekly_for_weeks = models.PositiveSmallIntegerField(default=8)
    monthly_until_months = models.PositiveSmallIntegerField(default=24)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"measurement schedule of clinic {self.clinic_id}"


class TimepointKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    BEFORE_SESSION = "before_session", "Before session"
    END_OF_INDUCTION = "end_of_induction", "End of induction"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Audience(models.TextChoices):
    PATIENT = "patient", "Patient (by link)"
    CLINICIAN = "clinician", "Clinician"


class Timepoint(PatientRow):
    """One scale due at one point of a plan. `assessment` is the answer, however late."""

    plan = models.ForeignKey(
        "treatment.TreatmentPlan", on_delete=models.PROTECT, related_name="timepoints"
    )
    session = models.ForeignKey(
        "treatment.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=TimepointKind.choices)
    # 0 for baseline; the session number before a session; the week or month counted from the
    # end of induction.
    sequence = models.PositiveSmallIntegerField(default=0)
    instrument = models.CharField(max_length=20)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    due_on = models.DateField()
    assessment = models.OneToOneField(
        "patients.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timepoint",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["clinic", "due_on"]),
            models.Index(fields=["clinic", "patient", "instrument", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "sequence", "instrument"], name="timepoint_unique"
            )
        ]

    def __str__(self) -> str:
        return f"timepoint {self.pk}"


class AssessmentLink(PatientRow):
    """A single-use, expiring link a patient answers without signing in. Only the SHA-256 of the
    token is kept; the token itself is in the e-mail and shown once to whoever made the link."""

    token_hash = models.CharField(max_length=64, unique=True)
    instrument = models.CharField(max_length=20)
    timepoint = models.ForeignKey(
        Timepoint, on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    # The short "anything since your last session?" question rides along when true.
    asks_side_effects = models.BooleanField(default=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        "patients.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "expires_at"])]

    def __str__(self) -> str:
        return f"assessment link {self.pk}"


class DeliveryKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(PatientRow):
    """One e-mail carrying a link, sent by a background job; a failure keeps its reason."""

    link = models.ForeignKey(AssessmentLink, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField(max_length=12, choices=DeliveryKind.choices)
    channel = models.CharField(max_length=10, default="email")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    # Never the address or the patient's name: the kind of failure only.
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"delivery {self.pk}"


class PatientReport(PatientRow):
    """What a patient wrote under "anything since your last session?", for the team to review."""

    link = models.OneToOneField(
        AssessmentLink, on_delete=models.PROTECT, related_name="patient_report"
    )
    text = models.TextField()
    reported_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "reviewed_at"])]

    def __str__(self) -> str:
        return f"patient report {self.pk}"


class AlertKind(models.TextChoices):
    SUICIDALITY = "suicidality", "Suicidality flag"
    EARLY_WARNING = "early_warning", "Early warning"


class OutcomeAlert(PatientRow):
    """An alert someone must acknowledge: a suicidality flag on a scale (SAFE-ITEM9,
    SAFE-SI-FLAGS, SAFE-CSSRS-HIGH) or a worsening after response (OUT-EARLY-WARNING)."""

    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    rule_id = models.CharField(max_length=40)
    # "now", "today" or "next_contact" (clinical.instruments.urgency); "" for early warnings.
    urgency = models.CharField(max_length=20, blank=True)
    message = models.CharField(max_length=500)
    assessment = models.ForeignKey(
        "patients.Assessment", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # Early warning: the booster session scheduled from the alert's link, once there is one.
    booster_session = models.ForeignKey(
        "treatment.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "acknowledged_at", "-raised_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "rule_id"], name="outcome_alert_unique"
            )
        ]

    def __str__(self) -> str:
        return f"outcome alert {self.pk}"


class ReportRelease(PatientRow):
    """A progress report PDF released to a referring clinician: who, to whom, when, why."""

    released_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, blank=True)
    released_at = models.DateTimeField()
    # SHA-256 of the PDF as released, so a copy can be matched to this record.
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-released_at", "-pk"]

    def __str__(self) -> str:
        return f"report release {self.pk}"
