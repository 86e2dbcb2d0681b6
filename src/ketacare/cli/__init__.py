"""The `ketacare` command: clinical JSON subcommands and Django management commands.

The clinical subcommands (contracts.md section 1) are dispatched before Django is imported, so
they start in a fraction of a second and need no database. Everything else goes to Django's
management commands (`ketacare migrate`, `ketacare demo`, `ketacare audit verify`, ...).
"""

from __future__ import annotations

import importlib
import os
import sys

# Subcommand -> module with `run(args: list[str]) -> object` (see ketacare.cli.clinical).
CLINICAL_COMMANDS: dict[str, tuple[str, str]] = {
    "score": ("ketacare.cli.score", "score one rating scale: ketacare score INSTRUMENT FILE|-"),
    "screen": ("ketacare.cli.screen", "eligibility screen for one route: ketacare screen FILE|-"),
    "dose": ("ketacare.cli.dose", "dose arithmetic and limits: ketacare dose FILE|-"),
    "monitor": (
        "ketacare.cli.monitor",
        "session monitoring, alerts, discharge: ketacare monitor FILE|-",
    ),
    "outcomes": ("ketacare.cli.outcomes", "response, remission, relapse: ketacare outcomes FILE|-"),
    "schedule": (
        "ketacare.cli.schedule",
        "session schedule of a protocol: ketacare schedule FILE|-",
    ),
    "protocols": ("ketacare.cli.protocols", "list protocols and their phases: ketacare protocols"),
    "rules": ("ketacare.cli.rules", "rule catalogue: ketacare rules [--format json|markdown]"),
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `ketacare` console script; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in CLINICAL_COMMANDS:
        from ketacare.cli.clinical import Text, run_clinical
        from ketacare.cli.usage import help_text, wants_help

        name = args[0]
        if wants_help(args[1:]):
            # `--help` or `-h` anywhere asks for usage, never names a file (use ./--help for one).
            return run_clinical(name, lambda _args: Text(help_text(name)), [])
        module = importlib.import_module(CLINICAL_COMMANDS[name][0])
        return run_clinical(name, module.run, args[1:])
    return _run_django(args)


def _run_django(args: list[str]) -> int:
    if len(args) == 2 and args[0] == "help" and args[1] in CLINICAL_COMMANDS:
        # `ketacare help score`, as the listing below suggests for every subcommand.
        return main([args[1], "--help"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.config.settings")
    if not args or (args[0] in {"-h", "--help", "help"} and len(args) == 1):
        _print_help()
        return 0
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(["ketacare", *args])
    except OperationalError as exc:
        # An unreachable or missing database: one sentence, not a traceback.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"ketacare: cannot use the database named by DATABASE_URL ({reason}).\n")
        return 1
    return 0


def _print_help() -> None:
    lines = [
        "Usage: ketacare SUBCOMMAND [options]",
        "",
        "Clinical subcommands (JSON in, JSON out; no database):",
    ]
    width = max(len(name) for name in CLINICAL_COMMANDS)
    for name, (_module, summary) in CLINICAL_COMMANDS.items():
        lines.append(f"  {name.ljust(width)}  {summary}")
    lines.append("")
    print("\n".join(lines), flush=True)

    import django
    from django.core.management import ManagementUtility

    try:
        django.setup()  # so the listing includes KetaCare's own commands (demo, token, audit)
    except SystemExit:  # the settings refused the environment and said why on standard error
        print("Management commands are listed once the configuration is fixed.")
        return
    print(ManagementUtility(["ketacare"]).main_help_text())
