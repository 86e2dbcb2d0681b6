"""A fresh PostgreSQL database for one benchmark run: `kc_bench_<label>_<random>`, dropped after.

The server is the local one (`postgres://postgres@127.0.0.1:5432`) unless BENCH_POSTGRES_URL
names another (its database part is ignored: the bench creates its own). On a machine where the
local cluster is installed but stopped, it is started the way `.ci/run` does (`pg_ctlcluster`),
so `make bench` works on a fresh machine; without any PostgreSQL the run stops with a sentence.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SERVER_ENV = "BENCH_POSTGRES_URL"
NAME_PREFIX = "kc_bench_"


class NoPostgres(RuntimeError):
    """No PostgreSQL answers and none could be started."""


def server_url() -> str:
    return os.environ.get(SERVER_ENV) or DEFAULT_SERVER


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` (scheme postgres://, as DATABASE_URL expects)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))


def conninfo(url: str) -> str:
    """The URL as psycopg takes it (postgresql:// scheme)."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(conninfo(with_database(url, "postgres")), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _start_local_cluster() -> bool:
    """Start the newest installed Debian cluster, as `.ci/run` does; True when it answers."""
    clusters = Path("/etc/postgresql")
    tool = shutil.which("pg_ctlcluster")
    if tool is None or not clusters.is_dir():
        return False
    versions = sorted(
        (p.name for p in clusters.iterdir() if re.fullmatch(r"\d+(\.\d+)?", p.name)),
        key=lambda v: tuple(int(x) for x in v.split(".")),
    )
    if not versions:
        return False
    print(f"PostgreSQL is not answering: starting the local cluster {versions[-1]}/main")
    subprocess.run(  # noqa: S603 - fixed arguments
        [tool, "--skip-systemctl-redirect", versions[-1], "main", "start"],
        check=False,
        capture_output=True,
    )
    for _ in range(30):
        if answers(server_url()):
            return True
        time.sleep(1)
    return False


def ensure_server() -> str:
    url = server_url()
    if answers(url) or (url == DEFAULT_SERVER and _start_local_cluster()):
        return url
    parts = urlsplit(url)
    raise NoPostgres(
        f"PostgreSQL is not answering at {parts.hostname}:{parts.port or 5432}; the web "
        f"benchmarks need one (start it, or set {SERVER_ENV}=postgres://user@host:port)."
    )


def version(url: str) -> str:
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """Create `kc_bench_<label>_<hex>` and yield its URL; drop it afterwards, whatever happens."""
    import psycopg
    from psycopg import sql

    server = ensure_server()
    name = f"{NAME_PREFIX}{label}_{secrets.token_hex(4)}"
    admin = conninfo(with_database(server, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
