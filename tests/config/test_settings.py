"""Settings from the environment: production deploy check, demo secret, bad DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

KETACARE = Path(sys.executable).with_name("ketacare")


def run(
    args: list[str], env: dict[str, str], cwd: Path, *, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
    return subprocess.run(  # noqa: S603 - our own entry point
        [str(KETACARE), *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # no threads are started before the exec
        preexec_fn=None if umask is None else lambda: os.umask(umask),
    )


def test_deploy_check_is_silent_in_production_mode(tmp_path):
    env = {
        "SECRET_KEY": "a-long-random-production-secret-" + "x9Q2" * 12,
        "ALLOWED_HOSTS": "clinic.example.org",
        "KETACARE_VAR_DIR": str(tmp_path / "var"),
    }
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_mode_without_secret_stops_with_one_sentence(tmp_path):
    result = run(["check"], {"KETACARE_VAR_DIR": str(tmp_path / "var")}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "KetaCare configuration error: SECRET_KEY is not set; production mode needs a secret "
        "(or set KETACARE_DEMO=1)."
    )


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("mysql://root@localhost/db", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("postgres://postgres@127.0.0.1:5432", "DATABASE_URL names no PostgreSQL database"),
        ("   ", "DATABASE_URL is empty"),
        # dj-database-url reads these as an in-memory database that would silently vanish.
        ("sqlite://", "DATABASE_URL names no SQLite file"),
        ("sqlite:///", "DATABASE_URL names no SQLite file"),
        ("sqlite://relative.sqlite3", "DATABASE_URL names no SQLite file"),
    ],
)
def test_malformed_database_url_stops_with_one_sentence(tmp_path, url, sentence):
    env = {"KETACARE_DEMO": "1", "DATABASE_URL": url, "KETACARE_VAR_DIR": str(tmp_path / "var")}
    result = run(["check"], env, tmp_path)
    assert result.returncode == 2
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_unreachable_database_stops_with_one_sentence(tmp_path):
    env = {
        "KETACARE_DEMO": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "KETACARE_VAR_DIR": str(tmp_path / "var"),
    }
    result = run(["migrate", "--noinput"], env, tmp_path)
    assert result.returncode == 1
    assert "cannot use the database named by DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_mode_keeps_a_generated_secret_under_var(tmp_path):
    env = {"KETACARE_DEMO": "1", "KETACARE_VAR_DIR": str(tmp_path / "var")}
    assert run(["check"], env, tmp_path).returncode == 0
    secret_file = tmp_path / "var" / "secret_key"
    first = secret_file.read_text()
    assert len(first) >= 50
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    assert run(["check"], env, tmp_path).returncode == 0
    assert secret_file.read_text() == first


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    env = {"KETACARE_DEMO": "1", "KETACARE_VAR_DIR": str(tmp_path / "var")}
    result = run(["migrate", "--noinput", "-v", "0"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "var" / "ketacare.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_foreign_keys_are_enforced_on_the_test_database():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL always enforces foreign keys")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


_PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY, s.KETACARE_PROXY_HOPS, "
    "s.LOCKOUT_ADDRESS_FAILURES, s.AXES_LOCKOUT_PARAMETERS)"
)


def _production(tmp_path, **extra: str) -> dict[str, str]:
    return {
        "SECRET_KEY": "a-long-random-production-secret-" + "x9Q2" * 12,
        "ALLOWED_HOSTS": "clinic.example.org",
        "KETACARE_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


def test_hsts_preload_and_the_proxy_are_off_by_default(tmp_path):
    result = run(["shell", "-c", _PRINT_SETTINGS], _production(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False False 1 20 [['username', 'ip_address'], ['ip_address']]"
    )


def test_hsts_preload_is_opt_in_and_the_deploy_check_stays_silent(tmp_path):
    env = _production(
        tmp_path,
        KETACARE_HSTS_PRELOAD="1",
        KETACARE_BEHIND_PROXY="1",
        KETACARE_PROXY_HOPS="2",
        KETACARE_LOCKOUT_ADDRESS_FAILURES="50",
    )
    result = run(["shell", "-c", _PRINT_SETTINGS], env, tmp_path)
    assert result.stdout.strip().splitlines()[-1].startswith("True True 2 50 ")
    check = run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert check.returncode == 0, check.stderr


def test_a_proxy_hop_count_out_of_range_stops_with_one_sentence(tmp_path):
    result = run(["check"], _production(tmp_path, KETACARE_PROXY_HOPS="0"), tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "KetaCare configuration error: KETACARE_PROXY_HOPS must be between 1 and 10; got 0."
    )


def test_django_refuses_orm_calls_from_async_code_outside_the_browser_tests():
    # tests/browser/conftest.py lifts the guard for Playwright only, never for the whole run.
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


# --- var/ readable by its owner only (penetration test H3) -------------------------------------


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def run_with_umask(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """`run` with the usual umask 022, under which files would otherwise be world-readable."""
    return run(args, env, cwd, umask=0o022)


def test_migrate_creates_var_and_the_sqlite_database_for_the_owner_only(tmp_path):
    var = tmp_path / "var"
    env = {"KETACARE_DEMO": "1", "KETACARE_VAR_DIR": str(var)}

    result = run_with_umask(["migrate", "--noinput", "-v", "0"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert _mode(var) == "0o700"
    assert _mode(var / "ketacare.sqlite3") == "0o600"
    assert _mode(var / "secret_key") == "0o600"
    db = sqlite3.connect(var / "ketacare.sqlite3")
    db.execute("CREATE TABLE probe (x)")  # writes the -wal and -shm files SQLite creates
    companions = [var / "ketacare.sqlite3-wal", var / "ketacare.sqlite3-shm"]
    assert all(p.exists() for p in companions)
    assert [_mode(p) for p in companions] == ["0o600", "0o600"]
    db.close()


def test_a_world_readable_sqlite_database_is_narrowed_to_its_owner(tmp_path):
    var = tmp_path / "var"
    env = {"KETACARE_DEMO": "1", "KETACARE_VAR_DIR": str(var)}
    assert run_with_umask(["migrate", "--noinput", "-v", "0"], env, tmp_path).returncode == 0
    database = var / "ketacare.sqlite3"
    database.chmod(0o644)

    assert run_with_umask(["check"], env, tmp_path).returncode == 0

    assert _mode(database) == "0o600"


def test_a_production_sqlite_database_under_var_is_private_too(tmp_path):
    var = tmp_path / "var"
    env = {
        "SECRET_KEY": "a-long-random-production-secret-" + "x9Q2" * 12,
        "KETACARE_VAR_DIR": str(var),
    }

    result = run_with_umask(["migrate", "--noinput", "-v", "0"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert (_mode(var), _mode(var / "ketacare.sqlite3")) == ("0o700", "0o600")
    assert not (var / "secret_key").exists()
