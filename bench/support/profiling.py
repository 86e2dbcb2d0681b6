"""Where a request's time goes: cProfile's own time of every function, summed by layer."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# (layer, substrings of a function's file name), first match wins; the rest is "other".
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("database: psycopg, waiting for PostgreSQL", ("/psycopg/", "psycopg_binary")),
    ("ORM: building SQL, making model objects", ("/django/db/",)),
    ("templates: rendering", ("/django/template/", "/templatetags/")),
    ("API: django-ninja, pydantic", ("/ninja/", "/pydantic", "pydantic_core")),
    ("clinical core: ketacare.clinical", ("/ketacare/clinical/",)),
    ("audit trail: ketacare.audit", ("/ketacare/audit/",)),
    ("history: django-simple-history", ("/simple_history/",)),
    ("KetaCare: views, services, queries", ("/ketacare/",)),
    ("Django: request, middleware, sessions, auth", ("/django/", "/django_otp/", "/axes/")),
)


def layer_of(filename: str) -> str:
    for layer, needles in LAYERS:
        if any(needle in filename for needle in needles):
            return layer
    return "other: Python, standard library"


def profiled(function: Callable[[], object], times: int) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        function()
    profiler.disable()
    return pstats.Stats(profiler, stream=io.StringIO())


def by_layer(stats: pstats.Stats, times: int) -> list[tuple[str, float, float]]:
    """(layer, milliseconds per call, share of the total) from the largest."""
    totals: dict[str, float] = {}
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        layer = layer_of(filename)
        totals[layer] = totals.get(layer, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return sorted(
        ((layer, seconds * 1000 / times, seconds / whole) for layer, seconds in totals.items()),
        key=lambda row: -row[1],
    )


def report(stats: pstats.Stats, times: int, *, top: int = 30) -> str:
    from bench.support.report import table

    rows = [(layer, f"{ms:.2f}", f"{share:.0%}") for layer, ms, share in by_layer(stats, times)]
    out = io.StringIO()
    out.write(table(("layer (cProfile own time)", "ms/request", "share"), rows) + "\n\n")
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(top)
    # KC_TOTTIME=N also lists the N functions with the most time of their own (where the
    # cumulative list only says which caller is slow).
    own = os.environ.get("KC_TOTTIME", "")
    if own.isdigit():
        stats.sort_stats("tottime").print_stats(int(own))
    return out.getvalue()


def queries_of(function: Callable[[], T]) -> tuple[int, T]:
    """How many SQL statements `function()` sends on the default connection, and its result.

    Counted by an execute wrapper: unlike Django's query log, a request's start does not
    reset it."""
    from django.db import connection

    sent = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = function()
    return sent, result
