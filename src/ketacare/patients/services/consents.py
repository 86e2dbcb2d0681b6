"""Consent records and the "consent current" check.

A consent is a record of a signature: never edited; a new signature is a new row. Withdrawal
dates the row once (`withdrawn_on`), audited.

"Consent current" (the chair's check before a session, contracts.md 2.3 `consent_current`): the
patient's latest signature of the document (by signing date, then entry) exists and is not
withdrawn. Which document: by default the clinic's consent to ketamine treatment
(`TREATMENT_CONSENT`); other documents (the esketamine REMS enrolment, telehealth, a research
consent) are recorded the same way and checked by name. A consent does not expire by itself in
KetaCare: when a clinic issues a new version of its form it asks patients to sign it, and the
new signature is the latest.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found
from ketacare.patients.errors import ChartConflict
from ketacare.patients.models import Consent
from ketacare.patients.services._common import audit, check_texts, day, require

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

TREATMENT_CONSENT = "ketamine_treatment"
# The documents a clinic commonly records (the pages offer them; the API takes any short id).
CONSENT_DOCUMENTS: dict[str, str] = {
    TREATMENT_CONSENT: "Consent to ketamine treatment",
    "esketamine_rems": "Esketamine REMS patient enrolment",
    "telehealth": "Consent to telehealth",
    "privacy_notice": "Notice of privacy practices",
}


def record_consent(
    *,
    by: Membership,
    patient: Patient,
    document: str,
    version: str,
    signed_on: dt.date | None = None,
    signed_by: str = "",
) -> Consent:
    """Record a signed consent (record_consent). `signed_by` is who signed: the patient, or a
    legal representative's name as written on the form."""
    require(
        by, Permission.RECORD_CONSENT, action=Action.CREATE, object_type="consent", patient=patient
    )
    document = (document or "").strip()
    version = (version or "").strip()
    check_texts({"document": document, "version": version, "signed_by": signed_by})
    record = Consent(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        recorded_by_id=by.user_id,
        document=document,
        version=version,
        signed_on=day(signed_on, "signed_on"),
        signed_by=(signed_by or "").strip(),
    )
    record.full_clean(exclude=["clinic", "patient", "recorded_by"], validate_constraints=False)
    with transaction.atomic(durable=True):
        record.save()
        audit(
            action=Action.CREATE,
            by=by,
            object_type="consent",
            object_id=record.pk,
            patient=patient,
        )
    return record


def withdraw_consent(
    *, by: Membership, patient: Patient, consent_id: int, withdrawn_on: dt.date | None = None
) -> Consent:
    """The patient withdrew this consent: the row is dated once, never otherwise changed."""
    require(
        by, Permission.RECORD_CONSENT, action=Action.UPDATE, object_type="consent", patient=patient
    )
    when = day(withdrawn_on, "withdrawn_on")
    rows = Consent.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk, pk=consent_id)
    with transaction.atomic(durable=True):
        signed_on = rows.values_list("signed_on", flat=True).first()
        if signed_on is None:
            raise deny_not_found(
                membership=by,
                object_type="consent",
                object_id=consent_id,
                patient_id=patient.pk,
                action=Action.UPDATE,
            )
        if when < signed_on:
            raise ValidationError({"withdrawn_on": "withdrawn_on must not be before signed_on."})
        if not rows.filter(withdrawn_on__isnull=True).update(withdrawn_on=when):
            raise ChartConflict("This consent is already withdrawn.", code="withdrawn")
        audit(
            action=Action.UPDATE,
            by=by,
            object_type="consent",
            object_id=consent_id,
            patient=patient,
            detail="withdrawn",
        )
    return rows.get()


def latest_consent(patient: Patient, document: str = TREATMENT_CONSENT) -> Consent | None:
    return (
        Consent.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, document=document
        )
        .order_by("-signed_on", "-pk")
        .first()
    )


def consent_current(
    patient: Patient, document: str = TREATMENT_CONSENT, *, on: dt.date | None = None
) -> bool:
    """Whether the patient's latest signature of `document` stands on `on` (default today):
    signed on or before that day and not withdrawn by then (see the module's docstring)."""
    return consent_stands(latest_consent(patient, document), on=on)


def consent_stands(consent: Consent | None, *, on: dt.date | None = None) -> bool:
    """Whether this (latest) signature stands on `on`: signed by then and not withdrawn."""
    on = on or timezone.localdate()
    if consent is None or consent.signed_on > on:
        return False
    return consent.withdrawn_on is None or consent.withdrawn_on > on
