"""A few audit events in each clinic (signed-in clients: `staff_client` in tests/conftest.py)."""

from __future__ import annotations

import pytest

from ketacare.audit.models import Action
from ketacare.audit.services import record_event


@pytest.fixture
def events_a(alice, nora, patient_a):
    """Three events of clinic A: alice reads and updates patient_a, nora is refused."""
    return [
        record_event(
            action=Action.READ,
            membership=alice,
            object_type="patient",
            object_id=patient_a.pk,
            patient_id=patient_a.pk,
        ),
        record_event(
            action=Action.UPDATE,
            membership=alice,
            object_type="patient",
            object_id=patient_a.pk,
            patient_id=patient_a.pk,
        ),
        record_event(
            action=Action.UPDATE,
            membership=nora,
            object_type="patient",
            object_id=patient_a.pk,
            patient_id=patient_a.pk,
            allowed=False,
            detail="role",
        ),
    ]


@pytest.fixture
def events_b(bob, patient_b):
    """One event of clinic B: bob reads patient_b."""
    return [
        record_event(
            action=Action.READ,
            membership=bob,
            object_type="patient",
            object_id=patient_b.pk,
            patient_id=patient_b.pk,
        ),
    ]
