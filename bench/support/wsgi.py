"""Requests straight into the WSGI application in this process: the server's own time.

The same application object gunicorn serves (Django's WSGIHandler: every middleware, the URL
resolver, the view, the rendering), without the network and HTTP parsing, and without the test
client's instrumentation (which copies every template context it sees).
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Mapping
from typing import NamedTuple


class Answer(NamedTuple):
    seconds: float  # by the clock, from the environ handed over to the last byte
    cpu: float  # CPU time of this process meanwhile (the database's is not in it)
    status: int
    size: int


class WsgiClient:
    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.headers = dict(headers or {})

    def environ(
        self, method: str, path: str, query: str, body: bytes, headers: Mapping[str, str]
    ) -> dict[str, object]:
        environ: dict[str, object] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_USER_AGENT": "KetaCare bench",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
        for name, value in {**self.headers, **headers}.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE",) else f"HTTP_{key}"] = value
        return environ

    def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """One request and its answer's timing, status and size."""
        statuses: list[str] = []

        def start_response(status: str, headers: object, exc_info: object = None) -> None:
            statuses.append(status)

        environ = self.environ(method, path, query, body, headers or {})
        clock, cpu = time.perf_counter, time.process_time
        start, start_cpu = clock(), cpu()
        response = self.handler(environ, start_response)
        try:
            size = sum(len(chunk) for chunk in response)
        finally:
            response.close()  # type: ignore[attr-defined]
        return Answer(clock() - start, cpu() - start_cpu, int(statuses[0].split()[0]), size)
