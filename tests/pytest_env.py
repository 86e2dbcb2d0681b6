"""Test environment, loaded as a plugin (`-p tests.pytest_env`) before pytest-django reads the
settings.

Tests run in production mode (MFA for everyone, no demo shortcuts) but over plain HTTP, with a
throw-away var/ directory.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("KETACARE_SSL_REDIRECT", "0")
# Background jobs run at once (on commit) instead of waiting for `ketacare worker`.
os.environ.setdefault("KETACARE_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("KETACARE_VAR_DIR", tempfile.mkdtemp(prefix="ketacare-test-var-"))
# whitenoise expects STATIC_ROOT to exist even when tests never run collectstatic.
(Path(os.environ["KETACARE_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
