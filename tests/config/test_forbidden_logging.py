"""An ordinary refusal (403, 404) is one log line without a traceback; a 500 keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

from ketacare.config.log_filters import RequestTextFilter


@pytest.fixture
def console():
    """What the configured console handler writes during the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestTextFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_permission_denied_raised_by_a_view_is_one_line_without_a_traceback(db, console):
    request = RequestFactory().get("/somewhere/Smith/")

    response = response_for_exception(request, PermissionDenied("Your role does not allow x."))

    assert response.status_code == 403
    text = console.getvalue()
    assert text.count("\n") == 1
    assert "WARNING django.request Forbidden (status 403)" in text
    assert "PermissionDenied" not in text and "Smith" not in text


def test_a_403_page_of_a_staff_view_logs_one_line(staff_client, nora, console):
    response = staff_client(nora).get("/staff/")

    assert response.status_code == 403
    text = console.getvalue()
    assert "WARNING django.request Forbidden (status 403)" in text
    assert "Traceback" not in text


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",), exc_info
    )
    record.status_code = 500

    RequestTextFilter().filter(record)

    assert record.exc_info is exc_info
