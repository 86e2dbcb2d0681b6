"""Write-path benchmark (issue 9, point 7): a vitals reading through the API against the floor.

    .venv/bin/python bench/write_path.py            # the figures of bench/results.md
    .venv/bin/python bench/write_path.py --quick    # smoke run: seconds, figures not meaningful
    .venv/bin/python bench/write_path.py --check    # exit 1 when a target is missed
    .venv/bin/python bench/write_path.py --profile 50   # where an api request's time goes

One run, one fresh PostgreSQL database (`kc_bench_write_path_*`, dropped afterwards) with the
migrations applied, one real server: gunicorn from this Python with the production settings
(`bench.support.settings`: the application's, plus the bench's floor view), gthread workers
(`--workers 4 --threads 4` by default, 16 requests in flight), keep-alive connections. Three
targets, measured at 1, 4 and 16 concurrent clients:

- api: `POST /api/v1/sessions/{id}/readings` with a nurse's bearer token: token check, the
  session looked up in the nurse's clinic, validation, the monitoring rules over the session's
  readings, new alerts stored, the audit event, commit; expects 201.
- floor: the same request body to a view that only inserts the row (`bench.support.views`:
  JSON parsed, one ORM INSERT in autocommit, 201 with the id) through the same middleware.
- audited: the floor plus what every authenticated, audited write does whatever it writes:
  the same bearer token checked as the API checks it, the INSERT and its audit event in one
  transaction, COMMIT (`bench.support.views.audited_floor_reading`). No session read, no
  validation, no rules. Not a target of the issue: it shows how much of the distance between
  the API and the floor no reading path can close while it authenticates and audits.
- psycopg: `INSERT ... RETURNING id` of the same row and `COMMIT` on a plain psycopg
  connection per client, no HTTP: what the database itself costs.

Clients are threads of this process, each with its own keep-alive connection, sending back to
back (a closed loop: a client waits for its answer before the next request). Each client writes
to its own share of the prepared sessions (dosed 20 minutes ago through the chair services, two
readings each), so no two clients touch one session and no session grows past a realistic
number of readings; the rows a measurement added are deleted before the next, so every
measurement starts from the same sessions. Before anything is timed every worker serves some
requests (a worker's first ones import and build the API's schemas). Each measurement sends
requests for `--duration` seconds after a `--warmup`; requests/s is the requests answered over
the time from the start to the last answer, p50/p99 the time from sending a request to reading
its whole answer. The ratios are api / floor and api / audited at the same number of clients.
Targets: the API at least 0.5x the floor, and its p99 below 50 ms at 16 clients.

The server and the clients share the machine (2 cores here): the clients' own time is part of
every figure, the same for the three targets. So that a busy machine can still be read, one
request of api and of floor is first sent in this process, without the server: the statements
it sends (BEGIN and COMMIT not counted) and its median CPU time, which moves far less with the
machine's load than the clock. `--profile N` profiles N api requests that way instead.

`--clinics K` spreads the sessions over K clinics, each with its nurse and token (session i in
clinic i % K, so with 16 clients and 4 clinics four clients write to each clinic): every clinic
has its own audit chain, and the clinics' writes do not queue behind one another's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import postgres, profiling
from bench.support.environment import ROOT, setup_django
from bench.support.report import machine_line, percentile, table
from bench.support.wsgi import Answer, WsgiClient

SEED = 20261203
CLIENTS = (1, 4, 16)
DURATION_S = 10.0
WARMUP_S = 2.0
SESSIONS = 128
WORKERS = 4
THREADS = 4
QUICK_CLIENTS = (1, 2)
QUICK_DURATION_S = 0.5
QUICK_WARMUP_S = 0.2
QUICK_SESSIONS = 4

# Targets of issue 9, point 7.
MINIMUM_RATIO = 0.5
MAXIMUM_P99_MS = 50.0
P99_CLIENTS = 16

# The reading every request sends (normal values: no alert), as a monitor would.
BODY = {
    "systolic": 124,
    "diastolic": 78,
    "heart_rate": 76,
    "spo2": 98,
    "respiratory_rate": 14,
    "moaas": 5,
}
VALUE_COLUMNS = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas")

Send = Callable[[int], int]  # session index -> HTTP status (201 expected)


@dataclass(frozen=True)
class Target:
    name: str
    make_client: Callable[[], tuple[Send, Callable[[], None]]]  # (send, close)


@dataclass
class Measurement:
    target: str
    clients: int
    elapsed: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


@dataclass(frozen=True)
class Prepared:
    """The ids the clients need: the sessions and who they belong to."""

    sessions: list[tuple[int, int, int, int]]  # (session, clinic, patient, the clinic's nurse)
    tokens: list[str]  # the bearer token of each session's nurse, by session index
    reading_watermark: int
    alert_watermark: int


# --- the data -----------------------------------------------------------------------------------


def prepare(count: int, seed: int, clinics: int = 1) -> Prepared:
    """`count` dosed sessions in `clinics` clinics, session i in clinic i % clinics (so with
    16 clients and 4 clinics, client k writes to clinic k % 4: four clients per clinic)."""
    from bench.support import data
    from django.db.models import Max

    from ketacare.accounts.services import create_api_token
    from ketacare.chair.models import Reading, SessionAlert

    rng = random.Random(seed)
    per_clinic = []
    for k in range(clinics):
        staff = data.open_clinic("write" if clinics == 1 else f"write {k + 1}")
        share = len(range(k, count, clinics))
        sessions = data.dosed_sessions(staff, share, rng, first_number=1 + k * count)
        token = create_api_token(user=staff.nurse.user, name="bench write path", days=1)
        per_clinic.append((staff, sessions, token.value))
    rows, tokens = [], []
    for i in range(count):
        staff, sessions, token = per_clinic[i % clinics]
        session = sessions[i // clinics]
        rows.append((session.pk, session.clinic_id, session.patient_id, staff.nurse.user_id))
        tokens.append(token)
    return Prepared(
        sessions=rows,
        tokens=tokens,
        reading_watermark=Reading.objects.aggregate(m=Max("pk"))["m"] or 0,
        alert_watermark=SessionAlert.objects.aggregate(m=Max("pk"))["m"] or 0,
    )


def reset(prepared: Prepared) -> int:
    """Delete what the last measurement added; returns the most readings a session had."""
    from django.db import connection

    from ketacare.chair.models import Reading, SessionAlert

    with connection.cursor() as cursor:
        table_name = connection.ops.quote_name(Reading._meta.db_table)
        cursor.execute(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n "  # noqa: S608 - our table
            f"FROM {table_name} GROUP BY session_id) AS counts"
        )
        most = int(cursor.fetchone()[0])
        # Plain DELETEs: the ORM's cascade would list every id in one statement, past the
        # 65 535 parameters a statement bound on the server may carry.
        for model, watermark in (
            (SessionAlert, prepared.alert_watermark),
            (Reading, prepared.reading_watermark),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [watermark])  # noqa: S608
    return most


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving the application with the bench settings, until `stop`."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - this Python, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ketacare.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--keep-alive",
                "30",
                "--graceful-timeout",
                "5",
                # The application is imported once, before the workers fork (they start in
                # seconds instead of each importing it on a busy machine); serving is the same.
                "--preload",
                "--log-level",
                "warning",
                "--chdir",
                str(ROOT),
            ],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text(errors='replace')}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/bench/ping")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the figures are taken
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()


# --- the targets --------------------------------------------------------------------------------


def http_target(
    name: str,
    port: int,
    path_of: Callable[[int], str],
    headers_of: Callable[[int], dict[str, str]],
) -> Target:
    body = json.dumps(BODY).encode()

    def make_client() -> tuple[Send, Callable[[], None]]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def send(index: int) -> int:
            headers = {"Content-Type": "application/json", **headers_of(index)}
            conn.request("POST", path_of(index), body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status

        return send, conn.close

    return Target(name, make_client)


def api_target(port: int, prepared: Prepared) -> Target:
    sessions, tokens = prepared.sessions, prepared.tokens
    return http_target(
        "api",
        port,
        lambda i: f"/api/v1/sessions/{sessions[i][0]}/readings",
        lambda i: {"Authorization": f"Bearer {tokens[i]}"},
    )


def floor_target(port: int, prepared: Prepared) -> Target:
    sessions = prepared.sessions

    def path_of(i: int) -> str:
        session, clinic, patient, user = sessions[i]
        return f"/bench/floor/{clinic}/{patient}/{session}/{user}/readings"

    return http_target("floor", port, path_of, lambda i: {})


def audited_target(port: int, prepared: Prepared) -> Target:
    sessions, tokens = prepared.sessions, prepared.tokens

    def path_of(i: int) -> str:
        session, clinic, patient, _user = sessions[i]
        return f"/bench/audited-floor/{clinic}/{patient}/{session}/readings"

    return http_target("audited", port, path_of, lambda i: {"Authorization": f"Bearer {tokens[i]}"})


def psycopg_target(database_url: str, prepared: Prepared) -> Target:
    import psycopg

    from ketacare.chair.models import Reading

    columns = (
        "clinic_id",
        "patient_id",
        "session_id",
        "at",
        *VALUE_COLUMNS,
        "symptoms",
        "recorded_by_id",
        "recorded_at",
    )
    statement = (
        f"INSERT INTO {Reading._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - our table
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id"
    )
    values = [BODY[name] for name in VALUE_COLUMNS]
    sessions = prepared.sessions
    info = postgres.conninfo(database_url)

    def make_client() -> tuple[Send, Callable[[], None]]:
        conn = psycopg.connect(info)

        def send(index: int) -> int:
            session, clinic, patient, user = sessions[index]
            now = _utcnow()
            conn.execute(
                statement, (clinic, patient, session, now, *values, "[]", user, now)
            ).fetchone()
            conn.commit()
            return 201

        return send, conn.close

    return Target("psycopg", make_client)


def _utcnow() -> object:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


# --- the clients --------------------------------------------------------------------------------


def run(target: Target, clients: int, sessions: int, duration: float) -> Measurement:
    """`clients` threads sending back to back for `duration` seconds; client k writes to the
    sessions k, k + clients, k + 2 * clients, ... in turn. A request sent before the end counts;
    the figure's time runs until its answer (the last client's last answer)."""
    connections = [target.make_client() for _ in range(clients)]
    shares = [list(range(k, sessions, clients)) or [k % sessions] for k in range(clients)]
    results: list[tuple[list[float], dict[str, int]]] = [([], {}) for _ in range(clients)]
    finished_at = [0.0] * clients
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(k: int) -> None:
        send, _close = connections[k]
        latencies, errors = results[k]
        share = shares[k]
        turn = 0
        barrier.wait()
        end = deadline[0]
        clock = time.perf_counter
        start = clock()
        while start < end:
            try:
                status = send(share[turn % len(share)])
            except Exception as error:  # a refused or dropped connection is a failed request
                key = type(error).__name__
                errors[key] = errors.get(key, 0) + 1
                send, _close = connections[k] = target.make_client()
            else:
                if status == 201:
                    latencies.append(clock() - start)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            turn += 1
            finished_at[k] = start = clock()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    begin = time.perf_counter()
    deadline[0] = begin + duration
    barrier.wait()
    for thread in threads:
        thread.join()
    for _send, close in connections:
        close()
    measurement = Measurement(target.name, clients, max(finished_at) - begin)
    for latencies, errors in results:
        measurement.latencies.extend(latencies)
        for key, count in errors.items():
            measurement.errors[key] = measurement.errors.get(key, 0) + count
    measurement.latencies.sort()
    return measurement


# --- in this process ----------------------------------------------------------------------------


def in_process(prepared: Prepared) -> dict[str, Callable[[int], Answer]]:
    """The api and floor requests sent straight into the WSGI application in this process."""
    client = WsgiClient({"Content-Type": "application/json"})
    body = json.dumps(BODY).encode()
    sessions, tokens = prepared.sessions, prepared.tokens

    def api(i: int) -> Answer:
        path = f"/api/v1/sessions/{sessions[i % len(sessions)][0]}/readings"
        auth = {"Authorization": f"Bearer {tokens[i % len(sessions)]}"}
        return client.request("POST", path, body=body, headers=auth)

    def floor(i: int) -> Answer:
        session, clinic, patient, user = sessions[i % len(sessions)]
        path = f"/bench/floor/{clinic}/{patient}/{session}/{user}/readings"
        return client.request("POST", path, body=body)

    def audited(i: int) -> Answer:
        session, clinic, patient, _user = sessions[i % len(sessions)]
        path = f"/bench/audited-floor/{clinic}/{patient}/{session}/readings"
        auth = {"Authorization": f"Bearer {tokens[i % len(sessions)]}"}
        return client.request("POST", path, body=body, headers=auth)

    return {"api": api, "floor": floor, "audited": audited}


def in_process_costs(prepared: Prepared, requests: int) -> dict[str, tuple[int, float]]:
    """Per target: the queries of one request and the median CPU time of this process over
    `requests` requests (CPU time, unlike the clock, hardly moves with the machine's load;
    the database's own CPU time is not in it)."""
    costs = {}
    for name, send in in_process(prepared).items():
        send(0)
        queries, answer = profiling.queries_of(lambda send=send: send(1))
        status = answer.status
        if status != 201:
            raise RuntimeError(f"{name} answered {status}, not 201")
        cpu = sorted(send(turn).cpu for turn in range(2, requests + 2))
        costs[name] = (queries, percentile(cpu, 0.5) * 1000)
        reset(prepared)
    return costs


def profile_api(prepared: Prepared, requests: int) -> str:
    send = in_process(prepared)["api"]
    send(0)
    turn = iter(range(1, requests + 1))
    stats = profiling.profiled(lambda: send(next(turn)), requests)
    reset(prepared)
    return profiling.report(stats, requests)


# --- the report ---------------------------------------------------------------------------------


def _ratio(m: Measurement, baseline: dict[int, Measurement]) -> str:
    base = baseline.get(m.clients)
    return f"{m.rate / base.rate:.2f}x" if base is not None and base.rate else ""


def report(measurements: list[Measurement], most_readings: int) -> list[tuple[str, bool]]:
    floor = {m.clients: m for m in measurements if m.target == "floor"}
    audited = {m.clients: m for m in measurements if m.target == "audited"}
    rows = []
    for m in measurements:
        rows.append(
            (
                m.target,
                str(m.clients),
                f"{len(m.latencies):,}",
                f"{m.rate:,.0f}",
                f"{m.p(0.50):.1f}",
                f"{m.p(0.99):.1f}",
                _ratio(m, floor) if m.target in ("api", "audited") else "",
                _ratio(m, audited) if m.target == "api" else "",
                ", ".join(f"{k}: {v}" for k, v in sorted(m.errors.items())) or "-",
            )
        )
    print(
        table(
            (
                "target",
                "clients",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "/ floor",
                "api/audited",
                "errors",
            ),
            rows,
        )
    )
    print()
    print(f"Most readings a session held at the end of an api measurement: {most_readings}")
    print()
    results = []
    for m in measurements:
        if m.target != "api":
            continue
        ratio = m.rate / floor[m.clients].rate
        results.append(
            (
                f"api >= {MINIMUM_RATIO}x the floor at {m.clients} clients: {ratio:.2f}x",
                ratio >= MINIMUM_RATIO,
            )
        )
        if m.clients == P99_CLIENTS:
            results.append(
                (
                    f"api p99 < {MAXIMUM_P99_MS:g} ms at {m.clients} clients: {m.p(0.99):.1f} ms",
                    m.p(0.99) < MAXIMUM_P99_MS,
                )
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: a few seconds")
    parser.add_argument(
        "--clients", help=f"comma-separated client counts (default {','.join(map(str, CLIENTS))})"
    )
    parser.add_argument("--duration", type=float, help=f"seconds per figure ({DURATION_S:g})")
    parser.add_argument("--warmup", type=float, help=f"seconds before each figure ({WARMUP_S:g})")
    parser.add_argument("--sessions", type=int, help=f"dosed sessions written to ({SESSIONS})")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--clinics",
        type=int,
        default=1,
        help="clinics the sessions are spread over (each its own audit chain; default 1)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="profile N api requests in this process (no server) instead of timing",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick
    levels = (
        tuple(int(c) for c in args.clients.split(","))
        if args.clients
        else (QUICK_CLIENTS if quick else CLIENTS)
    )
    duration = args.duration or (QUICK_DURATION_S if quick else DURATION_S)
    warmup = args.warmup if args.warmup is not None else (QUICK_WARMUP_S if quick else WARMUP_S)
    count = args.sessions or (QUICK_SESSIONS if quick else max(SESSIONS, max(levels)))

    try:
        with postgres.fresh_database("write_path") as url:
            figures = measure(url, args, levels, duration, warmup, count)
    except postgres.NoPostgres as error:
        print(error, file=sys.stderr)
        return 2
    if figures is None:
        return 0
    measurements, results = figures
    print(f"Targets (issue 9, point 7{', quick run' if quick else ''}):")
    for text, met in results:
        print(f"  {'PASS' if met else 'MISS'}  {text}")
    if any(m.errors for m in measurements):
        print("Some requests failed: see the errors column.", file=sys.stderr)
        return 1
    return 1 if args.check and not all(met for _, met in results) else 0


def measure(
    url: str,
    args: argparse.Namespace,
    levels: tuple[int, ...],
    duration: float,
    warmup: float,
    count: int,
) -> tuple[list[Measurement], list[tuple[str, bool]]] | None:
    """Set up the database, start the server, take every figure and print the table."""
    from django.db import connections

    server: Server | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="kc_bench_") as tmp:
            var_dir = Path(tmp)
            env = setup_django(url, var_dir)
            from bench.support.environment import migrate

            started = time.perf_counter()
            migrate()
            prepared = prepare(count, args.seed, args.clinics)
            print(
                f"KetaCare write-path benchmark: {machine_line(postgres.version(url))}\n"
                f"gunicorn gthread {args.workers} workers x {args.threads} threads; "
                f"{count} dosed sessions in {args.clinics} clinic(s); "
                f"{duration:g} s per figure after {warmup:g} s warm-up; "
                f"seed {args.seed}; set-up {time.perf_counter() - started:.0f} s"
                + (" (quick: smoke run, figures not meaningful)" if args.quick else "")
            )
            costs = in_process_costs(prepared, 5 if args.quick else 50)
            print(
                "One request in this process (no server): "
                + "; ".join(
                    f"{name} {queries} queries, {cpu:.1f} ms CPU (median)"
                    for name, (queries, cpu) in costs.items()
                )
            )
            print()
            if args.profile:
                print(profile_api(prepared, args.profile))
                return None
            server = Server(env, args.workers, args.threads, var_dir / "gunicorn.log")
            server.wait_ready()
            targets = (
                api_target(server.port, prepared),
                floor_target(server.port, prepared),
                audited_target(server.port, prepared),
                psycopg_target(url, prepared),
            )
            # A worker's first requests are slow (imports, the API's schemas, its database
            # connections): every worker serves some before anything is timed.
            for target in targets[:3]:
                run(target, max(*levels, args.workers * args.threads), count, max(warmup, 1.0))
            reset(prepared)
            measurements = []
            most = 0
            for clients in levels:
                for target in targets:
                    reset(prepared)
                    run(target, clients, len(prepared.sessions), warmup)
                    measurements.append(run(target, clients, len(prepared.sessions), duration))
                    held = reset(prepared)
                    if target.name == "api":
                        most = max(most, held)
            server.stop()
            if any(m.errors for m in measurements):
                print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
            return measurements, report(measurements, most)
    finally:
        if server is not None:
            server.stop()
        connections.close_all()


if __name__ == "__main__":
    sys.exit(main())
