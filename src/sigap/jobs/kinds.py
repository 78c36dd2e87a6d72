"""What each job kind runs: its phases (for the progress bar) and the action it calls.

A handler gets the job, the acting user and a progress callback; it calls exactly one existing
action (which is atomic and audited) and returns a small JSON result.  A :class:`UserError`
propagates to :mod:`sigap.jobs.tasks`, which records its text on the job.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sigap.errors import UserError
from sigap.jobs.models import Job

Progress = Callable[..., None]

UPLOAD_DIR = "uploads"


@dataclass(frozen=True)
class JobKind:
    run: Callable[[Job, Any, Progress], dict[str, Any]]
    phases: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    cleanup: Callable[[Job], None] = lambda job: None
    #: rewrites a UserError text for the page (e.g. the server path of an upload -> its file name)
    tidy: Callable[[Job, str], str] = lambda job, text: text


def upload_path(relative: str) -> Path:
    """An uploaded file under ``DATA_DIR/uploads`` (refuses anything that escapes that folder)."""
    root = (Path(settings.DATA_DIR) / UPLOAD_DIR).resolve()
    path = (Path(settings.DATA_DIR) / relative).resolve()
    if root not in path.parents:
        raise UserError(_("%(path)s: bukan berkas yang diunggah.") % {"path": relative})
    return path


def _import(job: Job, acting_user: Any, progress: Progress) -> dict[str, Any]:
    from sigap.registry.actions import snapshot_import

    params = job.params
    result = snapshot_import(
        path=upload_path(params["upload"]),
        kind=params["kind"],
        mapping=params.get("mapping") or None,
        reference_date=dt.date.fromisoformat(params["reference_date"]),
        acting_user=acting_user,
        progress=progress,
    )
    found = {
        "snapshot": result.snapshot.pk,
        "created": result.created,
        "rows": result.rows,
        "accepted": result.accepted,
        "rejected": result.rejected,
        "warnings": result.warnings,
    }
    if params["kind"] == "roster":  # linked to the newest registry at once (ADR 0022)
        from sigap.programmes.linkage import link_imported_roster

        linkage = link_imported_roster(roster=result.snapshot, acting_user=acting_user)
        if linkage is not None:
            found["linkage"] = linkage.pk
            found["linked_rows"] = linkage.stats.get("linked_rows", 0)
            found["review_rows"] = linkage.stats.get("review_rows", 0)
    return found


def upload_remove(relative: str) -> None:
    """Delete an uploaded file and its private folder (nothing outside ``DATA_DIR/uploads``)."""
    try:
        folder = upload_path(relative).parent
    except UserError:
        return
    if folder != (Path(settings.DATA_DIR) / UPLOAD_DIR).resolve():
        shutil.rmtree(folder, ignore_errors=True)


def _upload_name(job: Job, text: str) -> str:
    """The importer names files by their path; the user knows the upload by its name only."""
    relative = job.params.get("upload")
    if not relative:
        return text
    try:
        path = upload_path(relative)
    except UserError:
        return text
    for prefix in (str(path), str(Path(settings.DATA_DIR) / relative)):
        text = text.replace(prefix, path.name)
    return text


def _remove_upload(job: Job) -> None:
    """The upload is only needed by its import: the snapshot keeps the data and the hash."""
    if job.params.get("upload"):
        upload_remove(job.params["upload"])


def _targeting(job: Job, acting_user: Any, progress: Progress) -> dict[str, Any]:
    from sigap.programmes.actions import targeting_run
    from sigap.programmes.models import Programme
    from sigap.registry.models import Snapshot

    params = job.params
    programme = Programme.objects.filter(pk=params["programme"]).first()
    if programme is None:
        raise UserError(_("Program #%(id)s tidak ada.") % {"id": params["programme"]})

    def snapshot(key: str) -> Snapshot | None:
        if not params.get(key):
            return None
        found = Snapshot.objects.filter(pk=params[key]).first()
        if found is None:
            raise UserError(_("Snapshot #%(id)s tidak ada.") % {"id": params[key]})
        return found

    run = targeting_run(
        programme=programme,
        snapshot=snapshot("snapshot"),
        roster=snapshot("roster"),
        acting_user=acting_user,
        progress=progress,
    )
    return {
        "run": run.pk,
        "programme": programme.code,
        "snapshot": run.snapshot_id,
        "roster": run.roster_id,
        "eligible": run.eligible,
        "selected": run.selected,
        "waiting": run.waiting,
        "cost": run.cost,
        "remaining": run.remaining,
    }


def _batch(job: Job, acting_user: Any, progress: Progress) -> dict[str, Any]:
    from sigap.core.money import Month
    from sigap.enrolment.actions import batch_export
    from sigap.programmes.models import Programme

    params = job.params
    programme = Programme.objects.filter(pk=params["programme"]).first()
    if programme is None:
        raise UserError(_("Program #%(id)s tidak ada.") % {"id": params["programme"]})
    progress("Exporting")
    batch = batch_export(
        programme=programme,
        acting_user=acting_user,
        coverage_start=Month.parse(params["coverage_start"]) if params.get("coverage_start") else None,
        today=dt.date.fromisoformat(params["today"]),
    )
    return {"batch": batch.pk, "number": batch.number, "members": batch.member_count}


def _annex(job: Job, acting_user: Any, progress: Progress) -> dict[str, Any]:
    """The decree annex (PDF + XLSX) of an approved list, written once per state of the run."""
    from sigap.enrolment import annexfiles
    from sigap.enrolment.actions import annex_write
    from sigap.programmes.models import TargetingRun

    run = TargetingRun.objects.filter(pk=job.params["run"]).first()
    if run is None:
        raise UserError(_("Penetapan sasaran #%(id)s tidak ada.") % {"id": job.params["run"]})
    progress("Checking")
    files = annexfiles.cached(run)
    written = files is None
    if files is None:
        progress("Writing")
        files = annex_write(run=run, acting_user=acting_user)
        annexfiles.mark_written(run, files)
    progress("Done")
    return {
        "run": run.pk,
        "written": written,
        "files": {fmt: str(path.relative_to(settings.DATA_DIR)) for fmt, path in files.items()},
        "marker": annexfiles.marker(run),
    }


def _list_export(job: Job, acting_user: Any, progress: Progress) -> dict[str, Any]:
    """A large export (the audit log, a programme's members) written to a file for its asker."""
    from sigap.web.exportfiles import export_write

    return export_write(job_id=job.pk, user=acting_user, params=job.params, progress=progress)


KINDS: dict[str, JobKind] = {
    Job.SNAPSHOT_IMPORT: JobKind(
        run=_import,
        phases=(
            "Membaca berkas / reading file",
            "Memuat data / loading rows",
            "Memeriksa data / validating",
            "Menulis snapshot / writing snapshot",
            "Menulis laporan / writing report",
        ),
        cleanup=_remove_upload,
        tidy=_upload_name,
    ),
    Job.TARGETING_RUN: JobKind(
        run=_targeting,
        phases=("Selecting", "Exporting"),
        labels={"Selecting": "Memilih sasaran / selecting", "Exporting": "Menulis ekspor / exporting"},
    ),
    Job.ANNEX_EXPORT: JobKind(
        run=_annex,
        phases=("Checking", "Writing", "Done"),
        labels={
            "Checking": "Memeriksa daftar / checking the list",
            "Writing": "Menulis lampiran PDF dan Excel / writing the PDF and Excel annex",
            "Done": "Selesai / done",
        },
    ),
    Job.LIST_EXPORT: JobKind(
        run=_list_export,
        phases=("Writing",),
        labels={"Writing": "Menulis berkas unduhan / writing the file"},
    ),
    Job.BATCH_EXPORT: JobKind(
        run=_batch,
        phases=("Exporting",),
        labels={"Exporting": "Menulis batch XLSX/CSV / writing the batch files"},
    ),
}


def upload_store(upload: Any) -> str:
    """Write an uploaded file to ``DATA_DIR/uploads/<random>/<its name>``; returns the relative path.

    The original name is kept (cleaned) because the snapshot records it as its source name.
    """
    import uuid

    from django.utils.text import get_valid_filename

    name = get_valid_filename(Path(str(upload.name)).name) or "upload"
    relative = Path(UPLOAD_DIR) / uuid.uuid4().hex / name[:200]
    target = Path(settings.DATA_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return str(relative)
