"""Leftovers of killed processes: stuck jobs and files nobody will ever use (``sigap cleanup``).

A process killed mid-way (``kill -9``, the out-of-memory killer, a power cut) cannot undo its work;
the actions make sure it leaves no half-written *row*, but it can leave:

- a job ``running`` forever ("Berjalan 40%") and the upload it was importing (hundreds of MB);
- ``.tmp-*`` working folders (an import's or a run's files, with NIK and names) and ``.stale-*``
  entries moved aside by a later action;
- ``runs/<id>`` or ``snapshots/<id>`` folders renamed into place by a transaction that never
  committed (no database row), and batch files likewise.

:func:`data_cleanup` removes them.  It runs when a worker starts (``sigap manage db_worker``), every
half lease inside the worker (:class:`Janitor`), and on demand (``sigap cleanup``, ``sigap manage
cleanup``).  Nothing younger than the lease (``SIGAP_JOB_LEASE_SECONDS``) is removed, and the
process doing the work keeps its working folders young (:mod:`sigap.jobs.lease`), so work in progress
is never touched -- whichever process does it.  Every removal is logged; each pass that removed
something writes one audit row ``data.cleanup`` with counts and bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from sigap.audit.actions import Actor, audit_record
from sigap.jobs.actions import job_expire, task_lost
from sigap.jobs.lease import SCRATCH_PREFIX, STALE_PREFIX, UPLOAD_DIR, lease, lease_seconds, scratch_entries
from sigap.jobs.models import Job

logger = logging.getLogger(__name__)

#: Folders named by their row's id: ``runs/<TargetingRun id>``, ``snapshots/<Snapshot id>``.
ROW_FOLDERS = ("runs", "snapshots")
BATCH_DIR = "batches"
BATCH_FILE = re.compile(r"^.+-B\d{3,}\.(csv|xlsx)$")
#: Paths named in the audit row (the counts and bytes cover everything).
AUDIT_PATHS = 50


@dataclass
class Removal:
    path: str  # relative to DATA_DIR
    what: str  # scratch | orphan | upload | export
    bytes: int


@dataclass
class CleanupReport:
    jobs_failed: list[int] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    kept_young: int = 0  # leftovers-to-be younger than the lease: maybe work in progress
    dry_run: bool = False

    def count(self, what: str) -> int:
        return sum(1 for r in self.removed if r.what == what)

    def size(self, what: str | None = None) -> int:
        return sum(r.bytes for r in self.removed if what is None or r.what == what)

    @property
    def anything(self) -> bool:
        return bool(self.jobs_failed or self.removed)

    def lines(self) -> list[str]:
        """What happened, for a person (Bahasa Indonesia, like the job messages)."""
        verb = "akan dihapus" if self.dry_run else "dihapus"
        out = [f"{verb}: {r.path} ({r.what}, {r.bytes:,} bait)".replace(",", ".") for r in self.removed]
        out += [f"proses #{pk}: gagal, worker mati" for pk in self.jobs_failed]
        total = f"{self.size():,}".replace(",", ".")
        out.append(
            f"{len(self.removed)} {verb} ({total} bait): sementara {self.count('scratch')}, "
            f"tanpa baris {self.count('orphan')}, unggahan {self.count('upload')}, "
            f"unduhan lama {self.count('export')}; "
            f"proses gagal {len(self.jobs_failed)}; terlalu baru, dibiarkan {self.kept_young}"
        )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "jobs_failed": self.jobs_failed,
            "scratch": self.count("scratch"),
            "scratch_bytes": self.size("scratch"),
            "orphans": self.count("orphan"),
            "orphan_bytes": self.size("orphan"),
            "uploads": self.count("upload"),
            "upload_bytes": self.size("upload"),
            "exports": self.count("export"),
            "export_bytes": self.size("export"),
            "bytes": self.size(),
            "kept_young": self.kept_young,
            "dry_run": self.dry_run,
            "paths": [r.path for r in self.removed[:AUDIT_PATHS]],
        }


def _newest_change(path: Path) -> float:
    """The newest modification or status change of ``path`` and everything below it (a rename into
    place changes the folder's status time; a file being written, its modification time)."""
    newest = 0.0
    for stat in _stats(path):
        newest = max(newest, stat.st_mtime, stat.st_ctime)
    return newest


def _size(path: Path) -> int:
    return sum(s.st_size for s in _stats(path, files_only=True))


def _stats(path: Path, *, files_only: bool = False) -> list[os.stat_result]:
    try:
        top = path.lstat()
    except OSError:
        return []
    if not path.is_dir() or path.is_symlink():
        return [top]
    out = [] if files_only else [top]
    for folder, dirs, files in os.walk(path, onerror=lambda e: None):
        for name in files if files_only else [*dirs, *files]:
            try:
                out.append(os.lstat(os.path.join(folder, name)))
            except OSError:
                continue
    return out


class _Pass:
    def __init__(self, *, now: dt.datetime, dry_run: bool) -> None:
        self.root = Path(settings.DATA_DIR)
        self.now = now
        self.cutoff = now.timestamp() - lease_seconds()
        self.report = CleanupReport(dry_run=dry_run)

    def old(self, path: Path) -> bool:
        if _newest_change(path) <= self.cutoff:
            return True
        self.report.kept_young += 1
        return False

    def remove(self, path: Path, what: str) -> None:
        size = _size(path)
        relative = str(path.relative_to(self.root))
        if not self.report.dry_run:
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                return  # another clean-up was quicker
            except OSError:
                logger.exception("clean-up: could not remove %s", relative)
                return
        logger.warning(
            "clean-up: %s %s (%s, %s bytes)", "would remove" if self.report.dry_run else "removed",
            relative, what, size,
        )  # fmt: skip
        self.report.removed.append(Removal(relative, what, size))

    def scratch(self) -> None:
        for path in scratch_entries(self.root, (SCRATCH_PREFIX, STALE_PREFIX)):
            if self.old(path):
                self.remove(path, "scratch")

    def orphan_folders(self) -> None:
        from sigap.programmes.models import TargetingRun
        from sigap.registry.models import Snapshot

        models: dict[str, Any] = {"runs": TargetingRun, "snapshots": Snapshot}
        for name in ROW_FOLDERS:
            folder = self.root / name
            if not folder.is_dir():
                continue
            numbered = {int(p.name): p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()}
            if not numbered:
                continue
            known = set(models[name].objects.filter(pk__in=list(numbered)).values_list("pk", flat=True))
            for pk, path in sorted(numbered.items()):
                if pk not in known and self.old(path):
                    self.remove(path, "orphan")

    def orphan_batch_files(self) -> None:
        from sigap.enrolment.models import EnrolmentBatch

        folder = self.root / BATCH_DIR
        if not folder.is_dir():
            return
        candidates = [
            f for sub in folder.iterdir() if sub.is_dir() for f in sub.iterdir()
            if f.is_file() and BATCH_FILE.match(f.name)
        ]  # fmt: skip
        if not candidates:
            return
        known = {
            str(p)
            for files in EnrolmentBatch.objects.values_list("files", flat=True)
            for p in (files or {}).values()
        }
        for path in candidates:
            if str(path.relative_to(self.root)) not in known and self.old(path):
                self.remove(path, "orphan")

    def exports(self) -> None:
        """A large export's file (``exports/<job id>``) holds people chosen by one person's filters:
        removed a day after its job ended (:data:`sigap.web.exportfiles.KEEP`), or when no job names it."""
        from sigap.web.exportfiles import EXPORT_DIR, KEEP

        folder = self.root / EXPORT_DIR
        if not folder.is_dir():
            return
        numbered = {int(p.name): p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()}
        if not numbered:
            return
        jobs = {
            pk: (state, finished)
            for pk, state, finished in Job.objects.filter(pk__in=list(numbered)).values_list(
                "pk", "state", "finished_at"
            )
        }
        for pk, path in sorted(numbered.items()):
            if pk not in jobs:
                if self.old(path):
                    self.remove(path, "orphan")
                continue
            state, finished = jobs[pk]
            if state in (Job.DONE, Job.FAILED) and finished is not None and self.now - finished > KEEP:
                self.remove(path, "export")

    def uploads(self) -> None:
        """An upload folder belongs to the import job naming it: kept while the job is queued or
        running, removed once it ended (its import removes it; a killed one could not) or when no
        job names it (a request that died between storing it and starting the job)."""
        folder = self.root / UPLOAD_DIR
        if not folder.is_dir():
            return
        active: set[str] = set()
        ended: set[str] = set()
        for state, params in Job.objects.filter(kind=Job.SNAPSHOT_IMPORT).values_list("state", "params"):
            parts = Path(str((params or {}).get("upload") or "")).parts
            if len(parts) >= 2 and parts[0] == UPLOAD_DIR:
                (active if state in (Job.QUEUED, Job.RUNNING) else ended).add(parts[1])
        for path in sorted(folder.iterdir()):
            if path.name in active:
                continue
            if path.name not in ended and self.waiting_for_mapping(path):
                continue
            if path.name in ended or self.old(path):
                self.remove(path, "upload")

    def waiting_for_mapping(self, path: Path) -> bool:
        """An upload waiting in the browser's column-mapping step (a note beside it, written by
        :func:`sigap.jobs.importflow.pending_add`) is kept for ``PENDING_KEEP`` after its last use."""
        from sigap.jobs.importflow import PENDING_FILE, PENDING_KEEP

        try:
            used = (path / PENDING_FILE).stat().st_mtime
        except OSError:
            return False
        if used > self.now.timestamp() - PENDING_KEEP.total_seconds():
            self.report.kept_young += 1
            return True
        return False


def jobs_expire(*, now: dt.datetime | None = None, remove_uploads: bool = True) -> list[int]:
    """Fail every job whose worker died (see :func:`sigap.jobs.actions.job_expire`); their ids."""
    now = now or timezone.now()
    limit = lease()
    candidates = list(
        Job.objects.filter(state=Job.RUNNING).values_list("pk", "heartbeat_at", "started_at", "created_at")
    )
    ids = [pk for pk, beat, started, created in candidates if now - (beat or started or created) > limit]
    queued = Job.objects.filter(state=Job.QUEUED).exclude(task_id="")
    ids += [job.pk for job in queued if task_lost(job, now=now, lease=limit)]
    failed = []
    for pk in sorted(ids):  # each re-checked under a row lock: a job that just beat is left alone
        if job_expire(job_id=pk, now=now, lease=limit, remove_upload=remove_uploads) is not None:
            failed.append(pk)
    return failed


def data_cleanup(
    *, acting_user: Actor = None, now: dt.datetime | None = None, dry_run: bool = False, trigger: str = ""
) -> CleanupReport:
    """Fail the jobs whose worker died, then remove leftovers older than the lease: ``.tmp-*`` and
    ``.stale-*`` entries, ``runs/<id>`` and ``snapshots/<id>`` folders without their row, batch files
    no batch names, and the uploads of ended jobs.  One audit row when anything was removed."""
    now = now or timezone.now()
    work = _Pass(now=now, dry_run=dry_run)
    if not dry_run:
        work.report.jobs_failed = jobs_expire(now=now, remove_uploads=False)  # the uploads pass counts them
    work.scratch()
    work.orphan_folders()
    work.orphan_batch_files()
    work.exports()
    work.uploads()
    report = work.report
    if report.anything and not dry_run:
        audit_record(
            acting_user=acting_user,
            action="data.cleanup",
            object_type="data_dir",
            after={**report.as_dict(), "lease_seconds": lease_seconds()},
            note=trigger,
            area_code="",
        )
    return report


class Janitor:
    """In a worker process: one clean-up when it starts, then one every half lease (a thread), so a
    job whose worker died fails within a lease and a half even when no worker restarts."""

    def __init__(self, *, trigger: str = "worker") -> None:
        self.trigger = trigger
        self.interval = max(0.5, lease_seconds() / 2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="janitor", daemon=True)

    def run_once(self, trigger: str) -> CleanupReport | None:
        try:
            return data_cleanup(trigger=trigger)
        except Exception:  # noqa: BLE001 -- a failed clean-up must not stop the worker
            logger.exception("clean-up failed")
            return None

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.run_once(f"{self.trigger}: periodic")
        finally:
            connection.close()

    def start(self) -> None:
        self.run_once(f"{self.trigger}: start")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
