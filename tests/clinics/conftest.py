"""A fast hasher for tests that never check a password (Argon2 costs about 0.3 s per user).

A test that checks a shipped password (the demo logins) is marked with `real_password_hasher`.
"""

import pytest


def real_password_hasher(test):
    test.real_password_hasher = True
    return test


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    if not getattr(request.function, "real_password_hasher", False):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
