"""The environment of a benchmark process and of the server it starts.

Production mode (no KETACARE_DEMO): DEBUG off, the production middleware and password hashers,
persistent database connections (CONN_MAX_AGE 60 with health checks, as DATABASE_URL gives).
Only what a plain-HTTP loopback run needs is relaxed: no redirect to HTTPS, the loopback host
allowed. Settings `bench.support.settings` add the bench pages to the application's URLs.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "bench.support.settings"
_DROPPED = ("KETACARE_DEMO", "KETACARE_DEBUG", "REDIS_URL", "KETACARE_BEHIND_PROXY")


def server_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """os.environ plus the bench's settings (also what the gunicorn server gets)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        KETACARE_VAR_DIR=str(var_dir),
        KETACARE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        KETACARE_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    return env


def setup_django(database_url: str, var_dir: Path) -> dict[str, str]:
    """Configure this process like the server and set Django up; returns the environment."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    env = server_environment(database_url, var_dir)
    # STATIC_ROOT: empty (nothing collected), but present, so WhiteNoise does not warn.
    (var_dir / "static").mkdir(exist_ok=True)
    for name in _DROPPED:
        os.environ.pop(name, None)
    os.environ.update(env)
    import django

    django.setup()
    return env


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
