"""The tables the seed fills, as Django's models define them, and how rows reach them.

Rows are plain tuples in the column order of the model's concrete fields, so the generator never
builds model instances (the cost at millions of rows). `Table.row(**values)` fills every column
the generator leaves out from the model: its default, else NULL when the field allows it, else ""
for an optional text field; a required column left out is a KeyError, so a field added to a
model later is noticed by the seed's tests rather than written wrong.

Ids: a chunk of patients is generated with ids local to the chunk (0, 1, 2 ... per table), in
the primary key and in every column that refers to a seeded table (`Table.local_refs`). When the
chunk is written, the main process has allocated the real ids (`IdAllocator`) in chunk order,
and each local id `i` becomes `ids[i]` - so the data is the same whichever process generated the
chunk and however many did.

Writers: PostgreSQL takes `COPY ... FROM STDIN` in text format (`copy_text` formats the rows,
in the worker process that made them); SQLite takes `executemany` with the values as Django's
SQLite backend stores them (UTC times without offset, decimals as text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

_REQUIRED = object()
_dumps = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode

Ids = Sequence[int]  # a `range` when the block is contiguous (nearly always)


def _adapt_for_sqlite(field_: models.Field) -> Callable[[Any], Any] | None:
    """How Django's SQLite backend stores a value of this field (None: as it is)."""
    if isinstance(field_, models.DateTimeField):
        return lambda v: (
            None if v is None else v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        )
    if isinstance(field_, models.DateField | models.TimeField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field_, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field_, models.BooleanField):
        return lambda v: None if v is None else int(v)
    return None


def _copy_str(value: str) -> str:
    # Four C-level passes beat one `str.translate` with a table (a dict lookup per character).
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _copy_other(value: Any) -> str:
    if isinstance(value, str):  # an enum's value (TextChoices)
        return _copy_str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    raise TypeError(f"cannot COPY a {type(value).__name__}")


# COPY's text format of each value type.
_COPY_FORMATS: dict[type, Callable[[Any], str]] = {
    type(None): lambda v: "\\N",
    str: _copy_str,
    bool: lambda v: "t" if v else "f",
    int: str,
    Decimal: str,
    float: repr,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
    dt.time: dt.time.isoformat,
}


def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    return _COPY_FORMATS.get(type(value), _copy_other)(value)


def _copy_format(field_: models.Field) -> Callable[[Any], str]:
    """The COPY text of a (not NULL) value of this field: one function per column, chosen once,
    instead of a lookup by type for every value."""
    if field_.is_relation or isinstance(field_, models.IntegerField | models.AutoField):
        return str
    if isinstance(field_, models.BooleanField):
        return _COPY_FORMATS[bool]
    if isinstance(field_, models.DateTimeField):
        return dt.datetime.isoformat
    if isinstance(field_, models.DateField):
        return dt.date.isoformat
    if isinstance(field_, models.TimeField):
        return dt.time.isoformat
    if isinstance(field_, models.CharField | models.TextField | models.JSONField):
        return _copy_str
    return _copy_value


@dataclass
class Table:
    """One model's table: columns, their defaults, which of them hold chunk-local ids."""

    model: type[models.Model]
    name: str
    columns: tuple[str, ...]
    defaults: tuple[Any, ...]
    json_columns: frozenset[str]
    sqlite_adapters: tuple[Callable[[Any], Any] | None, ...]
    copy_formats: tuple[Callable[[Any], str], ...] = ()
    # (column index, label of the seeded model it refers to), the primary key first.
    local_refs: tuple[tuple[int, str], ...] = ()
    _names: frozenset[str] = field(default=frozenset(), repr=False)
    _pairs: tuple[tuple[str, Any], ...] = field(default=(), repr=False)
    _json_names: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def of(
        cls,
        model: type[models.Model],
        seeded: Iterable[type[models.Model]],
        self_refs: Iterable[str] = (),
    ) -> Table:
        seeded_labels = {m._meta.label for m in seeded}
        columns: list[str] = []
        defaults: list[Any] = []
        json_columns: set[str] = set()
        adapters: list[Callable[[Any], Any] | None] = []
        formats: list[Callable[[Any], str]] = []
        local_refs: list[tuple[int, str]] = []
        for index, f in enumerate(model._meta.concrete_fields):
            columns.append(f.attname)
            if isinstance(f, models.JSONField):
                json_columns.add(f.attname)
            if f.primary_key or f.attname in self_refs:
                local_refs.append((index, model._meta.label))
            elif f.is_relation and f.related_model._meta.label in seeded_labels:
                local_refs.append((index, f.related_model._meta.label))
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            if f.primary_key or auto:
                default: Any = _REQUIRED
            elif f.default is not NOT_PROVIDED:
                default = f.default() if callable(f.default) else f.default
            elif f.null:
                default = None
            elif f.blank and f.empty_strings_allowed:
                default = ""  # an optional text field, blank as a form leaves it
            else:
                default = _REQUIRED
            defaults.append(default)
            adapters.append(_adapt_for_sqlite(f))
            formats.append(_copy_format(f))
        return cls(
            model=model,
            name=model._meta.db_table,
            columns=tuple(columns),
            defaults=tuple(defaults),
            json_columns=frozenset(json_columns),
            sqlite_adapters=tuple(adapters),
            copy_formats=tuple(formats),
            local_refs=tuple(local_refs),
        )

    def __post_init__(self) -> None:
        self._names = frozenset(self.columns)
        self._pairs = tuple(zip(self.columns, self.defaults, strict=True))
        self._json_names = tuple(n for n in self.columns if n in self.json_columns)

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        """The row as given (columns left out take the model's default when written), JSON
        columns encoded. An unknown column is a KeyError; a required column left out is one
        when the row is written."""
        if not self._names.issuperset(values):
            unknown = ", ".join(sorted(values.keys() - self._names))
            raise KeyError(f"{self.name} has no column {unknown}")
        for name in self._json_names:
            value = values.get(name)
            if value is not None:
                # An empty list (no symptoms, nothing overridden) is most rows' value.
                values[name] = "[]" if value == [] else _dumps(value)
        return values

    def relocated(
        self, rows: Iterable[dict[str, Any]], ids: Mapping[str, Ids]
    ) -> Iterator[list[Any]]:
        """Each row in column order, defaults filled in, every chunk-local id replaced by its
        real id."""
        pairs = self._pairs
        refs = [(index, ids[label]) for index, label in self.local_refs]
        for row in rows:
            values = [row.get(name, default) for name, default in pairs]
            for index, real in refs:
                local = values[index]
                if local is not None:
                    values[index] = real[local]
            if _REQUIRED in values:
                missing = self.columns[values.index(_REQUIRED)]
                raise KeyError(f"{self.name}.{missing} is required")
            yield values

    def copy_text(self, rows: Iterable[dict[str, Any]], ids: Mapping[str, Ids]) -> bytes:
        """The rows in COPY's text format, defaults filled in, real ids in place."""
        relocate: dict[int, Ids] = {index: ids[label] for index, label in self.local_refs}
        specs = [
            (name, default, fmt, relocate.get(index))
            for index, ((name, default), fmt) in enumerate(
                zip(self._pairs, self.copy_formats, strict=True)
            )
        ]
        lines = []
        for row in rows:
            get = row.get
            parts = []
            for name, default, fmt, real in specs:
                value = get(name, default)
                if value is None:
                    parts.append("\\N")
                    continue
                if value is _REQUIRED:
                    raise KeyError(f"{self.name}.{name} is required")
                if real is not None:
                    value = real[value]
                parts.append(fmt(value))
            lines.append("\t".join(parts))
        if not lines:
            return b""
        return ("\n".join(lines) + "\n").encode("utf-8")

    def sqlite_rows(
        self, rows: Iterable[dict[str, Any]], ids: Mapping[str, Ids]
    ) -> list[tuple[Any, ...]]:
        adapters = self.sqlite_adapters
        return [
            tuple(a(v) if a is not None else v for a, v in zip(adapters, values, strict=True))
            for values in self.relocated(rows, ids)
        ]


class IdAllocator:
    """Real primary keys for one table, allocated block by block in chunk order.

    PostgreSQL: from the table's sequence (`nextval`), so a concurrent writer never gets the
    same id; SQLite: after the largest id in use (SQLite admits one writer at a time).
    Remembers every id range handed out, for the history copy.
    """

    def __init__(self, table: str) -> None:
        self.table = table
        self.ranges: list[list[int]] = []  # [first, last] inclusive, merged when adjacent
        self._postgres = connection.vendor == "postgresql"
        self._sequence: str | None = None
        self._next: int | None = None

    def allocate(self, count: int) -> Ids:
        if count == 0:
            return range(0)
        with connection.cursor() as cursor:
            if self._postgres:
                if self._sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
                    self._sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, count]
                )
                ids: Ids = [row[0] for row in cursor.fetchall()]
                if ids[-1] - ids[0] == count - 1:
                    ids = range(ids[0], ids[0] + count)
            else:
                if self._next is None:
                    quoted = connection.ops.quote_name(self.table)
                    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
                    largest = cursor.fetchone()[0]
                    cursor.execute(
                        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s",
                        [self.table],
                    )
                    self._next = max(largest, cursor.fetchone()[0]) + 1
                ids = range(self._next, self._next + count)
                self._next += count
        self._remember(ids)
        return ids

    def _remember(self, ids: Ids) -> None:
        runs = (
            [[ids.start, ids.stop - 1]]
            if isinstance(ids, range)
            else [[value, value] for value in ids]
        )
        for first, last in runs:
            if self.ranges and self.ranges[-1][1] == first - 1:
                self.ranges[-1][1] = last
            else:
                self.ranges.append([first, last])


class Writer:
    """Writes one chunk's rows of a table: COPY text on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def copy(self, table: Table, data: bytes) -> None:
        if not data:
            return
        quoted = connection.ops.quote_name
        columns = ", ".join(quoted(c) for c in table.columns)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {quoted(table.name)} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(data)

    def insert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quoted = connection.ops.quote_name
        columns = ", ".join(quoted(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quoted(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def copy_history(
    model: type[models.Model], ranges: Iterable[Sequence[int]], *, when: dt.datetime, reason: str
) -> int:
    """One creation row per written record in the model's simple-history table, copied from the
    records by the database (`INSERT ... SELECT` over id ranges); returns the rows added."""
    history = model.history.model  # type: ignore[attr-defined]
    base_columns = {f.attname for f in model._meta.concrete_fields}
    shared = [
        f.attname
        for f in history._meta.concrete_fields
        if f.attname in base_columns and not f.attname.startswith("history_")
    ]
    quoted = connection.ops.quote_name
    names = ", ".join(quoted(c) for c in shared)
    if connection.vendor == "postgresql":
        stamp: Any = when
    else:
        stamp = when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    added = 0
    statement = (
        f"INSERT INTO {quoted(history._meta.db_table)} "  # noqa: S608 - names from the models
        f"({names}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {names}, %s, %s, '+', NULL FROM {quoted(model._meta.db_table)} "
        "WHERE id BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        for first, last in ranges:
            cursor.execute(statement, [stamp, reason, first, last])
            added += max(cursor.rowcount, 0)
    return added


def decimal1(value: float) -> Decimal:
    """A number with one decimal place, as the weight and dose columns keep it."""
    return Decimal(f"{value:.1f}")
