"""Accounts tests hash many passwords (every user, every failed sign-in): hash them cheaply.

Still Argon2id, with a few KiB of memory instead of 100 MiB, so a test run stays fast on a busy
machine. The production parameters are asserted in test_passwords.py (`production_argon2`).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


@pytest.fixture
def production_argon2():
    """Request this fixture to hash with the real settings (cheap_argon2 then stands aside)."""


@pytest.fixture(autouse=True)
def cheap_argon2(request, monkeypatch):
    if "production_argon2" in request.fixturenames:
        return
    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 64)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)
