"""Use cases of the patient chart (keyword-only, permission-checked, one durable transaction
each, audited as their last statement). Pages and API call these same functions."""

from ketacare.patients.services.consents import (
    CONSENT_DOCUMENTS,
    TREATMENT_CONSENT,
    consent_current,
    consent_stands,
    latest_consent,
    record_consent,
    withdraw_consent,
)
from ketacare.patients.services.notes import amend_note, sign_note
from ketacare.patients.services.patients import (
    CLINICAL_FIELDS,
    DEMOGRAPHIC_FIELDS,
    EDITABLE_FIELDS,
    register_patient,
    update_patient,
)
from ketacare.patients.services.records import (
    add_allergy,
    add_condition,
    add_medication,
    add_trial,
    check_weight_kg,
    record_assessment,
    record_office_vitals,
    record_weight,
    remove_allergy,
    resolve_condition,
    stop_medication,
)

__all__ = [
    "CLINICAL_FIELDS",
    "CONSENT_DOCUMENTS",
    "DEMOGRAPHIC_FIELDS",
    "EDITABLE_FIELDS",
    "TREATMENT_CONSENT",
    "add_allergy",
    "add_condition",
    "add_medication",
    "add_trial",
    "amend_note",
    "check_weight_kg",
    "consent_current",
    "consent_stands",
    "latest_consent",
    "record_assessment",
    "record_consent",
    "record_office_vitals",
    "record_weight",
    "register_patient",
    "remove_allergy",
    "resolve_condition",
    "sign_note",
    "stop_medication",
    "update_patient",
    "withdraw_consent",
]
