"""End to end: the real `ketacare audit verify` against a real database file, edited by hand.

Migrate a fresh database, write events through the app, verify (exit 0); then drop the trigger
and edit one row as a DBA would, verify again (exit 1, the event named, no traceback). And the
upgrade: events written before chains per clinic (audit migrations up to 0002) still verify,
beside the new chains, after the rest of the migrations. Runs on a temporary SQLite file always,
and on a fresh PostgreSQL database when the suite runs there.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

KETACARE = Path(sys.executable).with_name("ketacare")
REPOSITORY = Path(__file__).resolve().parents[2]

WRITE_EVENTS = """
from ketacare.audit.services import record_event
for n in range(1, 5):
    record_event(action="read", clinic_id=1, object_type="patient", object_id=n, patient_id=n)
"""


@dataclass
class Database:
    url: str
    execute: Callable[[str], None]  # one statement, as a DBA at the database's own prompt


def _run(database: Database, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "KETACARE_DEMO"}
    env.update(DATABASE_URL=database.url, KETACARE_VAR_DIR=str(tmp_path / "var"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    env.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
    result = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [str(KETACARE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "audit.sqlite3"

        def execute(sql: str) -> None:
            with sqlite3.connect(path) as db:
                db.execute(sql)

        yield Database(f"sqlite:///{path}", execute)
        return
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite")
    import psycopg

    settings = connection.settings_dict
    name = f"ketacare_audit_cli_{uuid.uuid4().hex[:10]}"
    server = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
    }
    if settings["PASSWORD"]:
        server["password"] = settings["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def execute(sql: str) -> None:
        with psycopg.connect(dbname=name, autocommit=True, **server) as db:
            db.execute(sql)

    auth = server["user"] + (f":{server['password']}" if "password" in server else "")
    try:
        yield Database(f"postgres://{auth}@{server['host']}:{server['port']}/{name}", execute)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_guard(database: Database) -> None:
    if database.url.startswith("sqlite"):
        database.execute("DROP TRIGGER audit_auditevent_no_update")
    else:
        database.execute("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent")


def test_verify_passes_then_names_the_event_edited_by_hand(database, tmp_path):
    assert _run(database, tmp_path, "migrate", "--verbosity", "0").returncode == 0
    assert _run(database, tmp_path, "shell", "--no-imports", "-c", WRITE_EVENTS).returncode == 0

    intact = _run(database, tmp_path, "audit", "verify")
    assert (intact.returncode, intact.stdout, intact.stderr) == (
        0,
        "Audit chain intact: 4 events in 1 chain.\n",
        "",
    )

    # The trigger stops a hand edit...
    with pytest.raises(Exception, match="append-only"):
        database.execute("UPDATE audit_auditevent SET allowed = false WHERE id = 3")
    # ...until a DBA drops it.
    _drop_guard(database)
    database.execute("UPDATE audit_auditevent SET patient_id = 99 WHERE id = 3")

    broken = _run(database, tmp_path, "audit", "verify")
    assert (broken.returncode, broken.stdout) == (1, "")
    assert broken.stderr == (
        "Audit chain clinic:1 broken at event 3: its content was changed after it was written "
        "(its hash no longer matches it).\n"
    )


WRITE_LEGACY_EVENTS = """
from tests.audit.legacy import append_legacy_event
for clinic_id in (1, 2, None, 1):
    head = append_legacy_event(action="read", clinic_id=clinic_id, object_type="patient")
print(head)
"""

WRITE_NEW_EVENTS = """
from ketacare.audit.services import record_event
for clinic_id in (2, None, 1, 2):
    record_event(action="read", clinic_id=clinic_id, object_type="patient")
"""


def test_legacy_events_still_verify_after_the_migration_to_chains_per_clinic(database, tmp_path):
    # Given a trail written before chains per clinic: one chain across clinics 1, 2 and none.
    assert _run(database, tmp_path, "migrate", "audit", "0002", "--verbosity", "0").returncode == 0
    legacy = _run(database, tmp_path, "shell", "--no-imports", "-c", WRITE_LEGACY_EVENTS)
    assert legacy.returncode == 0, legacy.stderr
    legacy_head = legacy.stdout.strip()

    # When the installation is upgraded and writes on.
    assert _run(database, tmp_path, "migrate", "--verbosity", "0").returncode == 0
    assert _run(database, tmp_path, "shell", "--no-imports", "-c", WRITE_NEW_EVENTS).returncode == 0

    # Then the legacy chain verifies as before, beside one new chain per clinic and the system's.
    intact = _run(database, tmp_path, "audit", "verify", "--show-head")
    assert (intact.returncode, intact.stderr) == (0, "")
    lines = intact.stdout.splitlines()
    assert lines[0] == "Audit chain intact: 8 events in 4 chains."
    assert [line.split("=")[0] for line in lines[1:]] == [
        "Head hash: legacy",
        "Head hash: system",
        "Head hash: clinic:1",
        "Head hash: clinic:2",
    ]
    assert lines[1] == f"Head hash: legacy={legacy_head}"
    # The bare head printed before the upgrade is still accepted, and so are the new ones.
    heads = [line.removeprefix("Head hash: ") for line in lines[1:]]
    again = _run(
        database,
        tmp_path,
        "audit",
        "verify",
        "--head",
        legacy_head,
        *[argument for head in heads for argument in ("--head", head)],
    )
    assert again.returncode == 0, again.stderr

    # And an edit of a legacy event is named in the legacy chain; the other chains stay proved.
    _drop_guard(database)
    database.execute("UPDATE audit_auditevent SET clinic_id = 9 WHERE id = 2")
    broken = _run(database, tmp_path, "audit", "verify")
    assert (broken.returncode, broken.stdout) == (1, "")
    assert broken.stderr == (
        "Audit chain legacy broken at event 2: its content was changed after it was written "
        "(its hash no longer matches it).\n"
    )


def test_verify_on_a_database_never_migrated_says_so_in_one_sentence(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}", lambda sql: None)
    result = _run(database, tmp_path, "audit", "verify")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "The audit trail cannot be read (no such table: audit_auditevent); is the database "
        "migrated (`ketacare migrate`) and reachable?\n"
    )
