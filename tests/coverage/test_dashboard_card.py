"""The dashboard card "Cakupan pekerja rentan di wilayah" on a small programme (web.leaders: one member
covered, one exited, one rejected): segments and the roster's BPU count, each person once; the Excel
download carries the same lines; without a reference figure the card says how to enter one."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sigap.core.schema import ROSTER_COLUMNS
from web.leaders import DAY, NIK_COVERED, Leaders, build

pytestmark = pytest.mark.django_db

KEL = "3275011001"


@pytest.fixture
def leaders(data_dir: Path, clock: Any) -> Leaders:
    clock(DAY)
    return build(data_dir)


def page_of(leaders: Leaders) -> str:
    client = Client()
    client.force_login(leaders.users["pimpinan"])
    return client.get(reverse("web:home")).content.decode()


def segment(data_dir: Path, rows: list[str]) -> Path:
    path = data_dir / "segmen.csv"
    path.write_text(
        "NIK,Nama,Segmen,Kelurahan\n" + "".join(f"{r},ORANG,RT/RW,{KEL}\n" for r in rows), encoding="utf-8"
    )
    return path


def roster(data_dir: Path, niks: list[str]) -> None:
    from programmes.helpers import write_snapshot

    values = {
        "kpj": "'K' || nik", "nama": "'X'", "tanggal_lahir": "CAST(NULL AS DATE)", "segmen": "'BPU'",
        "status": "'AKTIF'", "source_row": "2", "nik_written": "CAST(NULL AS VARCHAR)",
    }  # fmt: skip
    rows = " UNION ALL ".join(f"SELECT '{n}' AS nik" for n in niks)
    select = ", ".join(f"{values.get(name, name)} AS {name}" for name, _ in ROSTER_COLUMNS)
    write_snapshot(data_dir, f"SELECT {select} FROM ({rows}) AS r", kind="roster")


def test_without_a_reference_figure_the_card_says_how_to_enter_one(leaders: Leaders) -> None:
    page = page_of(leaders)
    assert re.search(r'data-figure="workforce-share">–<', page)
    assert "Kelola data › Cakupan pekerja rentan" in page
    assert 'data-line="programme-SIGAP-2026">1<' in page  # the one member covered


def test_segments_and_bpu_each_person_once(leaders: Leaders, data_dir: Path) -> None:
    from sigap.coverage.actions import reference_set, segment_import

    reference_set(region="3275", year=2026, estimate=8, source="BPS Kota Bekasi")
    # the covered member is also on the segment list: counted once, under SIGAP-2026
    segment_import(
        path=segment(data_dir, [NIK_COVERED, "3275016505800009", "3275016505800010"]),
        code="RTRW-2026", fiscal_year=2026, region="3275",
    )  # fmt: skip
    # the roster: one BPU of the registry (the waiting-list person), the covered member (her own KPJ)
    # and someone the registry does not place in the region: only the first counts
    roster(data_dir, ["3275010202800003", NIK_COVERED, "3171016505800001"])
    page = page_of(leaders)
    lines = dict(re.findall(r'data-line="([^"]+)">([^<]*)<', page))
    assert lines == {"programme-SIGAP-2026": "1", "segment-RTRW-2026": "2", "bpu-": "1"}
    assert re.search(r'data-figure="workforce-covered">4<', page)
    assert re.search(r'data-figure="workforce-share">50,0%<', page)  # 4 / 8
    assert "BPS Kota Bekasi, 2026" in page

    client = Client()
    client.force_login(leaders.users["pimpinan"])
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("web:dashboard-export", args=[leaders.programme.pk])).content)
    )
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Jumlah (setiap orang sekali)"] == 4 and summary["Perkiraan pekerja rentan"] == 8
    assert summary["Cakupan pekerja rentan di wilayah (semua segmen)"] == "50,0%"

    # the page is in the leaders' page cache now; a corrected estimate or a new segment list is a new page
    reference_set(region="3275", year=2026, estimate=5, source="BPS Kota Bekasi")
    assert re.search(r'data-figure="workforce-share">80,0%<', page_of(leaders))  # 4 / 5
    segment_import(
        path=segment(data_dir, ["3275016505800011"]), code="LINMAS-2026", fiscal_year=2026, region="3275"
    )
    assert re.search(r'data-figure="workforce-share">100,0%<', page_of(leaders))  # 5 / 5
