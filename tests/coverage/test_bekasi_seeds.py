"""The seeds' Kota Bekasi figures from data a Dinas can enter (DOMAIN.md sections 1 and 3).

News of 5 November 2025: 11,666 pekerja rentan added to the 40,000 the city already funded (RT/RW,
kader Posyandu, honorer...) and "about 44%" of the city's vulnerable workers covered; the DPRD estimates
more than 200,000 of them.  The seeds give no count of the BPU insured on their own: 36,334 is what
makes 44% of 200,000 (88,000 - 11,666 - 40,000), so the roster here holds 36,334 active BPU.

Entered as an officer would: the estimate through the Kelola data form, the segment list through
``sigap programme import-segment``, SIGAP's own 11,666 through targeting, approval and BPJS TK's answer,
the roster as a snapshot.  The leaders' dashboard then shows 44,0% = 88.000 ÷ 200.000, its lines add up,
and editing the estimate changes the (cached) page at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

from lifecycle.conftest import answer_all, write_response
from programmes.helpers import BEKASI_KELURAHAN, programme_document, write_snapshot
from sigap.cli import _register, cli
from sigap.core.schema import ROSTER_COLUMNS

pytestmark = pytest.mark.django_db(transaction=True)

SIGAP, SEGMENTS, BPU, ESTIMATE = 11_666, 40_000, 36_334, 200_000
WAITING = 2_000  # eligible people left on the waiting list
PEOPLE = BPU + SEGMENTS + SIGAP + WAITING  # 90,000 people in the registry extract
COST = 201_600  # Rp16,800 x 12 months


def nik_sql(i: str) -> str:
    """A valid NIK per person number ``i``: kecamatan 327501, birth date from i, serial from i."""
    return (
        f"'327501' || lpad(CAST(1 + {i} % 28 AS VARCHAR), 2, '0') || lpad(CAST(1 + ({i} // 28) % 12 AS VARCHAR), 2, '0')"
        f" || lpad(CAST(70 + ({i} // 336) % 10 AS VARCHAR), 2, '0') || lpad(CAST(1 + {i} // 3360 AS VARCHAR), 4, '0')"
    )


def nik(i: int) -> str:
    return f"327501{1 + i % 28:02d}{1 + (i // 28) % 12:02d}{70 + (i // 336) % 10:02d}{1 + i // 3360:04d}"


def kelurahan(i: int) -> str:
    return BEKASI_KELURAHAN[i % len(BEKASI_KELURAHAN)]


def registry_sql() -> str:
    kel = "[" + ", ".join(f"'{c}'" for c in BEKASI_KELURAHAN) + "]"
    return f"""
    SELECT {nik_sql("i")} AS nik, '3275' || lpad(CAST(i AS VARCHAR), 12, '0') AS no_kk,
      'ORANG ' || CAST(i AS VARCHAR) AS nama, 'BEKASI' AS tempat_lahir,
      make_date(1970 + (i // 336) % 10, 1 + (i // 28) % 12, 1 + i % 28) AS tanggal_lahir,
      'L' AS jenis_kelamin, 'KEPALA KELUARGA' AS hubungan_keluarga, 'JL' AS alamat, '001' AS rt, '001' AS rw,
      substr({kel}[1 + i % {len(BEKASI_KELURAHAN)}], 1, 6) AS kode_kecamatan,
      {kel}[1 + i % {len(BEKASI_KELURAHAN)}] AS kode_kelurahan,
      CAST(1 + i % 5 AS TINYINT) AS desil, 'PEDAGANG' AS pekerjaan, FALSE AS meninggal,
      CAST(i + 2 AS BIGINT) AS source_row
    FROM range(0, {PEOPLE}) AS t(i)
    """


def roster_sql() -> str:
    """People 0..BPU-1: active BPU insured on their own (and one inactive row that must not count)."""
    values = {
        "nik": nik_sql("i"),
        "kpj": "'BPU' || CAST(i AS VARCHAR)",
        "nama": "'ORANG ' || CAST(i AS VARCHAR)",
        "tanggal_lahir": "CAST(NULL AS DATE)",
        "segmen": "'BPU'",
        "status": f"CASE WHEN i < {BPU} THEN 'AKTIF' ELSE 'NONAKTIF' END",
        "source_row": "i + 2",
        "nik_written": "CAST(NULL AS VARCHAR)",
    }
    select = ", ".join(f"{values[name]} AS {name}" for name, _ in ROSTER_COLUMNS)
    return f"SELECT {select} FROM range(0, {BPU + 1}) AS t(i)"  # person BPU: NONAKTIF, a SIGAP candidate


def shown(page: str, figure: str) -> str:
    found = re.search(rf'data-figure="{figure}">([^<]*)<', page)
    assert found, figure
    return found.group(1)


def test_bekasi_44_percent_from_entered_data(data_dir: Path, tmp_path: Path, clock: Any) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit
    from sigap.enrolment.models import Member
    from sigap.programmes.actions import programme_apply, targeting_run
    from sigap.status.actions import status_refresh

    clock(dt.date(2026, 1, 20))
    users = {
        role: user_create(username=role, password="sandi-rahasia-1", role=role, area_code="3275")
        for role in (roles.ADMIN_DINAS, roles.KEPALA_DINAS, roles.PIMPINAN)
    }
    admin = users[roles.ADMIN_DINAS]
    write_snapshot(data_dir, registry_sql())
    write_snapshot(data_dir, roster_sql(), kind="roster")

    # 1. the estimate, as the Admin Dinas types it in Kelola data > Cakupan pekerja rentan
    web = Client()
    web.force_login(admin)
    form = {"region": "3275", "year": "2025", "estimate": "200.000", "source": "DPRD Kota Bekasi"}
    response = web.post(reverse("coverage:references"), form)
    assert response.status_code == 302, response.content.decode()[:2000]

    # 2. the 40,000 the city already funds, imported from the segment list (people BPU .. BPU+SEGMENTS-1)
    segment_file = tmp_path / "segmen-2026.csv"
    kinds = ("RT/RW", "KADER POSYANDU", "TENAGA HONORER", "LINMAS")
    with segment_file.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("NIK", "Nama", "Segmen", "Kelurahan", "Mulai"))
        for i in range(BPU, BPU + SEGMENTS):
            writer.writerow((nik(i), f"ORANG {i}", kinds[i % 4], kelurahan(i), "2026-01"))
    _register()
    result = CliRunner().invoke(
        cli,
        ["programme", "import-segment", str(segment_file), "--code", "SEGMEN-2026", "--year", "2026",
         "--region", "3275", "--name", "Segmen APBD Kota Bekasi 2026", "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"accepted": 40000' in result.output and '"rejected": 0' in result.output

    # 3. SIGAP's own 11,666: targeting leaves out the insured BPU and the segment's people
    document = programme_document(budget=SIGAP * COST)
    programme, _, _ = programme_apply(document=document, source_name="sigap-2026.toml", acting_user=admin)
    run = targeting_run(programme=programme, acting_user=admin, export=False)
    assert (run.selected, run.waiting, run.ineligible) == (SIGAP, WAITING, BPU + SEGMENTS)
    run_submit(run=run, acting_user=admin)
    run_approve(run=run, acting_user=users[roles.KEPALA_DINAS])
    batch = batch_export(programme=programme, acting_user=admin, today=dt.date(2025, 12, 10))
    answer = write_response(
        tmp_path, answer_all(batch, effective="2026-01-02", kpj_base=26_000_000_001), "jawaban.csv"
    )
    response_import(batch=batch, path=answer, acting_user=admin, today=dt.date(2026, 1, 10))
    assert Member.objects.filter(programme=programme, state=Member.ACTIVE).count() == SIGAP
    status_refresh(programme=programme)

    # 4. the leaders' dashboard
    leader = Client()
    leader.force_login(users[roles.PIMPINAN])
    page = leader.get(reverse("web:home")).content.decode()
    assert shown(page, "workforce-share") == "44,0%"
    assert shown(page, "workforce-covered") == "88.000"
    assert shown(page, "workforce-estimate") == "200.000"
    lines = dict(re.findall(r'data-line="([^"]+)">([^<]*)<', page))
    assert lines == {"programme-SIGAP-2026": "11.666", "segment-SEGMEN-2026": "40.000", "bpu-": "36.334"}
    assert sum(int(v.replace(".", "")) for v in lines.values()) == SIGAP + SEGMENTS + BPU == 88_000
    assert shown(page, "selected-share") == "85,4%"  # 11.666 ÷ 13.666 eligible, beside it
    assert "DPRD Kota Bekasi, 2025" in page

    # the Excel download carries the same lines, total, estimate and share
    import io

    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(leader.get(reverse("web:dashboard-export", args=[programme.pk])).content)
    )
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert (
        summary["Jumlah (setiap orang sekali)"] == 88_000 and summary["Perkiraan pekerja rentan"] == 200_000
    )
    assert summary["Cakupan pekerja rentan di wilayah (semua segmen)"] == "44,0%"
    assert summary["BPU aktif yang terdaftar sendiri (daftar peserta BPJS TK)"] == BPU

    # the same card in English (the definition on screen, both languages)
    leader.cookies["django_language"] = "en"
    english = leader.get(reverse("web:home")).content.decode()
    assert "vulnerable workers (all segments)" in english and "Cakupan pekerja rentan" not in english
    assert "each person counted once" in english and "Estimate: DPRD Kota Bekasi, 2025." in english
    leader.cookies["django_language"] = "id"

    # 5. a corrected estimate shows at once (the page cache is keyed by the reference figures too)
    form["estimate"] = "176000"
    assert web.post(reverse("coverage:references"), form).status_code == 302
    page = leader.get(reverse("web:home")).content.decode()
    assert shown(page, "workforce-share") == "50,0%"
    assert shown(page, "workforce-estimate") == "176.000"
