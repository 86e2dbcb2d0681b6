"""`ketacare worker`: runs the background jobs (the e-mails carrying patients' links, the
reminders `send-reminders` queues) from the database queue.

It is django-tasks-db's `db_worker` under KetaCare's name, with every option passed through:
`--batch` (run what is queued, then exit), `--interval SECONDS`, `--max-tasks N`,
`--queue-name`, `--worker-id`, `--reload` (see `ketacare worker --help`). Run one (or more) next
to the web server in production, e.g. as a systemd service (docs/reminders.md).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = (
        "Run KetaCare's background jobs (patient link e-mails and reminders) from the database "
        "queue; --batch runs what is queued and exits."
    )
