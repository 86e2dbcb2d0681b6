"""Reads compiled by the ORM once per database connection, then only run.

The busiest pages (the chart, the nurse board every 15 s) send the same few statements on every
request with other ids in them, and turning a queryset into SQL cost more CPU than PostgreSQL
took to answer it (bench/pages.py). A `CompiledRead` is built once with probe ids (negative,
so they can be found among the statement's parameters and match no row), and each run puts the
caller's ids where the probes were. Every other parameter (a status, a flag) stays as built.

A list of ids (`pk__in`) changes the statement with its length, so `padded` pads it to one of a
few lengths by repeating its first id: one compiled statement per length in use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# The compiled statements of a connection are kept on its wrapper: the compiler refers back to
# the connection, so a weak-keyed dict beside it would never let an entry go; on the wrapper,
# both go with the thread that owns the connection.
_ATTRIBUTE = "_ketacare_compiled_reads"
# Probe ids start here and go down: far from any real id and from each other.
_FIRST_PROBE = -1_000_001
# The lengths an id list is padded to (`padded`); a longer list is read in more statements. At
# most 48, so that with a clinic's id a statement keeps within the 50 parameters whose parsing
# psycopg caches (`psycopg._queries.MAX_CACHED_STATEMENT_PARAMS`); it parses a longer one anew.
PADDED_LENGTHS = (1, 4, 16, 48)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where each probe id sits among `params`
    compiler: Any  # this connection's SQLCompiler of the read: it converts the columns' values
    converters: dict[int, Any]


class CompiledRead:
    """A `values_list` read of `model`, built by `build(*ids)` with `arity` ids, compiled on
    first use on each connection. `rows(*ids)` returns the tuples `build(*ids)` would."""

    def __init__(
        self, name: str, model: type[Model], build: Callable[..., QuerySet[Any]], arity: int
    ) -> None:
        self.name = name
        self.model = model
        self.build = build
        self.arity = arity

    def _compiled(self) -> tuple[Any, _Compiled]:
        connection = connections[router.db_for_read(self.model)]
        reads: dict[str, _Compiled] = connection.__dict__.setdefault(_ATTRIBUTE, {})
        compiled = reads.get(self.name)
        if compiled is None:
            probes = tuple(_FIRST_PROBE - at for at in range(self.arity))
            compiler = self.build(*probes).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            params = tuple(params)
            slots = tuple(_slot(params, probe, self.name) for probe in probes)
            columns = [column for column, _sql, _alias in compiler.select]
            compiled = _Compiled(sql, params, slots, compiler, compiler.get_converters(columns))
            reads[self.name] = compiled
        return connection, compiled

    def rows(self, *ids: int) -> list[tuple[Any, ...]]:
        if len(ids) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} ids, not {len(ids)}.")
        connection, compiled = self._compiled()
        params = list(compiled.params)
        for slot, value in zip(compiled.slots, ids, strict=True):
            params[slot] = int(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [tuple(row) for row in rows]


def _slot(params: tuple[Any, ...], probe: int, name: str) -> int:
    slots = [at for at, value in enumerate(params) if value == probe]
    if len(slots) != 1:
        # The read would not take the caller's id where the probe was: refuse to run it.
        raise RuntimeError(f"{name}: probe id {probe} appears {len(slots)} times in {params!r}.")
    return slots[0]


def padded(ids: Sequence[int]) -> list[list[int]]:
    """`ids` in chunks of one of PADDED_LENGTHS each, the last filled up with its first id (a
    repeated id matches what it matched already). Empty when `ids` is."""
    chunks = []
    longest = PADDED_LENGTHS[-1]
    for start in range(0, len(ids), longest):
        chunk = list(ids[start : start + longest])
        size = next(length for length in PADDED_LENGTHS if length >= len(chunk))
        chunks.append(chunk + [chunk[0]] * (size - len(chunk)))
    return chunks
