"""The patient record: one patient belongs to exactly one clinic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ketacare.clinics.models import Clinic
from ketacare.clinics.tenancy import scoped

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

# A search is at most this many words of at most this many characters in all.
SEARCH_MAX_TERMS = 5
SEARCH_MAX_CHARS = 100


class PatientQuerySet(models.QuerySet["Patient"]):
    def for_membership(self, membership: Membership | None) -> PatientQuerySet:
        """Only the patients of the membership's clinic; none without an active membership."""
        return scoped(self, membership)  # type: ignore[return-value]

    def search(self, text: str) -> PatientQuerySet:
        """Every word must match the MRN, given or family name, ignoring case.

        `icontains` is UPPER(..) LIKE on PostgreSQL and LIKE (ASCII case-folding) on SQLite.
        """
        qs = self
        for term in text[:SEARCH_MAX_CHARS].split()[:SEARCH_MAX_TERMS]:
            qs = qs.filter(
                Q(mrn__icontains=term)
                | Q(family_name__icontains=term)
                | Q(given_name__icontains=term)
            )
        return qs


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class Diagnosis(models.TextChoices):
    """The working diagnosis the eligibility screen reads (contracts.md, `screen`)."""

    MDD = "mdd", "Major depressive disorder"
    BIPOLAR_DEPRESSION = "bipolar_depression", "Bipolar depression"
    OTHER = "other", "Other"


class PreferredContact(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    TEXT = "text", "Text message"


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP code", max_length=5, blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, blank=True
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    diagnosis = models.CharField(max_length=20, choices=Diagnosis.choices, blank=True)
    # Pregnancy and breastfeeding status with the date it was last confirmed (ELIG-PREGNANCY,
    # ELIG-BREASTFEEDING; MON-PREG-TEST asks again before each session where relevant).
    pregnant = models.BooleanField(default=False)
    breastfeeding = models.BooleanField(default=False)
    pregnancy_status_on = models.DateField(null=True, blank=True)
    # Free-text psychiatric history (episodes, hospitalisations, prior ECT/TMS); the screen reads
    # structured conditions, never this text.
    psychiatric_history = models.TextField(blank=True)
    # The intake request this patient was registered from, if any (kept as a plain id so the
    # intake app stays above patients in the layering).
    intake_request_id = models.BigIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = PatientQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_clinic_mrn_unique")
        ]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]
        ordering = ["family_name", "given_name", "pk"]

    def __str__(self) -> str:
        # Never a name: str() ends up in logs and admin messages.
        return f"patient {self.pk}"
