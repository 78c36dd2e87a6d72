"""Leases: how a process shows it is still working, so that a dead one's leftovers can be told apart.

Two things die with a process killed by ``kill -9``, the out-of-memory killer or a power cut, and
nothing in that process can clean up after itself:

- **its job**: the :class:`~sigap.jobs.models.Job` row stays ``running``.  The worker writes
  ``Job.heartbeat_at`` when it claims the job, at every progress report and, from a thread, every
  quarter of the lease (``SIGAP_JOB_LEASE_SECONDS``, default 120 s).  A running job whose heartbeat is
  older than the lease lost its worker: :func:`sigap.jobs.cleanup.jobs_expire` marks it failed.
- **its working folders**: actions write into ``.tmp-*`` folders and rename them into place when they
  are done (ADR 0010).  A folder not modified for a lease is a leftover; but a long phase (DuckDB
  aggregating millions of rows) may write nothing for minutes, so the process doing the work touches
  the ``.tmp-*`` folders that appeared while it runs, at the same pace (:class:`WorkdirKeeper`).  The
  worker does it for its jobs; the CLI for ``sigap registry import`` and ``sigap targeting run``
  (:func:`sigap.cli.common.progress`).  A keeper may also adopt a folder of another live process
  started at the same time: that folder is only kept longer, never removed early.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Working folders and files: written under this prefix, then renamed into place.
SCRATCH_PREFIX = ".tmp-"
#: A folder or file moved out of the way because an earlier failure left it where new output goes.
STALE_PREFIX = ".stale-"
UPLOAD_DIR = "uploads"
#: How deep under ``DATA_DIR/<folder>/`` working folders are made (``runs/.tmp-x``,
#: ``runs/<id>/.tmp-annex-x``, ``batches/<programme>/.tmp-x``, ``claims/<claim>/.tmp-x``).
SCRATCH_DEPTH = 2


def lease_seconds() -> float:
    return float(getattr(settings, "SIGAP_JOB_LEASE_SECONDS", 120))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=lease_seconds())


def beat_interval() -> float:
    """Seconds between two heartbeats: a quarter of the lease (three beats may be missed)."""
    return max(0.05, lease_seconds() / 4)


def scratch_entries(root: Path, prefixes: tuple[str, ...] = (SCRATCH_PREFIX,)) -> Iterator[Path]:
    """Working entries (folders or files named with one of ``prefixes``) under ``root`` -- the data
    folder -- at most :data:`SCRATCH_DEPTH` levels below each of its folders; uploads are not
    looked at (an upload's folder belongs to its job, see :mod:`sigap.jobs.cleanup`)."""

    def walk(folder: Path, depth: int) -> Iterator[Path]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(prefixes):
                yield Path(entry.path)
            elif depth < SCRATCH_DEPTH and entry.is_dir(follow_symlinks=False):
                if depth == 0 and entry.name == UPLOAD_DIR:
                    continue
                yield from walk(Path(entry.path), depth + 1)

    yield from walk(root, 0)


class WorkdirKeeper:
    """Touches the ``.tmp-*`` entries that appeared under the data folder since it was made."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root if root is not None else settings.DATA_DIR)
        self.before = set(scratch_entries(self.root))

    def touch(self) -> int:
        touched = 0
        for path in scratch_entries(self.root):
            if path in self.before:
                continue
            try:
                os.utime(path)
                touched += 1
            except OSError:  # renamed into place or removed meanwhile: nothing to keep
                continue
        return touched


def job_beat(job_id: int) -> int:
    """Write the job's heartbeat (only while it is running); 1 if written."""
    from sigap.jobs.models import Job

    return Job.objects.filter(pk=job_id, state=Job.RUNNING).update(heartbeat_at=timezone.now())


class Ticker:
    """A daemon thread calling ``tick`` every ``interval`` seconds until the ``with`` block ends.

    A failing tick is logged, never raised: a heartbeat must not break the work it reports on.  The
    thread closes its own database connection when it stops.
    """

    def __init__(self, tick: Callable[[], object], *, interval: float | None = None, name: str = "lease"):
        self.tick = tick
        self.interval = beat_interval() if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.tick()
                except Exception:  # noqa: BLE001 -- logged; the next tick tries again
                    logger.exception("%s: tick failed", self._thread.name)
        finally:
            connection.close()

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.interval))


def job_lease(job_id: int) -> Ticker:
    """While a job runs in this process: its heartbeat and its working folders kept fresh."""
    keeper = WorkdirKeeper()

    def tick() -> None:
        job_beat(job_id)
        keeper.touch()

    return Ticker(tick, name=f"job-{job_id}-lease")


def workdirs_kept() -> Ticker:
    """While a command works in this process (no job row): its working folders kept fresh."""
    return Ticker(WorkdirKeeper().touch, name="workdir-lease")


def kept_fresh(path: Path) -> Ticker:
    """While an action works in ``path`` (one working entry), touch it every beat, whichever process
    runs the action: a web request (the decree annex, an approval's status file, a batch) has no job
    or command keeping its folders, and a render longer than the lease would otherwise be removed by
    the cleanup under its feet."""

    def tick() -> None:
        try:
            os.utime(path)
        except OSError:  # renamed into place or removed meanwhile: nothing to keep
            pass

    return Ticker(tick, name="scratch-lease")
