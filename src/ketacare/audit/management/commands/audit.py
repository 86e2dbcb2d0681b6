"""`ketacare audit verify` checks the hash chains; `ketacare audit tail` shows the newest events.

`verify` proves every chain (the legacy chain, the system chain, each clinic's chain; see
ketacare.audit.chain). `--show-head` prints each chain's head as `CHAIN=HASH`, the form `--head`
takes back (repeatable); a bare `--head HASH`, the form printed before chains per clinic, must be
found in some chain.

Exit codes of `verify`: 0 every chain is intact, 1 a chain is broken (one sentence per broken
chain, naming its first broken event), 2 the trail could not be read or an argument is malformed
(one sentence saying why).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ketacare.audit.chain import canonical_time, parse_chain_name
from ketacare.audit.context import RequestContext, using_context
from ketacare.audit.models import AuditEvent, Channel
from ketacare.audit.verification import Chain, verify_chains

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_BAD_HEAD = (
    "--head must be CHAIN=HASH (CHAIN: legacy, system or clinic:ID; HASH: 64 lowercase hex "
    "characters) or a bare HASH."
)


def _parse_heads(values: list[str]) -> tuple[dict[Chain, list[str]], list[str]]:
    """`--head` values: heads per chain, and bare heads (of whichever chain holds them)."""
    per_chain: dict[Chain, list[str]] = {}
    anywhere: list[str] = []
    for value in values:
        name, _, head = value.rpartition("=")
        if not _HEX64.match(head):
            raise CommandError(_BAD_HEAD, returncode=2)
        if not name:
            if "=" in value:
                raise CommandError(_BAD_HEAD, returncode=2)
            anywhere.append(head)
            continue
        try:
            chain = parse_chain_name(name)
        except ValueError:
            raise CommandError(_BAD_HEAD, returncode=2) from None
        per_chain.setdefault(chain, []).append(head)
    return per_chain, anywhere


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
            help="walk every chain; exit 0 if intact, 1 naming the first broken event of each",
            description=(
                "Recompute every event's hash and check every link, in order, in every chain "
                "(legacy, system, clinic:ID)."
            ),
        )
        verify.add_argument(
            "--head",
            metavar="CHAIN=HASH",
            action="append",
            default=[],
            help=(
                "a head recorded earlier (see --show-head), e.g. clinic:3=HASH; it must still be "
                "in that chain. Repeatable. A bare HASH must be in some chain"
            ),
        )
        verify.add_argument(
            "--show-head",
            action="store_true",
            help="also print each chain's newest hash as CHAIN=HASH, to keep",
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
                        heads=options["head"],
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

    def _verify(self, *, heads: list[str], chunk_size: int, show_head: bool) -> None:
        per_chain, anywhere = _parse_heads(heads)
        report = verify_chains(
            chunk_size=chunk_size, expected_heads=per_chain, expected_anywhere=anywhere
        )
        if not report.intact:
            for found in report.breaks:
                self.stderr.write(found.sentence)
            raise SystemExit(1)
        chains = len(report.chains)
        self.stdout.write(
            f"Audit chain intact: {report.events_checked} events in {chains} "
            f"chain{'' if chains == 1 else 's'}."
        )
        if show_head:
            for chain in report.chains:
                self.stdout.write(f"Head hash: {chain.name}={chain.head_hash}")

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
