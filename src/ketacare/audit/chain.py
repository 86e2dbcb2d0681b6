"""The hash chain: each event's SHA-256 covers its content and the previous event's hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64

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


def content_of(event: Any) -> dict[str, Any]:
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    # Microsecond ISO form in UTC, identical on SQLite and PostgreSQL after a round trip.
    content["occurred_at"] = event.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return content


def compute_hash(event: Any, previous_hash: str) -> str:
    payload = json.dumps(
        {"previous": previous_hash, "content": content_of(event)},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
