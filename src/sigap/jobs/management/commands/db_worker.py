"""``db_worker``: django-tasks-db's worker, kept alive when the database is locked.

The library's worker takes each task in ``BEGIN EXCLUSIVE``; on SQLite, when another process holds the
write lock longer than the busy timeout (a long import or targeting run writing), that statement fails
with "database is locked" outside the library's own error handling, and the worker process exits --
every job started afterwards stays queued forever.  This command (same name and options; ``sigap.jobs``
comes before ``django_tasks_db`` in INSTALLED_APPS so it is the one Django runs) restarts the worker's
loop after a pause instead.  Any other error still ends it.

It also cleans up after killed processes (:class:`sigap.jobs.cleanup.Janitor`): once when it starts --
jobs whose worker died are marked failed, leftover working folders and uploads removed -- and then
every half lease, so a job whose worker was killed never stays "running".
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("sigap.jobs.worker")

#: Pauses between attempts while the database stays locked (seconds; the last one repeats).
LOCKED_PAUSES = (0.5, 1.0, 2.0)


class Worker(library.Worker):
    def run(self) -> None:
        locked = 0
        while True:
            try:
                super().run()
                return
            except OperationalError as e:
                if not is_locked_database_exception(e) or not self.running:
                    raise
                pause = LOCKED_PAUSES[min(locked, len(LOCKED_PAUSES) - 1)]
                locked += 1
                logger.warning("database locked (%s); worker retries in %.1f s", e, pause)
                # the failed BEGIN left no transaction open; drop a connection Django finds unusable
                for connection in connections.all():
                    connection.close_if_unusable_or_obsolete()
                time.sleep(pause)


class Command(library.Command):
    help = "Run a database background worker (retries while the database is locked)"

    def handle(self, *args: Any, **options: Any) -> None:
        from sigap.jobs.cleanup import Janitor

        janitor = Janitor(trigger=f"worker {options.get('worker_id', '')}".strip())
        janitor.start()
        original = library.Worker
        library.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            library.Worker = original  # type: ignore[misc]
            janitor.stop()
