"""Writing events the way KetaCare did before chains per clinic (chain format 1), for the tests
that prove such events still verify after the migration.

One chain across the whole installation: each event chains onto the newest event of the table,
the first onto 64 zeros, and the hash payload says `"format":1`. Raw SQL, because the model now
has a `chain` column that a database migrated only up to audit 0002 lacks.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ketacare.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_content, hash_content
from ketacare.audit.models import AuditEvent

_COLUMNS = (*HASHED_FIELDS, "previous_hash", "hash")
_DEFAULTS: dict[str, Any] = {
    "actor_user_id": None,
    "actor_username": "",
    "actor_role": "",
    "clinic_id": None,
    "object_type": "",
    "object_id": "",
    "patient_id": None,
    "channel": "system",
    "ip_address": None,
    "user_agent": "",
    "allowed": True,
    "detail": "",
}


def append_legacy_event(**fields: Any) -> str:
    """Append one format-1 event (`action` required) and return its hash."""
    values = {**_DEFAULTS, "occurred_at": timezone.now(), **fields}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
        values["previous_hash"] = row[0] if row else GENESIS_HASH
        values["hash"] = hash_content(
            canonical_content(values), values["previous_hash"], chain_format=1
        )
        params = [
            AuditEvent._meta.get_field(name).get_db_prep_save(values[name], connection)
            for name in _COLUMNS
        ]
        placeholders = ", ".join(["%s"] * len(_COLUMNS))
        cursor.execute(
            f"INSERT INTO audit_auditevent ({', '.join(_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
            params,
        )
    return str(values["hash"])
