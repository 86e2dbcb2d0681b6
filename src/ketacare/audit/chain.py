"""The hash chain: each event's SHA-256 covers its content and the previous event's hash.

Canonical form (chain format 1). An event's hash is the lowercase hex SHA-256 of the UTF-8 bytes of

    {"content":{...},"format":1,"previous":"<previous event's hash>"}

serialised as JSON with keys sorted, no whitespace (separators "," and ":") and non-ASCII
characters escaped (`\\uXXXX`), so the bytes do not depend on the platform or the database. The
content holds exactly the fields of `HASHED_FIELDS`, each in one normal form:

- `occurred_at`: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (both SQLite and PostgreSQL keep
  microseconds, so the value read back is the value written);
- `actor_user_id`, `clinic_id`, `patient_id`: an integer or null;
- `allowed`: true or false;
- `ip_address`: the address in its exploded form (`::1` becomes `0000:0000:...:0001`) or null,
  because PostgreSQL's `inet` and SQLite's text may spell the same address differently;
- every other field: the string as stored.

The first event's previous hash is `GENESIS_HASH`. Adding, removing or re-encoding a field is a
chain format change: bump `CHAIN_FORMAT` and teach `verify` both formats.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = 1

# The fields an event's hash covers, in a fixed order. Adding one is a chain format change.
HASHED_FIELDS = (
    "occurred_at",
    "actor_user_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "channel",
    "ip_address",
    "user_agent",
    "allowed",
    "detail",
)

_INTEGER_FIELDS = frozenset({"actor_user_id", "clinic_id", "patient_id"})


def canonical_time(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@functools.lru_cache(maxsize=4096)  # a walk of millions of events meets the same few addresses
def canonical_ip(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    return ipaddress.ip_address(value).exploded


def canonical_content(values: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields of an event (a mapping of field name to value) in their normal form."""
    content: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = values[name]
        if name == "occurred_at":
            content[name] = canonical_time(value)
        elif name == "ip_address":
            content[name] = canonical_ip(value)
        elif name in _INTEGER_FIELDS:
            content[name] = None if value is None else int(value)
        elif name == "allowed":
            content[name] = bool(value)
        else:
            content[name] = str(value)
    return content


def content_of(event: Any) -> dict[str, Any]:
    """The canonical content of a model instance (or anything with the hashed attributes)."""
    return canonical_content({name: getattr(event, name) for name in HASHED_FIELDS})


def hash_content(content: Mapping[str, Any], previous_hash: str) -> str:
    payload = json.dumps(
        {"content": dict(content), "format": CHAIN_FORMAT, "previous": previous_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def compute_hash(event: Any, previous_hash: str) -> str:
    """The hash an event must carry, given the hash of the event before it."""
    return hash_content(content_of(event), previous_hash)
