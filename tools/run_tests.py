"""`make test`: the whole suite on SQLite, then on PostgreSQL whenever one answers.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server on 127.0.0.1:5432); each run
uses a fresh database name, so nothing a previous run left behind matters. With
KETACARE_REQUIRE_POSTGRES=1 (set by .ci/run) a missing PostgreSQL is a failure, not a skip.
The browser tests drive /usr/bin/chromium (KETACARE_CHROMIUM names another) and skip without
it; the summary says so. Extra arguments are passed to pytest (`make test ARGS="-k audit"`).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/ketacare"
# The same default and override as tests/browser/conftest.py.
DEFAULT_CHROMIUM = "/usr/bin/chromium"


def browser_outcome(environ: Mapping[str, str] = os.environ) -> str:
    """The summary line's verdict on the browser tests: run, skipped or failed for want of
    Chromium (KETACARE_REQUIRE_BROWSER=1 turns the skip into a failure, as in the tests)."""
    chromium = environ.get("KETACARE_CHROMIUM") or DEFAULT_CHROMIUM
    if Path(chromium).exists():
        return f"run with {chromium}"
    if environ.get("KETACARE_REQUIRE_BROWSER") == "1":
        return f"FAILED (no {chromium}, required by KETACARE_REQUIRE_BROWSER=1)"
    return f"skipped (no {chromium}; apt-get install chromium)"


def postgres_url() -> str | None:
    """A URL naming a fresh database on a PostgreSQL that answers, or None."""
    given = os.environ.get("TEST_DATABASE_URL")
    parts = urlsplit(given or DEFAULT_POSTGRES)
    try:
        import psycopg

        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        print(
            f"PostgreSQL: not answering at {parts.hostname}:{parts.port or 5432} "
            f"({type(exc).__name__})."
        )
        return None
    if given:  # e.g. .ci/run, which created this database fresh for the run
        return given
    # pytest-django creates (and drops) test_<name>; a random name keeps runs apart.
    name = f"{(parts.path.strip('/') or 'ketacare')}_{secrets.token_hex(4)}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_suite(label: str, database_url: str, pytest_args: list[str]) -> int:
    print(f"\n=== {label}: running the whole suite ===", flush=True)
    env = dict(os.environ, DATABASE_URL=database_url)
    # Two workers by default (the machines have two cores); `ARGS="-n 0"` runs serially.
    workers = [] if any(a.startswith("-n") for a in pytest_args) else ["-n", "2"]
    command = [sys.executable, "-m", "pytest", *workers, *pytest_args]
    return subprocess.call(command, env=env)


def lint() -> str:
    """ruff (lint and format) over the tree and mypy --strict on the clinical core."""
    print("=== Lint: ruff, mypy ===", flush=True)
    bin_dir = os.path.dirname(sys.executable)
    paths = ["src", "tests", "bench", "tools"]
    commands = [
        [os.path.join(bin_dir, "ruff"), "check", *paths],
        [os.path.join(bin_dir, "ruff"), "format", "--check", *paths],
        [os.path.join(bin_dir, "mypy")],
    ]
    failed = [c[0].rsplit("/", 1)[-1] + " " + c[1] for c in commands if subprocess.call(c) != 0]
    return "passed" if not failed else f"FAILED ({', '.join(failed)})"


def main() -> int:
    pytest_args = sys.argv[1:]
    results: dict[str, str] = {"Lint": lint()}
    with tempfile.TemporaryDirectory(prefix="ketacare-test-") as tmp:
        code = run_suite("SQLite", f"sqlite:///{tmp}/ketacare.sqlite3", pytest_args)
        results["SQLite"] = "passed" if code == 0 else f"FAILED (exit {code})"
    url = postgres_url()
    if url is None:
        if os.environ.get("KETACARE_REQUIRE_POSTGRES") == "1":
            results["PostgreSQL"] = (
                "FAILED (required by KETACARE_REQUIRE_POSTGRES=1 but not answering)"
            )
        else:
            results["PostgreSQL"] = "skipped (no server answering; set TEST_DATABASE_URL)"
    else:
        code = run_suite("PostgreSQL", url, pytest_args)
        results["PostgreSQL"] = "passed" if code == 0 else f"FAILED (exit {code})"
    results["Browser tests"] = browser_outcome()
    print("\n=== Summary ===")
    for backend, outcome in results.items():
        print(f"{backend}: {outcome}")
    return 0 if all(not r.startswith("FAILED") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
