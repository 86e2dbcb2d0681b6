"""gunicorn's access log with every logged value escaped: one request, one line.

gunicorn decodes the path (`%(U)s`, `%(r)s`) before logging it, so a request for
`/x%0A127.0.0.1 [..] "GET /admin/ HTTP/1.1" 200` would write a second, forged line; a `"` in a
value would shift the quoted fields. `SafeAccessLogger` escapes, in every value of the log line
(path, request line, headers, ...), each character outside printable ASCII, and `"` and `\\`,
as `\\xNN` (`\\uNNNN` beyond Latin-1), as nginx does in its access log.

The secret in a link's path (a patient's questionnaire link `/r/<token>/`, its API
`/api/v1/responses/<token>`, a staff invitation `/staff/invitations/<token>/`) is written as
`[token]`: a log line must never hold a token that still opens the link.

Use: `gunicorn --logger-class ketacare.config.gunicorn_logging.SafeAccessLogger ...`
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return (
        f"\\x{code:02x}"
        if code <= 0xFF
        else f"\\u{code:04x}"
        if code <= 0xFFFF
        else f"\\U{code:08x}"
    )


# The paths whose next segment is a bearer secret (docs/patient-links.md, docs/staff.md).
_TOKEN_IN_PATH = re.compile(r"(/r/|/api/v1/responses/|/staff/invitations/)[^/?#\s\"]+")


def redact_tokens(value: str) -> str:
    """`value` with the token of every link path in it replaced by `[token]`."""
    return _TOKEN_IN_PATH.sub(r"\1[token]", value)


def escape(value: str) -> str:
    """`value` with control, non-ASCII, quote and backslash characters as escapes."""
    return _UNSAFE.sub(_escaped, value)


class SafeAccessLogger(Logger):
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: escape(redact_tokens(value)) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
