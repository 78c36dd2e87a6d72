"""The screens in the Dinas' own words, one finding of the usability review each: the run page's
tables, the targeting run reachable from Program & sasaran, usulan showing old -> new, the audit trail
in sentences, the exits preview in pages with its evidence in words, the annex naming the run."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.helpers import person, write_people

from .conftest import KEL_A, KEL_B, NIK_A, NIK_B, World, approve

pytestmark = pytest.mark.django_db


def _page(world: World, role: str, url: str, **params: Any) -> str:
    client = Client()
    client.force_login(world.users[role])
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_run_page_has_one_titled_table_per_subject_in_words(world: World) -> None:
    page = _page(world, "kepala_dinas", reverse("web:run-detail", args=[world.run.pk]))
    text = _text(page)
    for title in ("Menurut keputusan", "Menurut kecamatan", "Menurut kelurahan", "Menurut jenis kelamin"):
        assert title in text
    assert "Keputusan Penduduk Biaya" in text and "Terpilih 2 Rp403.200" in text
    assert "Perempuan" in text and "Tidak memenuhi syarat" in text
    for raw in ("per_decision", "per_kecamatan", "per_sex", "eligible", "selected", "waiting_list"):
        assert raw not in text


def test_the_targeting_run_starts_from_program_and_sasaran(world: World) -> None:
    run_here = f"{reverse('ops:programme-detail', args=[world.programme.pk])}#jalankan"
    assert run_here in _page(world, "admin_dinas", reverse("web:programmes"))
    assert run_here not in _page(world, "pimpinan", reverse("web:programmes"))  # not theirs to run
    assert 'id="jalankan"' in _page(
        world, "admin_dinas", reverse("ops:programme-detail", args=[world.programme.pk])
    )


def test_usulan_lists_show_old_and_new_values_and_place_names(world: World, clock: Any) -> None:
    from sigap.usulan.actions import usulan_submit

    clock(dt.date(2026, 12, 5))
    approve(world)
    operator = world.users["operator_kelurahan"]
    usulan_submit(kind="desil", kode_kelurahan=KEL_A, nik=NIK_A, proposed={"desil": 3}, acting_user=operator)
    page = _page(world, "operator_kelurahan", reverse("web:usulan:list"))
    text = _text(page)
    assert "desil 1 → 3" in text and "Bekasijaya" in text and f"<td>{KEL_A}</td>" not in page


def test_the_audit_log_reads_as_sentences_with_links_and_local_time(world: World, clock: Any) -> None:
    from sigap.enrolment.actions import run_submit

    clock(dt.date(2026, 1, 5))  # 10:00 in Jakarta
    run_submit(run=world.run, acting_user=world.users["admin_dinas"])
    page = _page(world, "auditor", reverse("web:audit-log"), aksi="run.submit")
    text = _text(page)
    assert f"admin_dinas (Admin Dinas) mengajukan penetapan sasaran #{world.run.pk} SIGAP-2026" in text
    assert f'href="{reverse("web:run-detail", args=[world.run.pk])}"' in page
    assert "5 Januari 2026, 10.00" in text and "WIB" in text
    assert "run.submit" not in text and "programmes.targetingrun" not in text
    # the filter offers the action in words, and the object kind can be typed in words too
    assert ">Mengajukan penetapan sasaran</option>" in page
    found = _text(
        _page(world, "auditor", reverse("web:audit-log"), objek=f"penetapan sasaran #{world.run.pk}")
    )
    assert "2 catatan" in found and "menjalankan penetapan sasaran" in found  # run and submit


def test_the_exits_preview_comes_in_pages_with_counts_and_words(
    world: World, data_dir: Path, clock: Any, monkeypatch: Any
) -> None:
    from sigap.enrolment import views

    approve(world)
    clock(dt.date(2026, 12, 5))
    write_people(  # the newest registry extract: A is past the age limit, B has died
        data_dir,
        [
            person(
                NIK_A,
                nama="SITI AMINAH",
                jenis_kelamin="P",
                kode_kelurahan=KEL_A,
                tanggal_lahir=dt.date(1960, 1, 1),
            ),
            person(NIK_B, nama="BUDI SANTOSO", kode_kelurahan=KEL_B, meninggal=True),
        ],
    )
    monkeypatch.setattr(views, "EXITS_PER_PAGE", 1)
    client = Client()
    client.force_login(world.users["admin_dinas"])
    url = reverse("web:exits", args=[world.programme.pk])
    first = client.post(url, {"action": "preview", "on": "2026-12-05"}).content.decode()
    text = _text(first)
    assert "Meninggal dunia (1)" in text and "Melewati batas usia (1)" in text and "Halaman 1 dari 2" in text
    assert "age 66" not in text and "2026-12-05" not in text
    second = client.get(url, {"pratinjau": "1", "on": "2026-12-05", "halaman": "2"}).content.decode()
    words = _text(first + second)
    assert "usia 66 tahun pada 5 Desember 2026, di atas batas 60 tahun" in words
    assert "tercatat meninggal dunia di snapshot registri" in words
    only_age = _text(
        client.get(url, {"pratinjau": "1", "on": "2026-12-05", "alasan": "aged_out"}).content.decode()
    )
    assert "SITI AMINAH" in only_age and "BUDI SANTOSO" not in only_age


def test_the_annex_names_the_targeting_run_in_indonesian(world: World, settings: Any) -> None:
    from sigap.enrolment.annex import RUN_KINDS

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }  # the annex job
    approve(world)
    client = Client()
    client.force_login(world.users["kepala_dinas"])
    response = client.get(reverse("web:approval-annex", args=[world.run.pk, "xlsx"]))
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert (
        "Penetapan sasaran" in cells and f"#{world.run.pk} (awal)" in cells and RUN_KINDS["initial"] == "awal"
    )
    assert not any("run" in c.lower().split() for c in cells)
