"""An import job on a hostile upload ends with the importer's own words, never "internal error"."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sigap.jobs.actions import job_start
from sigap.jobs.models import Job
from sigap.registry.models import Snapshot

from .helpers import person, registry_csv

pytestmark = pytest.mark.django_db


def _start(world: Any, data_dir: Path, name: str, content: bytes) -> Job:
    relative = Path("uploads") / "t" / name
    (data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (data_dir / relative).write_bytes(content)
    params = {"upload": str(relative), "kind": "registry", "mapping": None, "reference_date": "2026-01-01"}
    return job_start(kind=Job.SNAPSHOT_IMPORT, params=params, acting_user=world.users["admin_dinas"])


def test_unquoted_200_kib_field_is_a_rejected_row(world: Any, data_dir: Path) -> None:
    """Regression: the job said only "internal error" (Python's csv field limit, 128 KiB)."""
    content = registry_csv([person(1), person(2, alamat="A" * 200 * 1024), person(3)])
    content += b"|".join([b"x"] * 25) + b"\n"  # a malformed row: the file is read record by record
    job = _start(world, data_dir, "panjang.csv", content)
    assert job.state == Job.DONE, job.error
    assert (job.result["accepted"], job.result["rejected"]) == (2, 2)


def test_xlsx_zip_bomb_fails_with_a_clear_message(world: Any, data_dir: Path) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", "<sst><si><t>" + "A" * 8 * 1024**2 + "</t></si></sst>")
    before = Snapshot.objects.count()
    job = _start(world, data_dir, "bom.xlsx", packed.getvalue())
    assert job.state == Job.FAILED
    assert job.error.startswith("bom.xlsx: berkas XLSX tidak wajar: bagian xl/sharedStrings.xml dimampatkan")
    assert "internal error" not in job.error and str(data_dir) not in job.error
    assert Snapshot.objects.count() == before
