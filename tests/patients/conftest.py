"""These tests sign in with force_login, never with a password: a fast hasher for the factories.

(Argon2 costs about 0.3 s per user; tests/clinics/test_demo.py and the accounts tests keep it.)
"""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
