"""The patient record and its chart: every row carries its clinic (the tenant key), and every
clinical record keeps its history (django-simple-history) or is append-only by design."""

from ketacare.patients.models.assessments import Assessment, AssessmentSource
from ketacare.patients.models.chart import (
    Allergy,
    AntidepressantTrial,
    Condition,
    Medication,
    MedicationClass,
    OfficeVitals,
    TrialAdherence,
    TrialOutcome,
    WeightMeasurement,
)
from ketacare.patients.models.consent import Consent
from ketacare.patients.models.notes import CareNote
from ketacare.patients.models.patient import (
    SEARCH_MAX_CHARS,
    SEARCH_MAX_TERMS,
    Diagnosis,
    Patient,
    PatientQuerySet,
    PreferredContact,
    SexAtBirth,
)

__all__ = [
    "SEARCH_MAX_CHARS",
    "SEARCH_MAX_TERMS",
    "Allergy",
    "AntidepressantTrial",
    "Assessment",
    "AssessmentSource",
    "CareNote",
    "Condition",
    "Consent",
    "Diagnosis",
    "Medication",
    "MedicationClass",
    "OfficeVitals",
    "Patient",
    "PatientQuerySet",
    "PreferredContact",
    "SexAtBirth",
    "TrialAdherence",
    "TrialOutcome",
    "WeightMeasurement",
]
