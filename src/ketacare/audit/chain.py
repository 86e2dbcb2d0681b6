"""The hash chains: each event's SHA-256 covers its content and the previous event's hash.

One chain per clinic (chain format 2). Every event belongs to exactly one chain, named by its
`chain` column: the clinic's id for an event with a clinic, `SYSTEM_CHAIN` (0) for an event
without one (sign-ins of users acting for no clinic, installation-wide jobs). An event's previous
hash is the hash of the event before it *in the same chain*, so appending to one clinic's chain
reads and locks nothing of another clinic's (ketacare.audit.services), and a network sharded by
clinic keeps each chain on its clinic's shard. Events written before chains per clinic existed
(chain format 1) form one closed legacy chain across all clinics: their `chain` column is NULL,
and `verify` walks them as it always did.

Canonical form. An event's hash is the lowercase hex SHA-256 of the UTF-8 bytes of

    {"content":{...},"format":2,"previous":"<previous event's hash>"}

(`"format":1` for a legacy event) serialised as JSON with keys sorted, no whitespace (separators
"," and ":") and non-ASCII characters escaped (`\\uXXXX`), so the bytes do not depend on the
platform or the database. The content holds exactly the fields of `HASHED_FIELDS`, each in one
normal form:

- `occurred_at`: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (both SQLite and PostgreSQL keep
  microseconds, so the value read back is the value written);
- `actor_user_id`, `clinic_id`, `patient_id`: an integer or null;
- `allowed`: true or false;
- `ip_address`: the address in its exploded form (`::1` becomes `0000:0000:...:0001`) or null,
  because PostgreSQL's `inet` and SQLite's text may spell the same address differently;
- every other field: the string as stored.

The chain itself is not a hashed field: it is a function of the hashed `clinic_id`
(`chain_for`), and `verify` refuses an event whose stored chain is not its clinic's.

The first event of a chain chains onto that chain's genesis hash (`genesis_of`): the SHA-256 of
the ASCII bytes `ketacare-audit-genesis:2:<chain>`, different for every chain, so the database's
unique previous hash still means, across all chains at once, that two events can never chain onto
the same predecessor. The legacy chain's genesis is `GENESIS_HASH` (64 zeros).

Adding, removing or re-encoding a field is a chain format change: bump `CHAIN_FORMAT` and teach
`verify` every format.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

# The format of the chains per clinic, written by every append today.
CHAIN_FORMAT = 2
# The format of the events written before chains per clinic: one chain across the installation.
LEGACY_FORMAT = 1
# The legacy chain's genesis hash (chain format 1).
GENESIS_HASH = "0" * 64
# The chain of events without a clinic. Clinic ids start at 1.
SYSTEM_CHAIN = 0

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


def chain_for(clinic_id: int | None) -> int:
    """The chain an event of this clinic (None: no clinic) is appended to."""
    return SYSTEM_CHAIN if clinic_id is None else int(clinic_id)


def format_of(chain: int | None) -> int:
    """The chain format of an event stored with this chain (NULL: a legacy event)."""
    return LEGACY_FORMAT if chain is None else CHAIN_FORMAT


@functools.lru_cache(maxsize=4096)
def genesis_of(chain: int | None) -> str:
    """The hash the first event of a chain chains onto."""
    if chain is None:
        return GENESIS_HASH
    return hashlib.sha256(f"ketacare-audit-genesis:{CHAIN_FORMAT}:{chain}".encode()).hexdigest()


def chain_name(chain: int | None) -> str:
    """How people and the command line name a chain: `legacy`, `system` or `clinic:<id>`."""
    if chain is None:
        return "legacy"
    if chain == SYSTEM_CHAIN:
        return "system"
    return f"clinic:{chain}"


_CHAIN_NAME = re.compile(r"^(?:legacy|system|clinic:-?[0-9]{1,18})$")


def parse_chain_name(name: str) -> int | None:
    """The chain named `legacy`, `system` or `clinic:<id>`; ValueError for anything else."""
    if not _CHAIN_NAME.match(name):
        raise ValueError(name)
    if name == "legacy":
        return None
    if name == "system":
        return SYSTEM_CHAIN
    return int(name.removeprefix("clinic:"))


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


def _payload(content: Mapping[str, Any], previous_hash: str, chain_format: int) -> str:
    return json.dumps(
        {"content": dict(content), "format": chain_format, "previous": previous_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )


def hash_content(
    content: Mapping[str, Any], previous_hash: str, *, chain_format: int = CHAIN_FORMAT
) -> str:
    return hashlib.sha256(_payload(content, previous_hash, chain_format).encode()).hexdigest()


# The end of every payload: "previous" is the last key in sorted order.
_PAYLOAD_END = '"previous":""}'


def payload_around_previous(
    content: Mapping[str, Any], *, chain_format: int = CHAIN_FORMAT
) -> tuple[str, str]:
    """The canonical payload split where the previous hash goes, for a database that hashes as
    it appends (ketacare.audit.services): SHA-256 of `before + previous + after` in ASCII is
    `hash_content(content, previous)` for any previous hash of 64 hex digits, which JSON writes
    as it is. Both halves are ASCII (non-ASCII is escaped)."""
    payload = _payload(content, "", chain_format)
    if not payload.endswith(_PAYLOAD_END):  # pragma: no cover - the keys are fixed above
        raise AssertionError("the previous hash is no longer the payload's last key")
    return payload[:-2], payload[-2:]


def compute_hash(event: Any, previous_hash: str) -> str:
    """The hash an event must carry, given the hash of the event before it in its chain.

    The format follows the event's `chain` (None, or no such attribute: a legacy event).
    """
    chain_format = format_of(getattr(event, "chain", None))
    return hash_content(content_of(event), previous_hash, chain_format=chain_format)
