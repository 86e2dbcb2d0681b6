"""`ketacare demo`: the demo clinics with one login per role and synthetic patients at every
step of the path (intake, awaiting review, reviewed, in induction, in maintenance).

Idempotent (a second run changes nothing). Refuses outside demo mode (KETACARE_DEMO=1), since
demo logins with a published password do not belong in a production database; `--force`
overrides that for a deliberate test set-up.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Channel
from ketacare.audit.services import flush_pending_denials
from ketacare.clinics.demo import DEMO_CLINICS, DEMO_PASSWORD, load_demo_data
from ketacare.clinics.models import Clinic
from ketacare.demo.outcomes import email_demo_link
from ketacare.demo.stages import load_stages


class Command(BaseCommand):
    help = (
        "Create the demo clinics, one login per role and synthetic patients at every step "
        "(demo mode only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load the demo data even outside demo mode (never on a real clinic's database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError(
                "Refusing to load demo logins outside demo mode; "
                "set KETACARE_DEMO=1 (or pass --force).",
                returncode=2,
            )
        emailed_to = ""
        with using_context(RequestContext(channel=Channel.CLI)):
            try:
                result = load_demo_data()
                for spec in DEMO_CLINICS:
                    clinic = Clinic.objects.get(name=spec.name)
                    for kind, count in load_stages(clinic).items():
                        result.created[kind] = result.created.get(kind, 0) + count
                    # A fresh link each run (its e-mail is printed above by the console
                    # backend), so the patient's side can be tried after every `make run`.
                    emailed_to = email_demo_link(clinic) or emailed_to
            finally:
                flush_pending_denials()
        console = Console(file=self.stdout, width=100, color_system=None, soft_wrap=True)
        table = Table(title="Demo logins")
        table.add_column("User name")
        table.add_column("Role")
        table.add_column("Clinic")
        for username, role, clinic in result.logins:
            table.add_row(username, role, clinic)
        console.print(table)
        console.print(f"Password for every demo login: {DEMO_PASSWORD}")
        if result.changed:
            summary = ", ".join(_counted(count, kind) for kind, count in result.created.items())
            console.print(f"Created {summary}.")
        else:
            console.print("The demo data was already there; nothing changed.")
        if emailed_to:
            console.print(
                f"A questionnaire link was e-mailed to the demo patient {emailed_to} (the e-mail "
                "is printed above): open its link to answer a PHQ-9 as the patient would."
            )


# The kinds whose noun is not the last word ("sessions in a chair", not "session in a chairs").
_PLURALS = {
    "session in a chair": "sessions in a chair",
    "REMS form submitted": "REMS forms submitted",
}


def _counted(count: int, kind: str) -> str:
    """The count with its kind: "1 patient", "35 patients", "4 sessions in a chair"."""
    if count == 1:
        return f"1 {kind}"
    return f"{count} {_PLURALS.get(kind, kind + 's')}"
