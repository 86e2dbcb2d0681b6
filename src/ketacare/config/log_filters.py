"""Log records of Django's request and security loggers without the text of the request.

Django logs every refused request with its path ("Not Found: /admin/patients/patient/<what was
typed>/change/") and every suspicious one with the offending value ("Invalid HTTP_HOST header:
...", "The field family_name cannot be referenced."). Paths and values are typed text, possibly a
patient's name or birth date, and logs carry ids only (style guide, "Logging and audit"): this
filter, on the console handler (settings.LOGGING), keeps the reason and the status code only.

A refusal (any 4xx: a 403 of the role table, a 404 across clinics) is an ordinary answer, not a
fault: one line, without the traceback Django attaches when a view raised PermissionDenied or
Http404. Tracebacks stay for 5xx.
"""

from __future__ import annotations

import logging
from http import HTTPStatus


class RequestTextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name == "django.request":
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Request failed"
            if isinstance(status, int) and status < 500:
                record.exc_info = None
                record.exc_text = None
        elif record.name.startswith("django.security."):
            reason = record.name.removeprefix("django.security.")
            # The exception's message is the offending value again: no traceback of it either.
            record.exc_info = None
            record.exc_text = None
        else:
            return True
        record.msg = "%s (status %s)" if status is not None else "%s"
        record.args = (reason, status) if status is not None else (reason,)
        return True
