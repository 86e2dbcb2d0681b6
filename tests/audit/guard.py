"""Lifting and restoring the database's append-only guard on the audit table, for tests only.

Tests use it to play a DBA who drops the trigger and edits a row by hand, and the whole suite
uses `flush_lifts_audit_guard` so that transactional tests can end with Django's `flush`
(TRUNCATE on PostgreSQL, DELETE on SQLite), which the guard rightly refuses.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

from django.db import connection as default_connection

_MIGRATION = importlib.import_module("ketacare.audit.migrations.0002_append_only_triggers")
AUDIT_TABLE = "audit_auditevent"


def _statements(which: dict[str, list[str]], connection: Any) -> list[str]:
    return list(which.get(connection.vendor, []))


def drop_guard_sql(connection: Any = default_connection) -> list[str]:
    return _statements(_MIGRATION.REVERSE, connection)


def install_guard_sql(connection: Any = default_connection) -> list[str]:
    return _statements(_MIGRATION.FORWARD, connection)


@contextlib.contextmanager
def guard_lifted(connection: Any = default_connection) -> Iterator[Any]:
    """Drop the triggers, yield a cursor for hand edits, put the triggers back."""
    with connection.cursor() as cursor:
        for sql in drop_guard_sql(connection):
            cursor.execute(sql)
        try:
            yield cursor
        finally:
            for sql in install_guard_sql(connection):
                cursor.execute(sql)


def hand_edit(
    sql: str, params: list[Any] | tuple[Any, ...] = (), connection: Any = default_connection
) -> None:
    """Run one statement on the audit table the way a DBA with the guard dropped would."""
    with guard_lifted(connection) as cursor:
        cursor.execute(sql, params)


@contextlib.contextmanager
def flush_lifts_audit_guard() -> Iterator[None]:
    """While active, Django's `flush` drops the guard, empties the tables and restores it."""
    from django.core.management.commands import flush

    original = flush.sql_flush

    def sql_flush(style: Any, connection: Any, *args: Any, **kwargs: Any) -> list[str]:
        statements = original(style, connection, *args, **kwargs)
        if not any(AUDIT_TABLE in sql for sql in statements):
            return statements
        return [*drop_guard_sql(connection), *statements, *install_guard_sql(connection)]

    flush.sql_flush = sql_flush
    try:
        yield
    finally:
        flush.sql_flush = original
