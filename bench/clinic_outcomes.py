"""Clinic outcomes benchmark (issue 10, point 11): the app's query against hand-written SQL.

    .venv/bin/python bench/clinic_outcomes.py             # the figures of bench/results.md
    .venv/bin/python bench/clinic_outcomes.py --quick     # smoke run on 2,000 patients
    .venv/bin/python bench/clinic_outcomes.py --check     # exit 1 when the target is missed
    .venv/bin/python bench/clinic_outcomes.py --seed-only # make (or check) the database only

The data: `ketacare seed` of 100,000 patients in one clinic over 24 months (PHQ-9 at baseline,
before each induction session, at the end of induction, weekly then monthly), on PostgreSQL, in
a database of its own (`kc_bench_outcomes`; `kc_bench_outcomes_quick` for --quick). Seeding
takes a quarter of an hour here, so the database is kept between runs and reused when its
marker matches: a hash of the seed's options and of the seed's and the models' source. Any
change to those seeds it again.

The measurement, in one process, on one connection, the same database:

- app: `ketacare.outcomes.clinic_outcomes.clinic_outcomes` for the clinic (every route, the
  whole 24 months; then per route): what the API and the page call, ORM statements and all,
  returning the document the API answers (Kaplan-Meier arithmetic included).
- hand: the best single SQL statement written by hand for the same numbers (below,
  `HAND_SQL`): one pass over the plans and one over the PHQ-9s, a `DISTINCT ON` for the first
  plan, `LATERAL` look-ups of the answers, the same window reading of relapse; its rows are
  turned into the same document by the same Kaplan-Meier function (microseconds).

Both are run in turn, `--rounds` times after a warm-up round; the figure is each one's median.
The two documents must be equal (asserted), and the target is app <= 1.5 x hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import postgres
from bench.support.environment import ROOT, migrate, setup_django

PATIENTS = 100_000
QUICK_PATIENTS = 2_000
MONTHS = 24
SEED = 20261130
TODAY = dt.date(2026, 11, 30)
ROUNDS = 7
TARGET_RATIO = 1.5
DATABASE = "kc_bench_outcomes"
MARKER_TABLE = "bench_seed_marker"


def marker(patients: int) -> str:
    """What the seeded database was made from: the options and the source that made it."""
    digest = hashlib.sha256(f"{patients}:{MONTHS}:{SEED}:{TODAY}".encode())
    sources = sorted((ROOT / "src/ketacare/demo/seed").glob("*.py"))
    sources += sorted((ROOT / "src/ketacare").glob("*/migrations/0*.py"))
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stored_marker(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(postgres.conninfo(url), connect_timeout=3) as conn:
            row = conn.execute(f"SELECT marker FROM {MARKER_TABLE}").fetchone()  # noqa: S608
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


def _recreate(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    admin = postgres.conninfo(postgres.with_database(server, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepared_database(patients: int, name: str) -> tuple[str, bool]:
    """The database's URL, seeded; True when it had to be seeded now."""
    server = postgres.ensure_server()
    url = postgres.with_database(server, name)
    wanted = marker(patients)
    if _stored_marker(url) == wanted:
        return url, False
    _recreate(server, name)
    return url, True


def seed(patients: int) -> None:
    """Migrate and seed the database Django is set up on, then store the marker."""
    from django.db import connection

    from ketacare.demo.seed.run import SeedOptions, run_seed

    migrate()
    started = time.perf_counter()
    report = run_seed(
        SeedOptions(patients=patients, clinics=1, seed=SEED, today=TODAY, months=MONTHS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (marker text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s)", [marker(patients)])  # noqa: S608
    print(
        f"Seeded {patients:,} patients ({report.rows:,} rows) in "
        f"{time.perf_counter() - started:.0f} s"
    )


# The best hand-written statement for the same numbers (PostgreSQL): the first qualifying plan
# per patient by DISTINCT ON, the answers by LATERAL index look-ups, the plans computed once
# (MATERIALIZED) for both the counts and the relapse windows, one round trip.
HAND_SQL = """
WITH qualifying AS (
    SELECT DISTINCT ON (p.patient_id) p.id, p.patient_id
    FROM treatment_treatmentplan p
    WHERE p.clinic_id = %(clinic)s
      AND (%(route)s::text IS NULL OR p.route = %(route)s::text)
      AND EXISTS (
          SELECT 1 FROM treatment_treatmentsession s
          WHERE s.plan_id = p.id AND s.status IN ('dosed', 'discharged')
            AND s.date BETWEEN %(first)s AND %(last)s)
    ORDER BY p.patient_id, p.start, p.id
),
plans AS MATERIALIZED (
    SELECT q.patient_id, COALESCE(b.total, fb.total) AS baseline,
           e.total AS end_total, e.completed_at AS end_at
    FROM qualifying q
    LEFT JOIN LATERAL (
        SELECT a.total FROM outcomes_timepoint t
        JOIN patients_assessment a ON a.id = t.assessment_id
        WHERE t.plan_id = q.id AND t.kind = 'baseline' AND t.instrument = %(scale)s
          AND a.total IS NOT NULL LIMIT 1) b ON true
    LEFT JOIN LATERAL (
        SELECT a.total FROM patients_assessment a
        WHERE b.total IS NULL AND a.clinic_id = %(clinic)s AND a.patient_id = q.patient_id
          AND a.instrument = %(scale)s AND a.total IS NOT NULL
          AND (a.completed_at AT TIME ZONE %(tz)s)::date <= (
              SELECT min(s.date) FROM treatment_treatmentsession s
              WHERE s.plan_id = q.id AND s.status IN ('dosed', 'discharged'))
        ORDER BY a.completed_at DESC, a.id DESC LIMIT 1) fb ON true
    LEFT JOIN LATERAL (
        SELECT a.total, a.completed_at FROM outcomes_timepoint t
        JOIN patients_assessment a ON a.id = t.assessment_id
        WHERE t.plan_id = q.id AND t.kind = 'end_of_induction' AND t.instrument = %(scale)s
          AND a.total IS NOT NULL LIMIT 1) e ON true
),
counts AS (
    SELECT count(*) AS treated,
           count(*) FILTER (WHERE baseline IS NOT NULL AND end_total IS NOT NULL) AS n,
           count(*) FILTER (WHERE baseline > 0 AND end_total IS NOT NULL
               AND (baseline - end_total) * %(den)s >= baseline * %(num)s) AS responded,
           count(*) FILTER (WHERE baseline IS NOT NULL AND end_total <= %(remission)s)
               AS remitted
    FROM plans
),
followed AS (
    SELECT a.patient_id, a.id, a.completed_at,
           (a.completed_at AT TIME ZONE %(tz)s)::date
               - (r.end_at AT TIME ZONE %(tz)s)::date AS day_number,
           (a.total >= %(relapse)s)::int AS high
    FROM plans r
    JOIN patients_assessment a
      ON a.clinic_id = %(clinic)s AND a.patient_id = r.patient_id
     AND a.instrument = %(scale)s AND a.total IS NOT NULL AND a.completed_at >= r.end_at
    WHERE r.baseline > 0 AND r.end_total IS NOT NULL
      AND (r.baseline - r.end_total) * %(den)s >= r.baseline * %(num)s
),
runs AS (
    SELECT patient_id, day_number, high,
           sum(1 - high) OVER (PARTITION BY patient_id ORDER BY completed_at, id) AS lows
    FROM followed
),
paired AS (
    SELECT patient_id, day_number, high, lows,
           sum(high) OVER (PARTITION BY patient_id, lows ORDER BY day_number
                           RANGE BETWEEN UNBOUNDED PRECEDING AND %(min_days)s PRECEDING)
               AS earlier_highs
    FROM runs
),
per_patient AS (
    SELECT min(day_number) FILTER (WHERE high = 1 AND lows >= 1 AND earlier_highs >= 1)
               AS relapse_day,
           max(day_number) AS last_day
    FROM paired GROUP BY patient_id
),
km AS (
    SELECT COALESCE(relapse_day, last_day) AS day,
           count(relapse_day) AS events, count(*) - count(relapse_day) AS censored
    FROM per_patient GROUP BY 1
)
SELECT c.treated, c.n, c.responded, c.remitted,
       (SELECT json_agg(json_build_array(day, events, censored) ORDER BY day) FROM km)
FROM counts c
"""


def hand_document(clinic_id: int, filters: object) -> dict[str, object]:
    """The hand-written statement's rows, as the app's document (same Kaplan-Meier function)."""
    from django.conf import settings
    from django.db import connection

    from ketacare.clinical.outcomes.statistics import SurvivalRow, kaplan_meier, wilson
    from ketacare.clinical.rules import DEFAULT_SETTINGS
    from ketacare.outcomes.clinic_outcomes import ClinicOutcomes, Thresholds

    t = Thresholds.of(filters.scale, DEFAULT_SETTINGS)  # type: ignore[attr-defined]
    assert t.relapse_max_days is None  # noqa: S101 - the statement reads PHQ-9's rule
    params = {
        "clinic": clinic_id,
        "route": filters.route,  # type: ignore[attr-defined]
        "first": filters.date_from,  # type: ignore[attr-defined]
        "last": filters.date_to,  # type: ignore[attr-defined]
        "scale": filters.scale,  # type: ignore[attr-defined]
        "tz": settings.TIME_ZONE,
        "num": t.response_numerator,
        "den": t.response_denominator,
        "remission": t.remission_at_most,
        "relapse": t.relapse_at_least,
        "min_days": t.relapse_min_days,
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        treated, n, responded, remitted, curve = cursor.fetchone()
    rows = [SurvivalRow(int(d), int(e), int(c)) for d, e, c in (curve or [])]
    return ClinicOutcomes(
        filters=filters,  # type: ignore[arg-type]
        patients_treated=treated,
        response=wilson(responded, n),
        remission=wilson(remitted, n),
        remission_at_most=t.remission_at_most,
        relapse=kaplan_meier(rows),
        benchmarks=(),
    ).as_document()


def _median_seconds(run: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(patients: int, rounds: int) -> bool:
    """Both ways for every route and for each route alone; the documents equal, the times."""
    from ketacare.clinics.models import Clinic
    from ketacare.outcomes.clinic_outcomes import OutcomeFilters, compute_clinic_outcomes

    clinic = Clinic.objects.get(name__startswith=f"Synthetic Clinic {SEED}-")
    first = TODAY - dt.timedelta(days=MONTHS * 31)
    met = True
    print(
        f"Clinic outcomes over {patients:,} seeded patients (PHQ-9, sessions from {first} to "
        f"{TODAY}), median of {rounds} rounds after a warm-up:"
    )
    for route in (None, "iv_ketamine", "esketamine_nasal"):
        filters = OutcomeFilters(first, TODAY, route)
        app = compute_clinic_outcomes(clinic.pk, filters).as_document()
        app_compared = {**app, "benchmarks": []}
        hand = hand_document(clinic.pk, filters)
        assert app_compared == hand, f"the numbers differ for route {route}"  # noqa: S101
        app_s = _median_seconds(lambda f=filters: compute_clinic_outcomes(clinic.pk, f), rounds)
        hand_s = _median_seconds(lambda f=filters: hand_document(clinic.pk, f), rounds)
        ratio = app_s / hand_s
        met = met and ratio <= TARGET_RATIO
        response, relapse = app["response"], app["relapse"]
        print(
            f"  {route or 'every route':<17} treated {app['patients_treated']:>6,}  "
            f"response {response['k']:,}/{response['n']:,}  "  # type: ignore[index]
            f"relapses {relapse['events']:,}/{relapse['responders']:,}  "  # type: ignore[index]
            f"app {app_s * 1000:7.0f} ms  hand {hand_s * 1000:7.0f} ms  ratio {ratio:.2f} "
            f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'} (target <= {TARGET_RATIO})"
        )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PATIENTS:,} patients")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seed-only", action="store_true", help="make the database and stop")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    patients = QUICK_PATIENTS if args.quick else PATIENTS
    name = f"{DATABASE}_quick" if args.quick else DATABASE
    try:
        url, needs_seed = prepared_database(patients, name)
    except postgres.NoPostgres as error:
        print(error, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kc_bench_") as tmp:
        setup_django(url, Path(tmp))
        if needs_seed:
            seed(patients)
        if args.seed_only:
            return 0
        met = measure(patients, max(1, args.rounds))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
