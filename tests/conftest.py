"""Named people used by every access test, so "the outsider sees nothing" is one line away.

Clinic A has a prescriber (alice), a nurse (nora), an admin (adam), a coordinator (cora) and an
auditor (audrey); clinic B has an admin (bob) and a nurse (nell). Each patient fixture belongs
to clinic A unless named.
"""

from __future__ import annotations

import pytest

# Django-side imports happen inside the fixtures, so the clinical tests also run without Django
# (`pytest -p no:django tests/clinical tests/cli`).


@pytest.fixture
def clinic_a(db):
    from tests.factories import ClinicFactory

    return ClinicFactory(name="Clinic A")


@pytest.fixture
def clinic_b(db):
    from tests.factories import ClinicFactory

    return ClinicFactory(name="Clinic B", zip_code="10001", city="New York", state="NY")


def _member(clinic, username: str, role: str):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(user=UserFactory(username=username), clinic=clinic, role=role)


@pytest.fixture
def alice(clinic_a):
    """Prescriber of clinic A."""
    return _member(clinic_a, "alice", "prescriber")


@pytest.fixture
def nora(clinic_a):
    """Nurse of clinic A."""
    return _member(clinic_a, "nora", "nurse")


@pytest.fixture
def adam(clinic_a):
    """Clinic admin of clinic A."""
    return _member(clinic_a, "adam", "clinic_admin")


@pytest.fixture
def cora(clinic_a):
    """Coordinator of clinic A."""
    return _member(clinic_a, "cora", "coordinator")


@pytest.fixture
def audrey(clinic_a):
    """Auditor of clinic A."""
    return _member(clinic_a, "audrey", "auditor")


@pytest.fixture
def bob(clinic_b):
    """Clinic admin of clinic B: the outsider."""
    return _member(clinic_b, "bob", "clinic_admin")


@pytest.fixture
def patient_a(clinic_a):
    from tests.factories import PatientFactory

    return PatientFactory(clinic=clinic_a)


@pytest.fixture
def patient_b(clinic_b):
    from tests.factories import PatientFactory

    return PatientFactory(clinic=clinic_b)


@pytest.fixture(autouse=True)
def _plain_static_storage(request):
    """Tests serve static files without `collectstatic`, so no hashed manifest is needed."""
    from django.conf import settings

    if not settings.configured:  # clinical tests run with `-p no:django`
        yield
        return
    from django.test import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


# --- audit (added by the audit helper) -------------------------------------------------------
# The audit table refuses UPDATE, DELETE and TRUNCATE at the database level (audit migration
# 0002). Transactional tests (`django_db(transaction=True)`) end with Django's `flush`, which
# empties every table: let that one statement through, in its own transaction, and nothing else.


@pytest.fixture(scope="session", autouse=True)
def _audit_guard_lifted_for_flush():
    try:
        from tests.audit.guard import flush_lifts_audit_guard
    except ImportError:  # Django not configured (`pytest -p no:django tests/clinical`)
        yield
        return
    with flush_lifts_audit_guard():
        yield


# --- signing in (accounts) -------------------------------------------------------------------
# Every staff page needs a session that passed two-factor sign-in (RequireMFAMiddleware).
# `staff_client(alice)` (a Membership or a User) returns a fresh test Client signed in as that
# user with a confirmed TOTP device verified in the session, as after the real two-step login.
# It is the one way tests sign in past MFA; tests of the login steps themselves drive the forms.
# This shortcut sign-in writes no audit event (a real one is filed under the user's clinic and
# would show in every clinic-scoped count): a test's audit trail holds only what the test did.


@pytest.fixture
def staff_client(db):
    from django.contrib.auth.signals import user_logged_in
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from ketacare.accounts.signals import LOGIN_RECEIVER_UID, on_user_logged_in
    from tests.accounts.helpers import confirmed_device

    def make(person, **client_kwargs):
        user = getattr(person, "user", person)
        client = Client(**client_kwargs)
        user_logged_in.disconnect(dispatch_uid=LOGIN_RECEIVER_UID)
        try:
            client.force_login(user)
        finally:
            user_logged_in.connect(on_user_logged_in, dispatch_uid=LOGIN_RECEIVER_UID)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
        session.save()
        return client

    return make


# --- tenancy (added by the tenancy helper) ---------------------------------------------------


@pytest.fixture
def demo_mode(settings):
    """Demo mode on for one test (the suite runs in production mode)."""
    settings.DEMO_MODE = True
    return settings


@pytest.fixture
def production_argon2():
    """Request this fixture to hash with the real Argon2 cost (cheap_argon2 then stands aside)."""


@pytest.fixture(autouse=True)
def cheap_argon2(request, monkeypatch):
    """Tests hash many passwords: still Argon2id, but with a few KiB instead of 100 MiB.

    The production parameters are asserted in tests/accounts/test_passwords.py.
    """
    from django.conf import settings

    if not settings.configured or "production_argon2" in request.fixturenames:
        return
    from django.contrib.auth.hashers import Argon2PasswordHasher

    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 64)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)


# --- an outsider without the role (added for lookup-first pages) -----------------------------


@pytest.fixture
def nell(clinic_b):
    """Nurse of clinic B: an outsider whose role lacks most permissions (404 before 403)."""
    return _member(clinic_b, "nell", "nurse")
