"""The access logger gunicorn runs with (`--logger-class`): one request is one line, whatever it
carries (penetration test H4: a `%0A` in the path forged a second line)."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from ketacare.config.gunicorn_logging import SafeAccessLogger, escape

# The Makefile's format: no query string (searches may carry patient names).
FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
FORGED_PATH = '/x\n127.0.0.1 [25/Nov/2026:10:00:00 +0000] "GET /admin/ HTTP/1.1" 200 1 0.1s'


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += self.format(record) + "\n"


def _log_one_request(logger_class: type[Logger], path: str, user_agent: str = "curl") -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", FORMAT)
    logger = logger_class(config)
    lines = _Lines()
    logger.access_log.handlers = [lines]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_USER_AGENT": user_agent,
    }
    response = SimpleNamespace(status="404 Not Found", sent=179, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", user_agent)])
    logger.access(response, request, environ, dt.timedelta(microseconds=1500))
    return lines.text


def test_gunicorns_own_logger_writes_the_forged_line():
    # What the penetration test saw: the reason for the logger class.
    assert _log_one_request(Logger, FORGED_PATH).count("\n") == 2


def test_a_newline_in_the_path_stays_on_the_one_line_escaped():
    text = _log_one_request(SafeAccessLogger, FORGED_PATH)

    assert text.count("\n") == 1
    assert (
        '"GET /x\\x0a127.0.0.1 [25/Nov/2026:10:00:00 +0000] \\x22GET /admin/ HTTP/1.1\\x22' in text
    )
    assert text.startswith("10.0.0.7 [")
    assert text.endswith(" 404 179 0.001500s\n")


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("/plain/path/12/", "/plain/path/12/"),
        ("/a\rb", "/a\\x0db"),
        ("/a\x00b\x1b[31m", "/a\\x00b\\x1b[31m"),
        ('/a"b\\c', "/a\\x22b\\x5cc"),
        ("/\x7f\x85\xe9", "/\\x7f\\x85\\xe9"),
        ("/\u2028", "/\\u2028"),
    ],
)
def test_every_unsafe_character_is_escaped_and_nothing_else(raw, logged):
    assert escape(raw) == logged


def test_header_atoms_are_escaped_too():
    config = Config()
    logger = SafeAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "evil\x1b]0;x\x07",
    }
    response = SimpleNamespace(status="200 OK", sent=1, headers=[("X-Test", "a\tb")])
    request = SimpleNamespace(headers=[("USER-AGENT", "evil\x1b]0;x\x07")])

    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=1))

    assert atoms["a"] == atoms["{user-agent}i"] == "evil\\x1b]0;x\\x07"
    assert atoms["{x-test}o"] == "a\\x09b"
    assert atoms["B"] == 1


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/r/cQtd-W4P2tq7nJ2WMKm6zXNiAVRr_biZLPsXbd82Xks/", "/r/[token]/"),
        (
            "/api/v1/responses/cQtd-W4P2tq7nJ2WMKm6zXNiAVRr_biZLPsXbd82Xks",
            "/api/v1/responses/[token]",
        ),
        ("/staff/invitations/Zx9_secret-Invite/", "/staff/invitations/[token]/"),
        ("/patients/12/outcomes/", "/patients/12/outcomes/"),
    ],
)
def test_a_link_token_in_the_path_is_never_written(path, logged):
    # A questionnaire link opens with its token alone: the access log must not hold one.
    text = _log_one_request(SafeAccessLogger, path)

    assert f'"GET {logged} HTTP/1.1"' in text
    assert "cQtd" not in text and "secret" not in text
