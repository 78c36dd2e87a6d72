"""The decree annex files kept per run (``DATA_DIR/runs/<id>/annex/``) and when they are still good.

:func:`sigap.enrolment.actions.annex_write` writes them (a background job: ``jobs.kinds``, about
30 s for 245 pages); a download serves them from here.  A marker file records what they were
written for -- the frozen list's hash, the run's state and the annex layout -- so files written
for another state of the run (or an older layout) are written again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from sigap.enrolment import annex

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MARKER = ".list_sha256"


def directory(run: Any) -> Path:
    return Path(settings.DATA_DIR) / "runs" / str(run.pk) / "annex"


def marker(run: Any) -> str:
    """What the files are written for: the frozen list, the run's state and the annex layout."""
    return f"{run.list_sha256} {run.state} {annex.LAYOUT}"


def cached(run: Any) -> dict[str, Path] | None:
    """The annex files already written for the run as it is now, if any."""
    folder = directory(run)
    try:
        if (folder / MARKER).read_text(encoding="ascii").strip() != marker(run):
            return None
    except OSError:
        return None
    stem = f"daftar-nominatif-run{run.pk}"
    files = {fmt: folder / f"{stem}.{fmt}" for fmt in FORMATS}
    return files if all(path.is_file() for path in files.values()) else None


def mark_written(run: Any, files: dict[str, Path]) -> None:
    (files["pdf"].parent / MARKER).write_text(marker(run), encoding="ascii")
