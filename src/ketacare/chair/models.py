"""The chair-side record of a treatment session: pre-dose, dose, readings, alerts, side effects,
discharge and the REMS Patient Monitoring Form.

Every row carries its clinic (the tenant key) and its session; each session has at most one
pre-dose record, one dose, one discharge and one REMS form. Readings and side effects are
appended; alerts are what the clinical core's monitoring rules raised, kept so that someone must
acknowledge them. Medical decisions are the clinical core's (`ketacare.clinical.monitoring`,
`ketacare.clinical.adverse`), called by the services, never by these models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

USER = settings.AUTH_USER_MODEL


class ClinicRow(models.Model):
    """Tenant key and the session and patient a chair-side row belongs to."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Dosing(models.TextChoices):
    GO = "go", "Go"
    HOLD = "hold", "Hold"


class PreDose(ClinicRow):
    """Check-in and the pre-dose checklist and vitals: the go/hold of the monitoring rules.

    Re-recorded (e.g. blood pressure again after rest) until the dose: history keeps every
    version, and a new recording clears a prescriber's decision to proceed over a hold.
    """

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="pre_dose"
    )
    checked_in_at = models.DateTimeField()
    chair = models.CharField(max_length=40)
    nurse = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField()
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    # Checklist (contracts.md 2.3): the `ketacare monitor` keys plus identity and consent.
    identity_confirmed = models.BooleanField(default=False)
    consent_current = models.BooleanField(default=False)
    rems_setting_certified = models.BooleanField(null=True, blank=True)
    rems_patient_enrolled = models.BooleanField(null=True, blank=True)
    pregnancy_status_documented = models.BooleanField(null=True, blank=True)
    escort_confirmed = models.BooleanField(null=True, blank=True)
    escort_phone = models.CharField(max_length=30, blank=True)
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_liquid_at = models.DateTimeField(null=True, blank=True)
    nasal_medication_at = models.DateTimeField(null=True, blank=True)
    # What the monitoring rules decided when it was recorded.
    dosing = models.CharField(max_length=4, choices=Dosing.choices)
    # A prescriber's recorded benefit/risk decision to dose over a hold (SAFE-BP-HOLD).
    proceed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proceed_at = models.DateTimeField(null=True, blank=True)
    proceed_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"pre-dose of session {self.session_id}"


class DoseGiven(ClinicRow):
    """The dose as given: computed from the signed order and the weight, arithmetic kept.

    IV ketamine is a controlled substance: the amount drawn, given and wasted is witnessed by a
    second user, who confirms it signed in as themselves (`witness_confirmed_at`).
    """

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="dose"
    )
    order = models.ForeignKey("treatment.DoseOrder", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    lot_number = models.CharField(max_length=40)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=1)
    volume_ml = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    devices = models.PositiveSmallIntegerField(null=True, blank=True)
    infusion_duration_min = models.PositiveSmallIntegerField(null=True, blank=True)
    # The arithmetic as sentences, as the clinical core wrote it (DOSE-IV-CALC).
    steps = models.JSONField(default=list)
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # Controlled-substance count (IV): drawn = given + wasted, witnessed.
    drawn_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    wasted_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    witness = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    witness_confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"dose of session {self.session_id}"


class Reading(ClinicRow):
    """One set of post-dose readings at `at`; any field may be missing (MON-* judge what is)."""

    session = models.ForeignKey(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="readings"
    )
    at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    moaas = models.PositiveSmallIntegerField(null=True, blank=True)
    cadss = models.PositiveSmallIntegerField(null=True, blank=True)
    # Keys of `ketacare.clinical.monitoring.SYMPTOMS` (MON-HTN-SYMPTOMS).
    symptoms = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "at", "pk"]
        indexes = [models.Index(fields=["clinic", "session", "at"])]

    def __str__(self) -> str:
        return f"reading {self.pk}"


class AlertLevel(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class SessionAlert(ClinicRow):
    """An alert a monitoring rule (or SAFE-AE-GRADE) raised; acknowledged with a note.

    One row per rule and time within a session, so evaluating the session again never repeats
    an alert; a rule about something missing (an overdue reading) is kept once per session.
    """

    session = models.ForeignKey(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="alerts"
    )
    rule = models.CharField(max_length=40)
    level = models.CharField(max_length=10, choices=AlertLevel.choices)
    at = models.DateTimeField()
    message = models.CharField(max_length=500)
    reading = models.ForeignKey(
        Reading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["session_id", "at", "rule", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "rule", "at"], name="session_alert_once_per_rule_and_time"
            )
        ]
        indexes = [models.Index(fields=["clinic", "session", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"alert {self.pk}"


class SideEffect(ClinicRow):
    """A side effect seen at a session: term, CTCAE grade 1-5, onset, resolution, action."""

    session = models.ForeignKey(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="side_effects"
    )
    # A term of `ketacare.clinical.adverse.TERMS`, or `other` with `other_term`.
    term = models.CharField(max_length=40)
    other_term = models.CharField(max_length=120, blank=True)
    grade = models.PositiveSmallIntegerField()
    serious = models.BooleanField(default=False)
    onset_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session_id", "onset_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=5), name="side_effect_ctcae_grade"
            )
        ]

    def __str__(self) -> str:
        return f"side effect {self.pk}"


class Discharge(ClinicRow):
    """The discharge: the DISCH-* criteria as they stood, attestations and any override."""

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="discharge"
    )
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    dissociation_resolved = models.BooleanField()
    no_driving_instructed = models.BooleanField()
    # Each criterion as judged: `{"rule", "status", "overridable", "sentence"}`.
    criteria = models.JSONField(default=list)
    overridden = models.JSONField(default=list, blank=True)
    override_reason = models.CharField(max_length=1000, blank=True)
    # REMS evaluation question (reference 3.2): minutes from the start of administration at
    # which the patient would have been ready to leave without the 2-hour rule.
    ready_without_minimum_min = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"discharge of session {self.session_id}"


class Amendment(ClinicRow):
    """A note added to a discharged session: the record itself no longer changes."""

    session = models.ForeignKey(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="amendments"
    )
    text = models.CharField(max_length=2000)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "at", "pk"]

    def __str__(self) -> str:
        return f"amendment {self.pk}"


class RemsForm(ClinicRow):
    """The REMS Patient Monitoring Form of a discharged esketamine session (SAFE-REMS-FORM):
    due within the REMS deadline after the session; staff mark it submitted."""

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="rems_form"
    )
    due_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["clinic", "submitted_at", "due_on"])]

    def __str__(self) -> str:
        return f"REMS form of session {self.session_id}"
