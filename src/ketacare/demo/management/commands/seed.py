"""`ketacare seed --patients N [--clinics K] [--seed S] [--today YYYY-MM-DD] [--months M]`:
synthetic clinics with charts, courses and monitored sessions, at scale (docs/cli.md).

Adds the clinics "Synthetic Clinic S-1" ... "S-K" and everything in them, in one transaction
(all or nothing), deterministic from the seed and `--today`; refuses a seed whose clinics exist
already. Prints a progress bar (standard error) and, at the end, the rows written and the rate.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Channel
from ketacare.demo.seed.run import SeedError, SeedOptions, run_seed

MAX_WORKERS = 64


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--today must be a date as YYYY-MM-DD; got {value!r}.", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "Create synthetic clinics with patients, charts, plans and monitored sessions "
        "(deterministic from --seed; bulk inserts, COPY on PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True, help="patients in all")
        parser.add_argument("--clinics", type=int, default=1, help="clinics (default 1)")
        parser.add_argument("--seed", type=int, default=1, help="the seed (default 1)")
        parser.add_argument(
            "--today",
            help="the day the data ends, YYYY-MM-DD (default: today); sessions before it are "
            "charted, later ones scheduled",
        )
        parser.add_argument(
            "--months", type=int, default=6, help="months of treatment history (default 6)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="processes generating the data (default: the cores on PostgreSQL, none on "
            "SQLite); the data is the same with any number",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        seed_options = SeedOptions(
            patients=options["patients"],
            clinics=options["clinics"],
            seed=options["seed"],
            today=_date(options["today"]) if options["today"] else None,
            months=options["months"],
        )
        try:
            seed_options.checked()
        except SeedError as error:
            raise CommandError(str(error), returncode=2) from None
        workers = options["workers"]
        if workers is not None and not 0 <= workers <= MAX_WORKERS:
            raise CommandError(
                f"--workers must be a whole number from 0 to {MAX_WORKERS}.", returncode=2
            )
        progress = Progress(
            TextColumn("seeding"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("patients"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            disable=options["quiet"],
        )
        with using_context(RequestContext(channel=Channel.CLI)), progress:
            task = progress.add_task("seed", total=seed_options.patients)
            try:
                report = run_seed(
                    seed_options,
                    workers=workers,
                    advance=lambda n: progress.advance(task, n),
                )
            except SeedError as error:
                raise CommandError(str(error), returncode=2) from None
        console = Console(file=self.stdout, width=100, color_system=None, soft_wrap=True)
        table = Table(title=f"Seed {report.seed}: rows written")
        table.add_column("Table")
        table.add_column("Rows", justify="right")
        for name, count in {**report.extra, **report.counts}.items():
            table.add_row(name, f"{count:,}")
        table.add_row("history (simple-history)", f"{report.history_rows:,}")
        console.print(table)
        patients = report.counts.get("patients_patient", 0)
        console.print(
            f"Seeded {report.rows:,} rows ({patients:,} patients) in {report.seconds:.1f} s: "
            f"{report.rate:,.0f} rows/s, {patients / max(report.seconds, 1e-9):,.0f} patients/s."
        )
