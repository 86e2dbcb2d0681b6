"""`ketacare send-reminders`: for cron. Queues the e-mail invitations of patient timepoints
that have come due and one reminder for each e-mailed link about to expire unanswered, in every
clinic; `ketacare worker` sends them. Prints one line; exit 0. Running it twice sends nothing
twice. `--dry-run` counts without queuing anything.

Links in the e-mails must be absolute, so the site's address comes from `--site-url` (or the
`KETACARE_SITE_URL` environment variable); in demo mode it defaults to http://127.0.0.1:8000.
Exit 2 with one sentence when it is missing or is not an http(s) address.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import Channel
from ketacare.audit.services import flush_pending_denials
from ketacare.outcomes.reminders import send_due_reminders

DEMO_SITE_URL = "http://127.0.0.1:8000"
NO_SITE_URL = (
    "Name the site's address for the links in the e-mails with --site-url "
    "(or KETACARE_SITE_URL), e.g. https://clinic.example.org."
)
BAD_SITE_URL = "--site-url must be an http:// or https:// address, e.g. https://clinic.example.org."


def site_url_or_error(given: str | None) -> str:
    """The site's address for links, from the option, the environment or demo mode."""
    value = given or os.environ.get("KETACARE_SITE_URL", "")
    if not value and settings.DEMO_MODE:
        value = DEMO_SITE_URL
    if not value:
        raise CommandError(NO_SITE_URL, returncode=2)
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CommandError(BAD_SITE_URL, returncode=2)
    return value.rstrip("/") + "/"


class Command(BaseCommand):
    help = (
        "Queue the e-mails of patient scales that are due and one reminder before a link "
        "expires, in every clinic (for cron; `ketacare worker` sends them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is due; queue nothing"
        )
        parser.add_argument(
            "--site-url",
            help="the address patients open links at, e.g. https://clinic.example.org "
            "(default: KETACARE_SITE_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site_url = site_url_or_error(options["site_url"])
        with using_context(RequestContext(channel=Channel.CLI)):
            try:
                run = send_due_reminders(site_url=site_url, dry_run=options["dry_run"])
            finally:
                flush_pending_denials()
        self.stdout.write(run.summary())
