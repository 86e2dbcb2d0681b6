"""`ketacare token create|list|revoke`: personal API bearer tokens.

Bad input (unknown user, bad --days, unknown prefix, text that is not UTF-8) stops with exit
code 2 and one sentence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ketacare.accounts.models import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from ketacare.accounts.services import AccountError, create_api_token, revoke_api_token, tokens_of
from ketacare.audit.context import RequestContext, reset_context, set_context
from ketacare.audit.models import Channel

# The text arguments (option name: how an error names it).
_TEXT_ARGUMENTS = {"user": "--user", "name": "--name", "prefix": "The prefix"}


def _refuse_non_utf8(options: dict[str, Any]) -> None:
    """Bytes of the command line that are not UTF-8 arrive as lone surrogates, which no database
    accepts: one sentence and exit code 2 instead of a traceback."""
    for key, label in _TEXT_ARGUMENTS.items():
        value = options.get(key)
        if not isinstance(value, str):
            continue  # not an argument of this action
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CommandError(f"{label} must be UTF-8 text.", returncode=2) from None


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,list,revoke}"
        )
        create = actions.add_parser("create", help="issue a token; it is printed once")
        create.add_argument("--user", required=True, help="user name of the token's owner")
        create.add_argument("--name", default="", help="a label, e.g. the script that uses it")
        create.add_argument(
            "--days",
            default=str(DEFAULT_TOKEN_DAYS),
            help=f"days until it expires (1 to {MAX_TOKEN_DAYS}, default {DEFAULT_TOKEN_DAYS})",
        )
        listing = actions.add_parser("list", help="list a user's tokens (never their secrets)")
        listing.add_argument("--user", required=True, help="user name")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix", help="the 8 characters after kc_ in the token")

    def handle(self, *args: Any, **options: Any) -> None:
        _refuse_non_utf8(options)
        context = set_context(RequestContext(channel=Channel.CLI))
        try:
            getattr(self, f"_{options['action']}")(options)
        except AccountError as error:
            raise CommandError(str(error), returncode=2) from None
        finally:
            reset_context(context)

    def _user(self, username: str) -> Any:
        user = get_user_model()._default_manager.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is named {username!r}.", returncode=2)
        return user

    def _create(self, options: dict[str, Any]) -> None:
        raw_days = str(options["days"]).strip()
        if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_TOKEN_DAYS:
            message = f"--days must be a whole number from 1 to {MAX_TOKEN_DAYS}"
            raise CommandError(f"{message}; got {options['days']!r}.", returncode=2)
        user = self._user(options["user"])
        issued = create_api_token(user=user, name=options["name"], days=int(raw_days))
        self.stdout.write(issued.value)
        # The token alone on stdout (for `TOKEN=$(ketacare token create ...)`), the note on stderr.
        expires = _fmt(issued.token.expires_at)
        self.stderr.write(
            f"Token {issued.token.prefix} for {user.get_username()} expires {expires}. "
            "Store it now: it is shown only once."
        )

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        tokens = tokens_of(user=user)
        if not tokens:
            self.stdout.write(f"{user.get_username()} has no API tokens.")
            return
        now = timezone.now()
        header = ("PREFIX", "NAME", "CREATED", "EXPIRES", "LAST USED", "STATUS")
        rows = [
            (
                t.prefix,
                t.name or "-",
                _fmt(t.created_at),
                _fmt(t.expires_at),
                _fmt(t.last_used_at),
                t.status_at(now),
            )
            for t in tokens
        ]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token, newly = revoke_api_token(prefix=options["prefix"])
        if newly:
            self.stdout.write(f"Token {token.prefix} is revoked.")
        else:
            self.stdout.write(
                f"Token {token.prefix} was already revoked on {_fmt(token.revoked_at)}."
            )
