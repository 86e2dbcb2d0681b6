"""`ketacare token create|list|revoke`: shown once, stored hashed, audited on the CLI channel."""

from __future__ import annotations

import hashlib
import io
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ketacare.accounts.models import ApiToken
from ketacare.audit.models import Action, AuditEvent

TOKEN_RE = re.compile(r"^kc_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
KETACARE = Path(sys.executable).parent / "ketacare"


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_hash(alice):
    out, err = _run("create", "--user", "alice", "--name", "reports script")

    match = TOKEN_RE.match(out.strip())
    assert match is not None
    prefix, secret = match.groups()
    token = ApiToken.objects.get()
    assert (token.user_id, token.name, token.prefix) == (alice.user.pk, "reports script", prefix)
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.fields)
    assert (token.expires_at - token.created_at).days == 90
    assert "shown only once" in err


def test_create_accepts_a_number_of_days(alice):
    _run("create", "--user", "alice", "--days", "365")

    token = ApiToken.objects.get()
    assert (token.expires_at - token.created_at).days == 365


@pytest.mark.parametrize("days", ["0", "366", "-1", "ten", "1.5"])
def test_a_bad_number_of_days_stops_with_exit_code_2(alice, days):
    with pytest.raises(CommandError) as error:
        _run("create", "--user", "alice", "--days", days)

    assert error.value.returncode == 2
    assert str(error.value) == f"--days must be a whole number from 1 to 365; got {days!r}."
    assert not ApiToken.objects.exists()


def test_an_unknown_user_stops_with_exit_code_2(db):
    with pytest.raises(CommandError) as error:
        _run("create", "--user", "ghost")

    assert error.value.returncode == 2
    assert str(error.value) == "No active user is named 'ghost'."


def test_an_inactive_user_gets_no_token(alice):
    alice.user.is_active = False
    alice.user.save()

    with pytest.raises(CommandError) as error:
        _run("create", "--user", "alice")

    assert error.value.returncode == 2
    assert not ApiToken.objects.exists()


def test_list_shows_prefixes_and_status_but_never_secrets(alice):
    first, _ = _run("create", "--user", "alice", "--name", "one")
    second, _ = _run("create", "--user", "alice", "--name", "two")
    revoked_prefix = TOKEN_RE.match(second.strip()).group(1)
    _run("revoke", revoked_prefix)

    out, _ = _run("list", "--user", "alice")

    lines = out.strip().splitlines()
    assert lines[0].split() == ["PREFIX", "NAME", "CREATED", "EXPIRES", "LAST", "USED", "STATUS"]
    assert lines[1].split()[:2] == [TOKEN_RE.match(first.strip()).group(1), "one"]
    assert lines[1].split()[-1] == "active"
    assert lines[2].split()[:2] == [revoked_prefix, "two"]
    assert lines[2].split()[-1] == "revoked"
    for value in (first, second):
        assert TOKEN_RE.match(value.strip()).group(2) not in out


def test_list_of_a_user_without_tokens_says_so(alice):
    out, _ = _run("list", "--user", "alice")

    assert out == "alice has no API tokens.\n"


def test_revoke_marks_the_token_and_a_second_revoke_changes_nothing(alice):
    value, _ = _run("create", "--user", "alice")
    prefix = TOKEN_RE.match(value.strip()).group(1)

    out, _ = _run("revoke", prefix)
    again, _ = _run("revoke", prefix)

    assert out == f"Token {prefix} is revoked.\n"
    assert again.startswith(f"Token {prefix} was already revoked on ")
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKE).count() == 1


def test_revoking_an_unknown_prefix_stops_with_exit_code_2(db):
    with pytest.raises(CommandError) as error:
        _run("revoke", "deadbeef")

    assert error.value.returncode == 2
    assert str(error.value) == "No API token has the prefix 'deadbeef'."


# A byte of the command line that is not UTF-8 (here 0xff) reaches the command as a surrogate.
NOT_UTF8 = b"\xff".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    "args, sentence",
    [
        (["create", "--user", NOT_UTF8], "--user must be UTF-8 text."),
        (["create", "--user", "alice", "--name", NOT_UTF8], "--name must be UTF-8 text."),
        (["list", "--user", NOT_UTF8], "--user must be UTF-8 text."),
        (["revoke", NOT_UTF8], "The prefix must be UTF-8 text."),
    ],
)
def test_text_that_is_not_utf8_stops_with_exit_code_2(alice, args, sentence):
    with pytest.raises(CommandError) as error:
        _run(*args)

    assert error.value.returncode == 2
    assert str(error.value) == sentence
    assert not ApiToken.objects.exists()


def test_create_and_revoke_are_audited_on_the_cli_channel(alice):
    value, _ = _run("create", "--user", "alice", "--days", "30")
    token = ApiToken.objects.get()
    _run("revoke", token.prefix)

    created, revoked = AuditEvent.objects.filter(
        action__in=[Action.TOKEN_CREATE, Action.TOKEN_REVOKE]
    ).order_by("pk")
    assert (created.action, created.channel, created.object_type, created.object_id) == (
        "token_create",
        "cli",
        "api_token",
        str(token.pk),
    )
    assert created.detail == f"user_id={alice.user.pk} prefix={token.prefix} days=30"
    assert (revoked.action, revoked.channel, revoked.detail) == (
        "token_revoke",
        "cli",
        f"user_id={alice.user.pk} prefix={token.prefix}",
    )
    secret = TOKEN_RE.match(value.strip()).group(2)
    assert not AuditEvent.objects.filter(detail__contains=secret).exists()


# --- the real command line ------------------------------------------------------------------


@pytest.fixture
def database_url(transactional_db, tmp_path):
    return _database_url(tmp_path)


def _database_url(tmp_path) -> str:
    """A DATABASE_URL a child process can open: the test database itself, or a copy on SQLite."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory; copy it (schema and committed rows) to a file.
        path = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    if settings_dict.get("PASSWORD"):
        user += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def database_url_with_alice(transactional_db, tmp_path):
    from tests.factories import UserFactory

    UserFactory(username="alice")  # committed: transactional test
    return _database_url(tmp_path)


def _ketacare(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("KETACARE_DEMO", None)
    return subprocess.run(  # noqa: S603 - fixed executable, arguments from the test
        [str(KETACARE), "token", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_command_line_refuses_an_unknown_user_with_one_sentence_and_exit_code_2(database_url):
    result = _ketacare(database_url, "create", "--user", "ghost")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["CommandError: No active user is named 'ghost'."]
    assert "Traceback" not in result.stderr


def test_the_command_line_refuses_bad_days_with_exit_code_2(database_url):
    result = _ketacare(database_url, "create", "--user", "ghost", "--days", "9999")

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "CommandError: --days must be a whole number from 1 to 365; got '9999'."
    ]


def test_the_command_line_prints_a_new_token_on_stdout_alone(database_url_with_alice):
    result = _ketacare(database_url_with_alice, "create", "--user", "alice", "--days", "7")

    assert result.returncode == 0, result.stderr
    assert TOKEN_RE.match(result.stdout.strip()) is not None
    assert len(result.stdout.strip().splitlines()) == 1
