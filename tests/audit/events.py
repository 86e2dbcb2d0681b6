"""Building audit events in tests: the common shape is one member acting on one patient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient


def patient_event(
    *, action: Action, membership: Membership, patient: Patient, **extra: Any
) -> AuditEvent:
    """`record_event` for `membership` acting on `patient`, as object and as patient."""
    return record_event(
        action=action,
        membership=membership,
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        **extra,
    )
