"""`ketacare audit verify` checks the hash chain; `ketacare audit tail` shows the newest events.

Exit codes of `verify`: 0 the chain is intact, 1 the chain is broken (one sentence naming the
first broken event), 2 the chain could not be read (one sentence saying why).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ketacare.audit.chain import canonical_time
from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import AuditEvent, Channel
from ketacare.audit.verification import verify_chain

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Audit trail: verify the hash chain, or show the newest events (ids and actions only)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        verify = subcommands.add_parser(
            "verify",
            help="walk the chain; exit 0 if intact, 1 naming the first broken event",
            description="Recompute every event's hash and check every link, in order.",
        )
        verify.add_argument(
            "--head",
            metavar="HASH",
            help="a head hash recorded earlier (see --show-head); it must still be in the chain",
        )
        verify.add_argument(
            "--show-head", action="store_true", help="also print the newest event's hash, to keep"
        )
        verify.add_argument(
            "--chunk-size", type=_positive, default=2000, help="rows fetched per round trip"
        )
        tail = subcommands.add_parser(
            "tail", help="the newest events: ids, actions, no patient data"
        )
        tail.add_argument("-n", "--lines", type=_positive, default=20, help="how many (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        with using_context(RequestContext(channel=Channel.CLI)):
            try:
                if options["subcommand"] == "verify":
                    self._verify(
                        head=options["head"],
                        chunk_size=options["chunk_size"],
                        show_head=options["show_head"],
                    )
                else:
                    self._tail(lines=options["lines"])
            except DatabaseError as exc:
                first_line = (
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                )
                self.stderr.write(
                    f"The audit trail cannot be read ({first_line}); is the database migrated "
                    "(`ketacare migrate`) and reachable?"
                )
                raise SystemExit(2) from None

    def _verify(self, *, head: str | None, chunk_size: int, show_head: bool) -> None:
        if head is not None and not _HEX64.match(head):
            raise CommandError("--head must be a 64-character lowercase hex hash.", returncode=2)
        report = verify_chain(chunk_size=chunk_size, expected_head=head)
        if report.broken is not None:
            self.stderr.write(report.broken.sentence)
            raise SystemExit(1)
        self.stdout.write(f"Audit chain intact: {report.events_checked} events.")
        if show_head:
            self.stdout.write(f"Head hash: {report.head_hash}")

    def _tail(self, *, lines: int) -> None:
        newest = (
            AuditEvent.objects.order_by("-pk").values_list(
                "pk", "occurred_at", "channel", "action", "object_type", "object_id", "allowed"
            )
        )[:lines]
        for pk, occurred_at, channel, action, object_type, object_id, allowed in reversed(
            list(newest)
        ):
            outcome = "allowed" if allowed else "DENIED"
            target = f"{object_type}:{object_id}" if object_id else object_type or "-"
            self.stdout.write(
                f"{pk}\t{canonical_time(occurred_at)}\t{channel}\t{action}\t{target}\t{outcome}"
            )
