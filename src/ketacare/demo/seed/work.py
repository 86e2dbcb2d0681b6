"""Generating chunks of patients, in this process or in worker processes, and writing them.

A chunk (a few hundred patients of one clinic) is generated with chunk-local ids. The main
process allocates the real ids in chunk order and writes the chunk; the generator of a chunk
depends only on the seed and the patients' positions, so the data is the same with any number
of workers. Workers are spawned (never forked: a forked child would share the parent's database
connection) and never touch the database; they send back COPY text, ready to write. A
spawned process imports the caller's main module again: a script calling `run_seed` itself must
keep its work under `if __name__ == "__main__":` (the `ketacare` command does).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection

from ketacare.demo.seed.context import Chunk, ClinicStaff, RunSpec
from ketacare.demo.seed.sink import MODELS, Sink, tables
from ketacare.demo.seed.tables import IdAllocator, Ids, Writer, copy_history
from ketacare.demo.seed.worker import worker_main

CHUNK_PATIENTS = 250
HISTORY_REASON = "synthetic data (ketacare seed)"


def chunks_of(clinics: list[ClinicStaff], shares: list[int]) -> list[Chunk]:
    out = []
    for clinic, share in zip(clinics, shares, strict=True):
        for first in range(1, share + 1, CHUNK_PATIENTS):
            out.append(Chunk(clinic, first, min(share, first + CHUNK_PATIENTS - 1)))
    return out


def generate(spec: RunSpec, chunk: Chunk) -> Sink:
    """The rows of one chunk (chunk-local ids)."""
    from ketacare.demo.seed.charts import seed_patient
    from ketacare.demo.seed.course import seed_course

    run = spec.run()
    sink = Sink()
    for number in range(chunk.first, chunk.last + 1):
        story = seed_patient(sink, run, chunk.clinic, number)
        seed_course(sink, run, chunk.clinic, story, number)
    return sink


class Loader:
    """The main process's side: real ids in chunk order, the writes, the counts."""

    def __init__(self) -> None:
        self.tables = tables()
        self.allocators = {label: IdAllocator(t.name) for label, t in self.tables.items()}
        self.writer = Writer()
        self.counts: dict[str, int] = dict.fromkeys(self.tables, 0)

    def allocate(self, wanted: Mapping[str, int]) -> dict[str, Ids]:
        return {label: self.allocators[label].allocate(n) for label, n in wanted.items()}

    def write_texts(self, counts: Mapping[str, int], texts: Mapping[str, bytes]) -> None:
        for label, table in self.tables.items():
            self.writer.copy(table, texts[label])
            self.counts[label] += counts[label]

    def write_sink(self, sink: Sink, ids: Mapping[str, Ids]) -> None:
        if self.writer.postgres:
            self.write_texts(sink.counts, sink.copy_texts(ids))
            return
        for label, table in self.tables.items():
            self.writer.insert(table, table.sqlite_rows(sink.rows[label], ids))
            self.counts[label] += len(sink.rows[label])

    def copy_histories(self, when: dt.datetime) -> int:
        """The creation rows of every seeded model that keeps a history (simple-history)."""
        added = 0
        for model in MODELS:
            label = model._meta.label
            if hasattr(model, "history") and self.counts[label]:
                added += copy_history(
                    model, self.allocators[label].ranges, when=when, reason=HISTORY_REASON
                )
        return added


def load(
    spec: RunSpec,
    chunks: list[Chunk],
    loader: Loader,
    *,
    workers: int,
    advance: Callable[[int], None],
) -> None:
    """Generate and write every chunk, in order: in worker processes on PostgreSQL (they send
    COPY text), here otherwise (SQLite writes from one process anyway)."""
    if workers <= 1 or len(chunks) <= 1 or not loader.writer.postgres:
        for chunk in chunks:
            sink = generate(spec, chunk)
            loader.write_sink(sink, loader.allocate(sink.ids))
            advance(chunk.patients)
        return
    for chunk, (counts, texts) in _in_workers(spec, chunks, loader, workers):
        loader.write_texts(counts, texts)
        advance(chunk.patients)


def _in_workers(
    spec: RunSpec, chunks: list[Chunk], loader: Loader, workers: int
) -> Iterator[tuple[Chunk, tuple[dict[str, int], dict[str, bytes]]]]:
    context = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    processes = []
    try:
        for _ in range(min(workers, len(chunks))):
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child, spec), daemon=True)
            process.start()
            child.close()
            pipes.append(parent)
            processes.append(process)
        for index, chunk in enumerate(chunks[: len(pipes)]):
            pipes[index].send(chunk)
        for index, chunk in enumerate(chunks):
            pipe = pipes[index % len(pipes)]
            wanted = _expect(pipe, "ids")
            pipe.send(loader.allocate(wanted[0]))
            counts, texts = _expect(pipe, "data")
            following = index + len(pipes)
            # The worker starts on its next chunk while this one is written.
            pipe.send(chunks[following] if following < len(chunks) else None)
            yield chunk, (counts, texts)
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()


def _expect(pipe: Connection, kind: str) -> tuple[Any, ...]:
    message = pipe.recv()
    if message[0] == "error":
        raise RuntimeError(f"A seed worker failed:\n{message[1]}")
    if message[0] != kind:
        raise RuntimeError(f"A seed worker answered {message[0]!r}, not {kind!r}.")
    return tuple(message[1:])


def foreign_keys_off() -> list[tuple[str, str, str]]:
    """PostgreSQL: drop the foreign keys of the seeded tables for the load and return them, to
    be added back (and so checked) once, set-wise, by `foreign_keys_on` in the same transaction:
    row by row, the checks would cost more than the load itself. The tables are locked until the
    transaction ends (the seed is a bulk job: run it when the clinic is not using the database).
    """
    if connection.vendor != "postgresql":
        return []
    names = [t.name for t in tables().values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2",
            [names],
        )
        constraints = [(table, name, definition) for table, name, definition in cursor.fetchall()]
        quoted = connection.ops.quote_name
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {quoted(name)}")
    return constraints


def foreign_keys_on(constraints: list[tuple[str, str, str]]) -> None:
    quoted = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(
                f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {quoted(name)} {definition}"
            )
