"""Reads compiled by the ORM once per database connection, then only run.

The busiest pages (the chart, the nurse board every 15 s) send the same few statements on every
request with other ids in them, and turning a queryset into SQL cost more CPU than PostgreSQL
took to answer it (bench/pages.py). A `CompiledRead` is built once with probe ids (negative,
so they can be found among the statement's parameters and match no row), and each run puts the
caller's ids where the probes were. Every other parameter (a status, a flag) stays as built.

A list of ids (`pk__in`) changes the statement with its length, so `padded` pads it to one of a
few lengths by repeating its first id: one compiled statement per length in use.

`CompiledInsert` does the same for the INSERT of one row (the reading of the write path).

`rows` gives the tuples of a `values_list` read; `objects` the model instances of a model read
(select_related, annotations and row locks included), assembled as the ORM assembles them. A
probe may also be text (`text=` the positions of the ids that are strings, such as a token's
prefix).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

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
class _Assembly:
    """How the ORM turns one row of a model read into instances (its `ModelIterable`), worked
    out once: the main model's columns, the select_related populators, the annotations."""

    model: type[Model]
    start: int
    end: int
    attnames: list[str]
    populators: list[Any]
    annotations: dict[str, int]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where each probe id sits among `params`
    compiler: Any  # this connection's SQLCompiler of the read: it converts the columns' values
    converters: dict[int, Any]
    locks: bool  # SELECT ... FOR UPDATE: only inside a transaction
    assembly: _Assembly | None


class CompiledRead:
    """A read of `model`, built by `build(*ids)` with `arity` ids, compiled on first use on each
    connection. `rows(*ids)` returns the tuples of a `values_list` read `build(*ids)` would,
    `objects(*ids)` the instances of a model read. The ids at the positions in `text` are
    strings, the others integers."""

    def __init__(
        self,
        name: str,
        model: type[Model],
        build: Callable[..., QuerySet[Any]],
        arity: int,
        *,
        text: frozenset[int] = frozenset(),
    ) -> None:
        self.name = name
        self.model = model
        self.build = build
        self.arity = arity
        self.text = text

    def _compiled(self, connection: Any) -> _Compiled:
        reads: dict[str, _Compiled] = connection.__dict__.setdefault(_ATTRIBUTE, {})
        compiled = reads.get(self.name)
        if compiled is None:
            probes = tuple(
                f"~probe{_FIRST_PROBE - at}~" if at in self.text else _FIRST_PROBE - at
                for at in range(self.arity)
            )
            queryset = self.build(*probes)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if compiler.has_extra_select:  # columns beyond the read's own: not supported
                raise RuntimeError(f"{self.name}: a read with extra(select=...) is not compiled.")
            params = tuple(params)
            slots = tuple(_slot(params, probe, self.name) for probe in probes)
            columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
            compiled = _Compiled(
                sql,
                params,
                slots,
                compiler,
                compiler.get_converters(columns),
                locks=bool(queryset.query.select_for_update),
                assembly=(
                    _assembly(compiler, connection.alias)
                    if queryset._iterable_class is ModelIterable  # not a values() read
                    else None
                ),
            )
            reads[self.name] = compiled
        return compiled

    def _run(self, ids: tuple[Any, ...]) -> tuple[_Compiled, Any]:
        if len(ids) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} ids, not {len(ids)}.")
        connection = connections[router.db_for_read(self.model)]
        compiled = self._compiled(connection)
        if compiled.locks and connection.get_autocommit():
            # As the ORM refuses it: a lock outside a transaction ends with the statement.
            raise TransactionManagementError(f"{self.name} locks rows: run it in a transaction.")
        params = list(compiled.params)
        for at, (slot, value) in enumerate(zip(compiled.slots, ids, strict=True)):
            params[slot] = str(value) if at in self.text else int(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return compiled, rows

    def rows(self, *ids: Any) -> list[tuple[Any, ...]]:
        _compiled, rows = self._run(ids)
        return [tuple(row) for row in rows]

    def objects(self, *ids: Any) -> list[Any]:
        compiled, rows = self._run(ids)
        assembly = compiled.assembly
        if assembly is None:
            raise TypeError(f"{self.name} is a values read: use rows().")
        alias = compiled.compiler.connection.alias
        found = []
        for row in rows:
            instance = assembly.model.from_db(
                alias, assembly.attnames, row[assembly.start : assembly.end]
            )
            for populator in assembly.populators:
                populator.populate(row, instance)
            for name, at in assembly.annotations.items():
                setattr(instance, name, row[at])
            found.append(instance)
        return found


def _assembly(compiler: Any, alias: str) -> _Assembly:
    # As django.db.models.query.ModelIterable does for every run.
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Assembly(
        model=klass_info["model"],
        start=start,
        end=end,
        attnames=[column[0].target.attname for column in select[start:end]],
        populators=get_related_populators(klass_info, select, alias),
        annotations=dict(compiler.annotation_col_map or {}),
    )


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


class CompiledInsert:
    """The INSERT of one `model` row (the columns of `fields`, the id returned), its SQL built
    by the ORM once per connection. `insert(instance)` stores the unsaved instance as `save()`
    would (its fields' pre_save and database preparation) and sets its id; no save signals are
    sent, so it is only for a model that has no receivers (an append-only row of a busy write)."""

    def __init__(self, name: str, model: type[Model], fields: Sequence[str]) -> None:
        self.name = name
        self.model = model
        self.fields = tuple(model._meta.get_field(name) for name in fields)

    def _compiled(self, connection: Any, instance: Model) -> tuple[str, Any, tuple[Any, ...]]:
        inserts: dict[str, Any] = connection.__dict__.setdefault(_ATTRIBUTE, {})
        compiled = inserts.get(self.name)
        if compiled is None:
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [instance])
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = [self.model._meta.pk]
            ((sql, params),) = compiler.as_sql()
            returning = tuple(compiler.returning_params or ())
            if len(params) != len(self.fields) + len(returning):
                raise RuntimeError(f"{self.name}: one parameter per column expected in {sql}.")
            compiled = inserts[self.name] = (sql, compiler, returning)
        return compiled  # type: ignore[no-any-return]

    def insert(self, instance: Model) -> None:
        connection = connections[router.db_for_write(self.model)]
        sql, compiler, returning = self._compiled(connection, instance)
        params = [
            compiler.prepare_value(field, compiler.pre_save_val(field, instance))
            for field in self.fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *returning])
            if connection.features.can_return_columns_from_insert:
                (pk,) = connection.ops.fetch_returned_insert_columns(cursor, returning)
            else:  # pragma: no cover - both supported databases return the id
                pk = connection.ops.last_insert_id(
                    cursor, self.model._meta.db_table, self.model._meta.pk.column
                )
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias
