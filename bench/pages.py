"""Page benchmark (issue 9, point 7): server time of the heavy pages against an empty page.

    .venv/bin/python bench/pages.py                   # the figures of bench/results.md
    .venv/bin/python bench/pages.py --quick           # smoke run: seconds, figures not meaningful
    .venv/bin/python bench/pages.py --check           # exit 1 when a target is missed
    .venv/bin/python bench/pages.py --profile board   # where a page's time goes (cProfile)

One fresh PostgreSQL database (`kc_bench_pages_*`, dropped afterwards) with the migrations
applied, and one clinic built through the services:

- a patient whose plan holds 200 sessions, twice a week: 190 given (pre-dose, dose, eight
  readings, an acknowledged alert at every tenth, a side effect at every seventh, discharge;
  the first of each kind charted through the chair services, the others copies of its rows on
  their own dates, see `bench.support.data.long_history`), 10 still to come: their chart
  `/patients/<id>/`, their sessions page `/patients/<id>/sessions/` (the coming ones, as it
  opens) and the same with `?all=1` (all 200 in one table);
- 30 sessions in the chairs today (20 dosed at different times with their readings, a few with
  an open alert; 10 checked in, not yet dosed): the nurse board `/board/`;
- a dosed session's chair page, for information.

The pages are requested in this process through Django's WSGI handler (the same application
object gunicorn serves, production settings, the whole middleware stack) by the clinic's nurse,
signed in with a confirmed authenticator (past two-factor sign-in). The server time of a request
is from handing the WSGI environ to the handler to the last byte of the answer (network and HTTP
parsing excluded); its CPU time (this process's, the database's excluded) is shown beside it,
for it moves much less than the clock when other jobs share the machine. The pages take turns,
request after request, so a busy moment of the machine falls on all of them alike. The baseline
is an empty page through the same middleware (`bench.support.views.empty_page`): the target is
each heavy page's p95 at most 3x the empty page's p95. The site's layout alone (navigation,
empty body) is shown for information. `queries` counts the SQL statements a request sends
(BEGIN and COMMIT not counted).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import postgres, profiling
from bench.support.environment import migrate, setup_django
from bench.support.report import machine_line, percentile, table
from bench.support.wsgi import Answer, WsgiClient

SEED = 20261203
REQUESTS = 300
WARMUP = 20
HISTORY_SESSIONS = 200
BOARD_CHAIRS = 30
QUICK_REQUESTS = 5
QUICK_WARMUP = 1
QUICK_HISTORY_SESSIONS = 6
QUICK_BOARD_CHAIRS = 3

# Target of issue 9, point 7.
MAXIMUM_RATIO = 3.0
BASELINE = "empty"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    query: str = ""
    measured: bool = True  # held to the target (False: shown for information)

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


@dataclass
class Timing:
    page: Page
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: int = 0
    size: int = 0

    def p(self, fraction: float) -> float:
        return percentile(sorted(self.seconds), fraction) * 1000

    def cpu_p(self, fraction: float) -> float:
        return percentile(sorted(self.cpu), fraction) * 1000


# --- the requests -------------------------------------------------------------------------------


class Browser:
    """GET requests of one signed-in session straight into the WSGI application."""

    def __init__(self, cookie: str) -> None:
        self.client = WsgiClient({"Cookie": cookie, "Accept": "text/html"})

    def get(self, page: Page) -> Answer:
        return self.client.request("GET", page.path, query=page.query)


def signed_in_cookie(user: object) -> str:
    """A session cookie of `user` past two-factor sign-in (a confirmed TOTP device verified in
    the session), as the two-step login leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Bench phone", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    pages: list[Page]
    nurse: object
    description: str


def prepare(history: int, chairs: int, seed: int) -> Prepared:
    from bench.support import data
    from django.urls import reverse

    from ketacare.treatment.models import SessionStatus, TreatmentSession

    rng = random.Random(seed)
    staff = data.open_clinic("pages")
    patient = data.long_history(staff, rng, sessions=history)
    board = data.board_sessions(staff, chairs, rng)
    pages = [
        Page(BASELINE, reverse("bench-empty"), measured=False),
        Page("layout", reverse("bench-layout"), measured=False),
        Page("chart", reverse("patients:chart", args=[patient.pk])),
        Page("sessions", reverse("treatment:patient-sessions", args=[patient.pk])),
        Page("sessions-all", reverse("treatment:patient-sessions", args=[patient.pk]), "all=1"),
    ]
    dosed = (
        TreatmentSession.objects.filter(pk__in=[s.pk for s in board], status=SessionStatus.DOSED)
        .order_by("pk")
        .first()
    )
    pages.append(Page("board", reverse("chair:board")))
    if dosed is not None:
        pages.append(Page("session", reverse("chair:session", args=[dosed.pk]), measured=False))
    return Prepared(
        pages=pages,
        nurse=staff.nurse.user,
        description=f"chart of a patient with {history} sessions, board of {chairs} chairs",
    )


# --- measuring ----------------------------------------------------------------------------------


def count_queries(browser: Browser, page: Page) -> tuple[int, int]:
    queries, answer = profiling.queries_of(lambda: browser.get(page))
    if answer.status != 200:
        raise RuntimeError(f"{page.name} ({page.url}) answered {answer.status}, not 200")
    return queries, answer.size


def measure(browser: Browser, pages: list[Page], requests: int, warmup: int) -> list[Timing]:
    timings = [Timing(page) for page in pages]
    for timing in timings:
        timing.queries, timing.size = count_queries(browser, timing.page)
    for round_number in range(warmup + requests):
        for timing in timings:
            answer = browser.get(timing.page)
            if answer.status != 200:
                raise RuntimeError(f"{timing.page.name} answered {answer.status}, not 200")
            if round_number >= warmup:
                timing.seconds.append(answer.seconds)
                timing.cpu.append(answer.cpu)
    return timings


def profile(browser: Browser, page: Page, requests: int) -> str:
    browser.get(page)
    return profiling.report(profiling.profiled(lambda: browser.get(page), requests), requests)


def report(timings: list[Timing]) -> list[tuple[str, bool]]:
    empty = next(t for t in timings if t.page.name == BASELINE)
    base, base_cpu = empty.p(0.95), empty.cpu_p(0.5)
    rows = [
        (
            t.page.name,
            t.page.url,
            f"{t.p(0.50):.2f}",
            f"{t.p(0.95):.2f}",
            f"{t.p(0.95) / base:.2f}x",
            f"{t.cpu_p(0.50):.2f}",
            f"{t.cpu_p(0.50) / base_cpu:.2f}x",
            str(t.queries),
            f"{t.size / 1024:.0f}",
        )
        for t in timings
    ]
    header = (
        "page",
        "path",
        "p50 ms",
        "p95 ms",
        "p95 / empty",
        "CPU p50 ms",
        "CPU / empty",
        "queries",
        "KiB",
    )
    print(table(header, rows, left=2))
    print()
    return [
        (
            f"{t.page.name} p95 <= {MAXIMUM_RATIO:g}x the empty page: {t.p(0.95) / base:.2f}x "
            f"({t.p(0.95):.1f} ms vs {base:.1f} ms)",
            t.p(0.95) / base <= MAXIMUM_RATIO,
        )
        for t in timings
        if t.page.measured
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: a few seconds")
    parser.add_argument("--requests", type=int, help=f"timed requests per page ({REQUESTS})")
    parser.add_argument("--warmup", type=int, help=f"untimed requests per page first ({WARMUP})")
    parser.add_argument(
        "--history", type=int, help=f"sessions of the long chart ({HISTORY_SESSIONS})"
    )
    parser.add_argument("--chairs", type=int, help=f"sessions on the board ({BOARD_CHAIRS})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--profile", metavar="PAGE[,PAGE]", help="profile pages (by name) instead of timing them"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick
    requests = args.requests or (QUICK_REQUESTS if quick else REQUESTS)
    warmup = args.warmup if args.warmup is not None else (QUICK_WARMUP if quick else WARMUP)
    history = args.history or (QUICK_HISTORY_SESSIONS if quick else HISTORY_SESSIONS)
    chairs = args.chairs or (QUICK_BOARD_CHAIRS if quick else BOARD_CHAIRS)
    try:
        with postgres.fresh_database("pages") as url:
            results = run(url, args, requests, warmup, history, chairs)
    except postgres.NoPostgres as error:
        print(error, file=sys.stderr)
        return 2
    if results is None:
        return 0
    print(f"Targets (issue 9, point 7{', quick run' if quick else ''}):")
    for text, met in results:
        print(f"  {'PASS' if met else 'MISS'}  {text}")
    return 1 if args.check and not all(met for _, met in results) else 0


def run(
    url: str, args: argparse.Namespace, requests: int, warmup: int, history: int, chairs: int
) -> list[tuple[str, bool]] | None:
    from django.db import connections

    try:
        with tempfile.TemporaryDirectory(prefix="kc_bench_") as tmp:
            setup_django(url, Path(tmp))
            started = time.perf_counter()
            migrate()
            prepared = prepare(history, chairs, args.seed)
            browser = Browser(signed_in_cookie(prepared.nurse))
            print(
                f"KetaCare page benchmark: {machine_line(postgres.version(url))}\n"
                f"{prepared.description}; {requests} timed requests per page after {warmup}, "
                f"pages in turn; seed {args.seed}; set-up {time.perf_counter() - started:.0f} s"
                + (" (quick: smoke run, figures not meaningful)" if args.quick else "")
            )
            print()
            if args.profile:
                by_name = {p.name: p for p in prepared.pages}
                for name in args.profile.split(","):
                    if name not in by_name:
                        raise SystemExit(f"--profile takes page names of: {', '.join(by_name)}")
                    print(f"== {name} ({by_name[name].url})")
                    print(profile(browser, by_name[name], requests))
                return None
            return report(measure(browser, prepared.pages, requests, warmup))
    finally:
        connections.close_all()


if __name__ == "__main__":
    sys.exit(main())
