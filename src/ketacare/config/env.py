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
        }
    else:
        if not config.get("NAME"):
            raise ConfigurationError(
                "DATABASE_URL names no PostgreSQL database; add /dbname at the end."
            )
    return config
