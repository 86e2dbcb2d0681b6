"""Intake fixtures: a request in clinic A's queue and one in clinic B's."""

from __future__ import annotations

import pytest


@pytest.fixture
def request_a(clinic_a):
    from tests.factories import IntakeRequestFactory

    return IntakeRequestFactory(
        clinic=clinic_a, name="Rowan Quill", email="rowan@example.org", phone="617-555-0142"
    )


@pytest.fixture
def request_b(clinic_b):
    from tests.factories import IntakeRequestFactory

    return IntakeRequestFactory(clinic=clinic_b, name="Elsa Elsewhere")


def audit_events(**filters):
    from ketacare.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(**filters).order_by("pk"))
