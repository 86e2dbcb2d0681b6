"""`bench/write_path.py` and `bench/pages.py` run end to end and print their figures (a smoke
run: the shape, never the speed).

Both need a PostgreSQL server (each creates and drops its own `kc_bench_*` database there), so
they run in the suite's PostgreSQL pass, against the server the suite uses, and are skipped on
SQLite. The figures belong to `bench/results.md`: nothing here asserts a rate or a ratio.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")
MILLISECONDS = re.compile(r"^\d+\.\d+$")
RATIO = re.compile(r"^\d+\.\d{2}x$")
VERDICT = re.compile(r"^(PASS|MISS)  \S")


def _server_url() -> str:
    """The PostgreSQL server of the suite's database (the bench makes its own database there)."""
    db = settings.DATABASES["default"]
    user = quote(str(db.get("USER") or "postgres"))
    password = f":{quote(str(db['PASSWORD']))}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/postgres"


pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the web benchmarks need PostgreSQL: they run in the suite's PostgreSQL pass",
)


def run_bench(script: str, *args: str) -> str:
    env = {**os.environ, "BENCH_POSTGRES_URL": _server_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the bench sets its own
    proc = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "bench" / script), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def table_rows(output: str) -> list[list[str]]:
    """The first table's rows, split on runs of two or more spaces."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^-+  -+", line))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def verdicts(output: str) -> list[str]:
    targets = output.split("Targets (issue 9, point 7", 1)[1].split("\n", 1)[1]
    return [line.strip() for line in targets.strip().splitlines()]


@pytest.fixture(scope="module")
def write_path() -> str:
    # Two clinics: each client writes with its own clinic's nurse and token.
    return run_bench("write_path.py", "--clients", "1,2", "--clinics", "2")


@pytest.fixture(scope="module")
def pages() -> str:
    return run_bench("pages.py")


def test_write_path_measures_each_target_at_each_client_count(write_path: str) -> None:
    rows = table_rows(write_path)

    assert [(row[0], row[1]) for row in rows] == [
        (target, clients)
        for clients in ("1", "2")
        for target in ("api", "floor", "audited", "psycopg")
    ]
    for target, _clients, requests, rate, p50, p99, *rest in rows:
        assert NUMBER.match(requests) and int(requests.replace(",", "")) > 0, target
        assert NUMBER.match(rate), target
        assert MILLISECONDS.match(p50) and MILLISECONDS.match(p99), target
        # api: its rate over the floor's and over the audited floor's; audited: over the floor's.
        ratios, errors = rest[:-1], rest[-1]
        assert errors == "-", f"{target}: failed requests {errors}"
        expected = {"api": 2, "audited": 1}.get(target, 0)
        assert len(ratios) == expected and all(RATIO.match(r) for r in ratios), (target, rest)


def test_write_path_names_its_machine_and_judges_both_targets(write_path: str) -> None:
    assert "cores" in write_path
    assert "dosed sessions in 2 clinic(s)" in write_path
    assert "PostgreSQL" in write_path
    assert "Most readings a session held at the end of an api" in write_path
    assert re.search(
        r"api \d+ queries, [\d.]+ ms CPU .*floor 1 queries, [\d.]+ ms CPU .*audited \d+ queries",
        write_path,
    )
    lines = verdicts(write_path)
    assert [line.split(":")[0][6:] for line in lines] == [
        "api >= 0.5x the floor at 1 clients",
        "api >= 0.5x the floor at 2 clients",
    ]
    assert all(VERDICT.match(line) for line in lines), lines


def test_pages_times_every_page_against_the_empty_one(pages: str) -> None:
    rows = {row[0]: row for row in table_rows(pages)}

    assert list(rows) == [
        "empty",
        "layout",
        "chart",
        "sessions",
        "sessions-all",
        "board",
        "session",
    ]
    assert rows["empty"][4] == "1.00x"
    assert rows["sessions"][1].endswith("/sessions/")
    assert rows["sessions-all"][1].endswith("/sessions/?all=1")
    for name, (_page, path, p50, p95, ratio, cpu, cpu_ratio, queries, kib) in rows.items():
        assert path.startswith("/"), name
        assert MILLISECONDS.match(p50) and MILLISECONDS.match(p95), name
        assert MILLISECONDS.match(cpu), name
        assert RATIO.match(ratio) and RATIO.match(cpu_ratio), name
        assert queries.isdigit() and kib.isdigit(), name


def test_pages_judges_each_heavy_page(pages: str) -> None:
    lines = verdicts(pages)
    measured = [line.split(" p95")[0][6:] for line in lines]

    assert measured == ["chart", "sessions", "sessions-all", "board"]
    assert all(VERDICT.match(line) for line in lines), lines
