"""The Admin Dinas imports a registry file with the Dinsos' own column names, in the browser only:
upload, check the guessed columns, preview, import, save the profile; the next file is recognised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ops.test_import_mapping import FOREIGN, foreign_csv, foreign_rows
from sigap.jobs.models import Job
from sigap.registry.models import ColumnMapping

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _run_queued_jobs() -> None:
    """What the worker process does (the live server only queues)."""
    from sigap.jobs.tasks import job_execute

    for job in Job.objects.filter(state=Job.QUEUED):
        job_execute.call(job.pk)


def test_admin_dinas_maps_columns_and_imports(
    open_as: Any, world: Any, live_server: Any, tmp_path: Path, shots: Path
) -> None:
    upload = tmp_path / "dtsen_dinsos.csv"
    upload.write_bytes(foreign_csv())
    page = open_as("admin_dinas")
    page.goto(f"{live_server.url}/kelola/impor/")
    page.get_by_label("Berkas (CSV, XLSX atau Parquet)").set_input_files(str(upload))
    page.get_by_label("Tanggal acuan").fill("2026-01-01")
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_load_state()
    assert "/kelola/impor/pemetaan/" in page.url
    main = page.inner_text("main")
    assert "Pemetaan kolom" in main and "NAMA_LENGKAP" in main and "WARGA NOMOR 1" in main
    # the guesses are selected; the officer corrects nothing here but looks at the preview
    assert page.get_by_label("Tanggal lahir").input_value() == FOREIGN["tanggal_lahir"]
    assert page.get_by_label("NIK").input_value() == FOREIGN["nomor_nik"]
    page.get_by_role("button", name="Pratinjau").click()
    page.wait_for_load_state()
    assert "Tanggal lahir" in page.inner_text("#pratinjau ~ div")
    page.screenshot(path=shots / "import_mapping.png", full_page=True)
    page.get_by_label("Simpan sebagai profil (opsional)").fill("DTSEN Dinsos")
    page.get_by_role("button", name="Impor dengan pemetaan ini").click()
    page.wait_for_load_state()
    assert "/kelola/proses/" in page.url
    _run_queued_jobs()
    page.reload()
    assert "3 baris: 3 diterima, 0 ditolak." in page.inner_text("main")
    assert ColumnMapping.objects.get().name == "DTSEN Dinsos"

    # the next file of the same layout goes straight to its import
    upload.write_bytes(foreign_csv(foreign_rows((7, 8))))
    page.goto(f"{live_server.url}/kelola/impor/")
    page.get_by_label("Berkas (CSV, XLSX atau Parquet)").set_input_files(str(upload))
    page.get_by_label("Tanggal acuan").fill("2026-01-01")
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_load_state()
    assert "/kelola/proses/" in page.url and "DTSEN Dinsos" in page.inner_text("main")
