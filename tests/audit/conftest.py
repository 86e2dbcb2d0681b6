"""A few audit events in each clinic (signed-in clients: `staff_client` in tests/conftest.py)."""

from __future__ import annotations

import pytest

from ketacare.audit.models import Action
from tests.audit.events import patient_event


@pytest.fixture
def events_a(alice, nora, patient_a):
    """Three events of clinic A: alice reads and updates patient_a, nora is refused."""
    return [
        patient_event(action=Action.READ, membership=alice, patient=patient_a),
        patient_event(action=Action.UPDATE, membership=alice, patient=patient_a),
        patient_event(
            action=Action.UPDATE, membership=nora, patient=patient_a, allowed=False, detail="role"
        ),
    ]


@pytest.fixture
def events_b(bob, patient_b):
    """One event of clinic B: bob reads patient_b."""
    return [
        patient_event(action=Action.READ, membership=bob, patient=patient_b),
    ]
