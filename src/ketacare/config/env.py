"""Typed readers of the environment that stop with one sentence on a bad value.

Every secret may also come from `NAME_FILE` (a path whose content is the value), as container
secrets do.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigurationError(Exception):
    """A setting in the environment is missing or malformed; the message is one sentence."""


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(
                f"{name}_FILE names {file_path}, which cannot be read ({exc.strerror})."
            ) from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false (1/0, yes/no); got {raw!r}.")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number; got {raw!r}.") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigurationError(f"{name} must be between {minimum} and {maximum}; got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str, *, base_dir: Path) -> dict[str, object]:
    """Django's DATABASES['default'] from a URL (sqlite:///path or postgres://...)."""
    import dj_database_url

    if not url.strip():
        raise ConfigurationError(
            "DATABASE_URL is empty; set it to sqlite:///path or postgres://user@host/db."
        )
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigurationError(
            f"DATABASE_URL must start with sqlite:// or postgres://; got a {scheme!r} URL."
        )
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except Exception:
        raise ConfigurationError(
            "DATABASE_URL is malformed; expected sqlite:///path or postgres://user@host:port/db."
        ) from None
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        name = str(config.get("NAME") or "")
        # dj-database-url turns sqlite://, sqlite:/// and sqlite://relative into an in-memory
        # database, which would silently vanish (and differ per gunicorn worker).
        if not name or name == ":memory:":
            raise ConfigurationError(
                "DATABASE_URL names no SQLite file; use sqlite:////absolute/path/ketacare.sqlite3."
            )
        config["CONN_MAX_AGE"] = 0
        config.pop("CONN_HEALTH_CHECKS", None)
        # WAL lets readers proceed during a write; foreign keys are on by default in Django's
        # SQLite backend; IMMEDIATE transactions avoid "database is locked" upgrades mid-write.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            # A writer waits up to 20 s for another (web worker, `ketacare worker`) rather than
            # failing with "database is locked" after sqlite3's default 5 s.
            "timeout": 20,
        }
    else:
        if not config.get("NAME"):
            raise ConfigurationError(
                "DATABASE_URL names no PostgreSQL database; add /dbname at the end."
            )
        # Parameters bound by the server, and a statement sent a second time on a connection
        # prepared there (parsed and planned once): a page or an API call sends the same few
        # statements on every request. Connections are kept (CONN_MAX_AGE), so preparing pays.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    return config


# --- files under var/ readable by their owner only ---------------------------------------------

_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def ensure_private_dir(path: Path) -> None:
    """Create `path` (0700: the owner only); an existing directory keeps its mode."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_private_file(path: Path, text: str) -> None:
    """Create `path` with `text`, readable by the owner only from its first byte (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def protect_sqlite_database(path: Path, *, var_dir: Path) -> None:
    """The SQLite file and its WAL/SHM companions readable by their owner only (0600).

    A missing database file is created empty with mode 0600 (SQLite takes an empty file as a new
    database, and gives its -wal and -shm files the database file's mode); one that exists with
    group or other bits is narrowed to 0600. The var directory is created 0700 when the database
    lives in it; any other missing directory is left to SQLite's own error.
    """
    try:
        if path.parent == var_dir:
            ensure_private_dir(var_dir)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # no such directory, or not ours to write: SQLite will say so
    for suffix in _SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)
        except OSError:
            continue  # missing, or another user's file: nothing to narrow
