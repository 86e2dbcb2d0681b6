"""Audit-chain benchmark (issue 9, point 7): the audited write path before and after chains per
clinic, 16 clients across 4 clinics, on PostgreSQL.

    .venv/bin/python bench/audit_chain.py            # the figures of bench/results.md
    .venv/bin/python bench/audit_chain.py --quick    # smoke run: seconds, figures not meaningful

One run, one fresh PostgreSQL database (`kc_bench_audit_chain_*`, dropped afterwards; or the
database DATABASE_URL names, when given, which must be migrated and is left as it was, apart
from the rows the run adds) with the migrations applied. Each client is a process of its own
(forked after set-up, its own connection, no shared interpreter lock), a closed loop sending
one small audited write transaction after another, as a service does:

    BEGIN; INSERT a weight of the client's patient; append the audit event; COMMIT

Schemes, measured in this order on the same database, clients and transactions:

- old: the append KetaCare did before chains per clinic, kept here since it is gone from src:
  `SET CONSTRAINTS ALL IMMEDIATE; SELECT pg_advisory_xact_lock(<one key>)` (one lock for the
  whole installation, held to COMMIT), the newest event (`ORDER BY id DESC LIMIT 1`), the
  INSERT of a format-1 event chained onto it.
- new: `ketacare.audit.services.record_event` as it is: each clinic's chain, its head row
  locked (`FOR UPDATE`) one round trip before COMMIT.
- new, one clinic: the same 16 clients all writing to one clinic (one chain): what is left
  when nothing can run side by side, i.e. the shorter lock span alone.
- head row (not chosen), 4 clinics and one clinic: the design first tried, kept here to show
  why it was left. A table of chain heads (`bench_audit_chain_head`, made for the run and
  dropped after), the chain's row created if missing, then locked with `SELECT hash ... FOR
  UPDATE`, the INSERT of the format-2 event and the UPDATE of the head in one round trip. Same
  lock span as `new`; the difference is the lock: a row lock is taken by whoever asks while it
  is free, ahead of the transactions already waiting, where an advisory lock is granted in
  order of asking.

16 clients across 4 clinics means 4 clients per clinic, each on a patient of its own, so the
weights never contend: only the audit chain can make them wait. Each measurement is
`--duration` seconds after a `--warmup`; requests/s counts the transactions committed in that
window, p50/p99 the time from BEGIN to the end of COMMIT. The ratio is new / old. The
old-scheme events form a legacy chain (chain format 1), the new ones a chain per clinic, and the
run ends by verifying the whole trail (`verify_chains`), which also proves the old scheme here
writes what the old code wrote.

The clients and the database share the machine (2 cores here): the clients' own Python time is
part of every figure, the same for each scheme.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import postgres
from bench.support.environment import migrate, setup_django
from bench.support.report import machine_line, markdown_table, percentile, table

CLIENTS = 16
CLINICS = 4
DURATION_S = 10.0
WARMUP_S = 2.0
QUICK_DURATION_S = 0.5
QUICK_WARMUP_S = 0.2
# The key of the old scheme's one advisory lock (as the old code had it).
OLD_LOCK_KEY = 7_301_551


_HEAD_ROW_PREPARE = (
    "SET CONSTRAINTS ALL IMMEDIATE; "
    "INSERT INTO bench_audit_chain_head (chain, hash) SELECT %(chain)s, COALESCE("
    "(SELECT hash FROM audit_auditevent WHERE chain = %(chain)s ORDER BY id DESC LIMIT 1), "
    "%(genesis)s) WHERE NOT EXISTS (SELECT 1 FROM bench_audit_chain_head WHERE chain = %(chain)s) "
    "ON CONFLICT (chain) DO NOTHING"
)
_HEAD_ROW_LOCK = "SELECT hash FROM bench_audit_chain_head WHERE chain = %s FOR UPDATE"
_HEAD_ROW_MOVE = "UPDATE bench_audit_chain_head SET hash = %s WHERE chain = %s"


@dataclass(frozen=True)
class Scheme:
    name: str
    append: str  # "old", "new" or "head_row"
    clinics: int


SCHEMES = (
    Scheme("old: one lock for the installation", "old", CLINICS),
    Scheme("new: a chain per clinic", "new", CLINICS),
    Scheme("new, all 16 clients in one clinic", "new", 1),
    Scheme("head row (not chosen), 4 clinics", "head_row", CLINICS),
    Scheme("head row (not chosen), one clinic", "head_row", 1),
)


@dataclass(frozen=True)
class Result:
    scheme: Scheme
    elapsed: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def _event_values(**fields: object) -> dict[str, object]:
    from django.utils import timezone

    return {
        "occurred_at": timezone.now(),
        "actor_user_id": None,
        "actor_username": "",
        "actor_role": "",
        "object_type": "",
        "object_id": "",
        "patient_id": None,
        "channel": "system",
        "ip_address": None,
        "user_agent": "",
        "allowed": True,
        "detail": "",
        **fields,
    }


def _insert(values: dict[str, object], *, chain_format: int) -> tuple[str, list[object]]:
    """The INSERT of an event chained onto `values["previous_hash"]`, as SQL and parameters."""
    from django.db import connection

    from ketacare.audit.chain import HASHED_FIELDS, canonical_content, hash_content
    from ketacare.audit.models import AuditEvent

    values["hash"] = hash_content(
        canonical_content(values), str(values["previous_hash"]), chain_format=chain_format
    )
    columns = (*HASHED_FIELDS, "previous_hash", "hash", *(("chain",) if "chain" in values else ()))
    params = [
        AuditEvent._meta.get_field(name).get_db_prep_save(values[name], connection)
        for name in columns
    ]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO audit_auditevent ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    return sql, params


def append_old_scheme(**fields: object) -> None:
    """The append of the old code: one advisory lock for the whole installation, held to
    COMMIT, taken before the look-up of the table's newest event and the INSERT."""
    from django.db import connection

    from ketacare.audit.chain import GENESIS_HASH

    values = _event_values(**fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE; SELECT pg_advisory_xact_lock(%s)", [OLD_LOCK_KEY]
        )
        # The old query plus `chain IS NULL`, so that it chains onto the legacy chain and the
        # trail still verifies (the set-up's events are the new code's). While this scheme is
        # measured the newest row is always one of its own: the same backward walk of the
        # primary key, stopping at the first row.
        cursor.execute(
            "SELECT hash FROM audit_auditevent WHERE chain IS NULL ORDER BY id DESC LIMIT 1"
        )
        row = cursor.fetchone()
        values["previous_hash"] = row[0] if row else GENESIS_HASH
        cursor.execute(*_insert(values, chain_format=1))


def append_head_row_scheme(**fields: object) -> None:
    """The design first tried: the chain's row in a table of heads, locked FOR UPDATE."""
    from django.db import connection

    from ketacare.audit.chain import CHAIN_FORMAT, chain_for, genesis_of

    values = _event_values(**fields)
    chain = chain_for(values["clinic_id"])  # type: ignore[arg-type]
    values["chain"] = chain
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_ROW_PREPARE, {"chain": chain, "genesis": genesis_of(chain)})
        cursor.execute(_HEAD_ROW_LOCK, [chain])
        (values["previous_hash"],) = cursor.fetchone()
        sql, params = _insert(values, chain_format=CHAIN_FORMAT)
        cursor.execute(sql + "; " + _HEAD_ROW_MOVE, [*params, values["hash"], chain])


APPENDS: dict[str, Callable[..., object]] = {
    "old": append_old_scheme,
    "head_row": append_head_row_scheme,
}


def _client(
    append: str,
    clinic_id: int,
    patient_id: int,
    start_at: float,
    measure_from: float,
    stop_at: float,
    out: Connection,
) -> None:
    """One client process: audited writes back to back; sends (latencies, errors) when done."""
    import datetime as dt

    from django.db import DatabaseError, connections, transaction

    from ketacare.audit.models import Action
    from ketacare.audit.services import record_event
    from ketacare.patients.models import WeightMeasurement

    def write() -> None:
        with transaction.atomic(durable=True):
            weight = WeightMeasurement.objects.create(
                clinic_id=clinic_id,
                patient_id=patient_id,
                weight_kg=70,
                measured_on=dt.date(2026, 12, 3),
            )
            event = {
                "action": Action.CREATE,
                "clinic_id": clinic_id,
                "object_type": "weight",
                "object_id": weight.pk,
                "patient_id": patient_id,
            }
            APPENDS.get(append, record_event)(**event)

    latencies: list[float] = []
    errors = 0
    write()  # connect before the clock starts
    while time.monotonic() < start_at:
        time.sleep(0.001)
    while True:
        begun = time.monotonic()
        if begun >= stop_at:
            break
        try:
            write()
        except DatabaseError:
            errors += 1
            continue
        if begun >= measure_from:
            latencies.append(time.monotonic() - begun)
    connections.close_all()
    out.send((latencies, errors))
    out.close()


def measure(
    scheme: Scheme, patients: list[tuple[int, int]], *, warmup: float, duration: float
) -> Result:
    from django.db import connections

    connections.close_all()  # no connection may cross the fork
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 1.0 + CLIENTS * 0.05
    measure_from = start_at + warmup
    stop_at = measure_from + duration
    clinics = sorted({clinic for clinic, _ in patients})[: scheme.clinics]
    mine = [(c, p) for c, p in patients if c in clinics]
    workers = []
    for n in range(CLIENTS):
        clinic_id, patient_id = mine[n % len(mine)]
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_client,
            args=(scheme.append, clinic_id, patient_id, start_at, measure_from, stop_at, send),
        )
        process.start()
        send.close()
        workers.append((process, receive))
    latencies: list[float] = []
    errors = 0
    for process, receive in workers:
        got, failed = receive.recv()
        latencies.extend(got)
        errors += failed
        process.join()
    latencies.sort()
    return Result(scheme, duration, latencies, errors)


def prepare() -> list[tuple[int, int]]:
    """4 clinics, 16 patients in each (one per client in the one-clinic run): (clinic, patient)."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from ketacare.clinics.models import Membership, Role
    from ketacare.clinics.services import create_clinic
    from ketacare.patients.services import register_patient

    patients = []
    for c in range(CLINICS):
        clinic = create_clinic(
            name=f"Audit bench clinic {c + 1}",
            address_line="1 Main Street",
            zip_code="02115",
            phone="617-555-0100",
            routes=["iv_ketamine"],
        )
        user = get_user_model().objects.create_user(username=f"audit-bench-{clinic.pk}")
        prescriber = Membership.objects.create(user=user, clinic=clinic, role=Role.PRESCRIBER)
        for n in range(CLIENTS):
            patient = register_patient(
                by=prescriber,
                given_name="Bench",
                family_name=f"Patient {c + 1}-{n + 1}",
                date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=n),
                sex_at_birth="female",
            )
            patients.append((clinic.pk, patient.pk))
    # Clients of one clinic take its patients in turn: spread them clinic by clinic.
    by_clinic: dict[int, list[int]] = {}
    for clinic_id, patient_id in patients:
        by_clinic.setdefault(clinic_id, []).append(patient_id)
    spread = []
    for n in range(CLIENTS):
        for clinic_id in sorted(by_clinic):
            spread.append((clinic_id, by_clinic[clinic_id][n]))
    return spread


@contextmanager
def _head_table() -> Iterator[None]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_audit_chain_head (chain bigint PRIMARY KEY, hash varchar(64))"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_audit_chain_head")


def run(database_url: str, *, warmup: float, duration: float, fresh: bool) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="kc-bench-audit-") as var:
        setup_django(database_url, Path(var))
        if fresh:
            migrate()
        patients = prepare()
        results = []
        with _head_table():
            for scheme in SCHEMES:
                print(f"measuring {scheme.name} ...", flush=True)
                results.append(measure(scheme, patients, warmup=warmup, duration=duration))
        from ketacare.audit.verification import verify_chains

        report = verify_chains()
        chains = ", ".join(f"{c.name} {c.events_checked}" for c in report.chains)
        if not report.intact:
            raise SystemExit(
                "the trail does not verify: " + "; ".join(b.sentence for b in report.breaks)
            )
        print(f"trail verified: {report.events_checked} events ({chains})")
    return results


def report(results: list[Result], version: str, *, markdown: bool) -> None:
    old = results[0]
    header = ("scheme", "clinics", "clients", "requests/s", "p50 ms", "p99 ms", "ratio", "errors")
    rows = [
        (
            r.scheme.name,
            str(r.scheme.clinics),
            str(CLIENTS),
            f"{r.rate:,.0f}",
            f"{r.p(0.50):.1f}",
            f"{r.p(0.99):.1f}",
            f"{r.rate / old.rate:.2f}x",
            str(r.errors),
        )
        for r in results
    ]
    print()
    print(machine_line(version))
    print(table(header, rows, left=1))
    if markdown:
        print()
        print(markdown_table(header, rows, left=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--duration", type=float, default=None, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before measuring")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    duration = args.duration or (QUICK_DURATION_S if args.quick else DURATION_S)
    warmup = (
        args.warmup if args.warmup is not None else (QUICK_WARMUP_S if args.quick else WARMUP_S)
    )
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgres"):
        results = run(given, warmup=warmup, duration=duration, fresh=False)
        version = postgres.version(given)
    else:
        try:
            with postgres.fresh_database("audit_chain") as url:
                results = run(url, warmup=warmup, duration=duration, fresh=True)
                version = postgres.version(url)
        except postgres.NoPostgres as exc:
            print(exc, file=sys.stderr)
            return 2
    report(results, version, markdown=args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
