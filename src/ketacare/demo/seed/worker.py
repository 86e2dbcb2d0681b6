"""The entry point of a seed worker process (spawned: it imports Django itself, then the
generator; nothing here may import a model before `django.setup()`)."""

from __future__ import annotations

import os
import traceback
from multiprocessing.connection import Connection

from ketacare.demo.seed.context import RunSpec


def worker_main(conn: Connection, spec: RunSpec) -> None:
    """Chunks in, id counts out, real ids in, COPY text out; None ends the worker."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.config.settings")
    django.setup()
    from ketacare.demo.seed.work import generate

    while True:
        chunk = conn.recv()
        if chunk is None:
            return
        try:
            sink = generate(spec, chunk)
            conn.send(("ids", sink.ids))
            ids = conn.recv()
            conn.send(("data", sink.counts, sink.copy_texts(ids)))
        except Exception:  # reported to the main process, which stops the run
            conn.send(("error", traceback.format_exc()))
            return
