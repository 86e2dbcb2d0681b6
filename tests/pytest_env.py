"""Test environment, set before pytest-django imports the settings (it does so early).

Tests run in production mode (MFA for everyone, no demo shortcuts) but over plain HTTP, with
a throw-away var/ directory.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("KETACARE_SSL_REDIRECT", "0")
os.environ.setdefault("KETACARE_VAR_DIR", tempfile.mkdtemp(prefix="ketacare-test-var-"))
