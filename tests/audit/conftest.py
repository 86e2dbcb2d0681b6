"""Audit test helpers: signed-in clients and a few events in each clinic."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import Action
from ketacare.audit.services import record_event


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 at production strength costs ~0.3 s per user; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, membership):
    """`client` signed in as the membership's user, two-factor step passed."""
    user = membership.user
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


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
