"""The decree (SK) at approval: stored on the run, audited, printed on the annex in Bahasa Indonesia
(header lines, labels, signature block, Indonesian dates); the CLI takes it too."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from factories import make_snapshot, make_user, programme_document
from sigap.audit.models import AuditEvent
from sigap.core.tiebreak import TieBreak
from sigap.enrolment import annex
from sigap.enrolment.actions import annex_write, batch_export, run_approve, run_submit
from sigap.enrolment.models import Member
from sigap.errors import UserError
from sigap.programmes.actions import programme_apply, targeting_run
from sigap.programmes.models import TargetingRun

from .conftest import COST_PER_PERSON, PLACES

pytestmark = pytest.mark.django_db

DECREE = {
    "number": "800/Kep.017-Disnaker/2026",
    "date": "2026-01-05",
    "place": "Bekasi",
    "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
    "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
}
#: English words the annex used to carry ("Daftar (run)", "initial", "approved"...): none may remain.
ENGLISH = re.compile(r"\b(run|initial|replacement|renewal|approved|list|members|cost|budget|by)\b", re.I)


@pytest.fixture
def today(clock: Any) -> dt.date:
    day = dt.date(2026, 1, 10)
    clock(day)
    return day


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_decree_is_stored_audited_and_returned(run: Any, officer: Any, head: Any, today: Any) -> None:
    run_submit(run=run, acting_user=officer)
    result = run_approve(
        run=run,
        acting_user=head,
        decree={**DECREE, "signatory_title": " Kepala Dinas\n Tenaga Kerja Kota Bekasi"},
    )
    run.refresh_from_db()
    assert (run.sk_number, run.sk_date, run.sk_place) == (DECREE["number"], dt.date(2026, 1, 5), "Bekasi")
    assert (run.sk_signatory_name, run.sk_signatory_title) == (
        "Drs. H. Ahmad Fauzi, M.Si.",
        "Kepala Dinas Tenaga Kerja Kota Bekasi",
    )
    assert run.decree is not None and run.decree.tanggal == "5 Januari 2026"
    assert result.as_dict()["decree"] == {
        **DECREE,
        "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
    }
    event = AuditEvent.objects.get(action="run.approve", object_id=str(run.pk))
    assert (
        event.after["decree"]["number"] == DECREE["number"] and event.after["decree"]["date"] == "2026-01-05"
    )
    assert event.note.startswith(f"SK {DECREE['number']} (2026-01-05)")


def test_a_wrong_decree_approves_nothing(run: Any, officer: Any, head: Any, today: Any) -> None:
    run_submit(run=run, acting_user=officer)
    with pytest.raises(UserError) as refused:
        run_approve(
            run=run,
            acting_user=head,
            decree={**DECREE, "number": "tanpa nomor", "date": "2026-02-01", "signatory_name": ""},
        )
    assert refused.value.details == [
        "Nomor SK: harus memuat angka, mis. 800/Kep.123-Disnaker/2026",
        "Tanggal SK: 1 Februari 2026 sesudah hari ini (10 Januari 2026)",
        "Nama penanda tangan: wajib diisi",
    ]
    run.refresh_from_db()
    assert run.state == TargetingRun.SUBMITTED and run.sk_number == "" and not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="run.approve").exists()


def test_a_blank_place_is_the_region(run: Any, officer: Any, head: Any, today: Any) -> None:
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head, decree={**DECREE, "place": ""})
    run.refresh_from_db()
    assert run.sk_place == "Bekasi"  # Kota Bekasi


def test_the_annex_carries_the_decree_in_bahasa_indonesia(
    run: Any, officer: Any, head: Any, today: Any
) -> None:
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head, decree=DECREE)
    run.refresh_from_db()
    files = annex_write(run=run)
    reader = PdfReader(files["pdf"])
    first = reader.pages[0].extract_text()
    flat = " ".join(first.split())
    for words in (
        "LAMPIRAN",
        "KEPUTUSAN KEPALA DINAS TENAGA KERJA KOTA BEKASI",
        "NOMOR : 800/Kep.017-Disnaker/2026",
        "TANGGAL : 5 Januari 2026",
        "TENTANG : PENETAPAN PESERTA JAMINAN SOSIAL KETENAGAKERJAAN",
        "TAHUN ANGGARAN 2026",
        "DAFTAR NOMINATIF PESERTA",
        "Sumber dana : APBD",
        "Program jaminan : Jaminan Kecelakaan Kerja (JKK) dan Jaminan Kematian (JKM)",
        "Iuran per orang per bulan : JKK Rp10.000 + JKM Rp6.800 = Rp16.800",
        "Masa perlindungan : Januari 2026 s.d. Desember 2026 (12 bulan)",
        "Biaya per orang : JKK Rp120.000 + JKM Rp81.600 = Rp201.600",
        f"Penetapan sasaran : #{run.pk} (awal)",
        "Disetujui di SIGAP : kadis, 10 Januari 2026 pukul",
    ):
        assert words in flat, words
    last = " ".join(reader.pages[-1].extract_text().split())
    for words in (
        "Ditetapkan di Bekasi",
        "pada tanggal 5 Januari 2026",
        "Kepala Dinas Tenaga Kerja Kota Bekasi,",
        "Drs. H. Ahmad Fauzi, M.Si.",
    ):
        assert words in last, words
    # every page's running header names the decree; nothing is left in English
    for page in reader.pages:
        text = page.extract_text()
        assert (
            "Lampiran Keputusan Nomor 800/Kep.017-Disnaker/2026" in text
            and f"Penetapan #{run.pk}" not in text
        )
    labels = [label for label, _ in annex.AnnexHeader.info(_header(run), PLACES)]
    text = " ".join(page.extract_text() for page in reader.pages)
    words_outside_data = " ".join(labels) + " " + re.sub(r"ORANG \d+|BEKASI", "", text)
    assert not ENGLISH.findall(words_outside_data), ENGLISH.findall(words_outside_data)

    sheet = load_workbook(files["xlsx"]).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == ["LAMPIRAN"] and cells[1] == ["KEPUTUSAN KEPALA DINAS TENAGA KERJA KOTA BEKASI"]
    assert cells[2] == ["NOMOR", ":", "800/Kep.017-Disnaker/2026"]
    assert cells[3] == ["TANGGAL", ":", "5 Januari 2026"]
    flat_cells = [c for row in cells for c in row]
    for words in (
        "Ditetapkan di Bekasi",
        "pada tanggal 5 Januari 2026",
        "Kepala Dinas Tenaga Kerja Kota Bekasi,",
        "Drs. H. Ahmad Fauzi, M.Si.",
    ):
        assert words in flat_cells, words
    assert PLACES * COST_PER_PERSON in flat_cells


def _header(run: TargetingRun) -> annex.AnnexHeader:
    return annex.AnnexHeader(
        programme_code=run.programme.code,
        programme_name=run.programme.name,
        fiscal_year=2026,
        budget=1,
        cost_per_person=1,
        run_id=run.pk,
        run_kind=run.kind,
        list_sha256="0" * 64,
        decided_by="-",
        decided_at="-",
        tie_break=run.tie_break,
    )


def test_a_list_approved_without_a_decree_leaves_blanks(approved: Any) -> None:
    files = annex_write(run=approved)
    reader = PdfReader(files["pdf"])
    first = " ".join(reader.pages[0].extract_text().split())
    assert f"NOMOR : {annex.BLANK}" in first and f"TANGGAL : {annex.BLANK}" in first
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"Ditetapkan di Bekasi pada tanggal {annex.BLANK}" in last and f"({annex.BLANK})" in last


def test_hostile_decree_text_stays_text(tmp_path: Path) -> None:
    from sigap.core.decree import Decree

    attack = "</style><link rel=attachment href=file:///etc/passwd>@import url(x);"
    header = annex.AnnexHeader(
        programme_code="P",
        programme_name="Program",
        fiscal_year=2026,
        budget=1,
        cost_per_person=1,
        run_id=1,
        run_kind="initial",
        list_sha256="0" * 64,
        decided_by="kadis",
        decided_at="-",
        tie_break=TieBreak.seeded("0" * 32),
        decree=Decree(
            number=f"800/{attack}",
            date=dt.date(2026, 1, 5),
            place=attack,
            signatory_name=attack,
            signatory_title=attack,
        ),
    )
    html = annex.render_html(header, [])
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "@import" not in style
    assert "&lt;/style&gt;&lt;link rel=attachment" in html and "<link rel=attachment" not in html
    out = tmp_path / "annex.pdf"
    annex.write_pdf(header, [], out)
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert dict(reader.attachments) == {} and "file:///etc/passwd" in reader.pages[0].extract_text()


def test_jht_reaches_the_annex_and_the_batch(data_dir: Path, clock: Any) -> None:
    clock(dt.date(2025, 12, 10))
    document = programme_document("SIGAP-JHT", budget=3 * 441_600)
    document["tariff"] = {"include_jht": True}
    programme, _, _ = programme_apply(document=document, source_name="jht.toml")
    assert programme.spec["tariff"] == {"income_bracket": 1_000_000, "include_jht": True}
    run = targeting_run(programme=programme, snapshot=make_snapshot(data_dir, people=10), export=False)
    assert (run.selected, run.cost_per_person, run.cost) == (3, 441_600, 3 * 441_600)
    officer, head = make_user("petugas.jht"), make_user("kadis.jht")
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head, decree={**DECREE, "date": "2025-12-01"})
    run.refresh_from_db()
    flat = " ".join(PdfReader(annex_write(run=run)["pdf"]).pages[0].extract_text().split())
    for words in (
        "Program jaminan : Jaminan Kecelakaan Kerja (JKK), Jaminan Kematian (JKM) dan Jaminan Hari Tua (JHT)",
        "Iuran per orang per bulan : JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000 = Rp36.800",
        "Biaya per orang : JKK Rp120.000 + JKM Rp81.600 + JHT Rp240.000 = Rp441.600",
        "Total biaya : Rp1.324.800",
        "Total per program jaminan : JKK Rp360.000 + JKM Rp244.800 + JHT Rp720.000 = Rp1.324.800",
    ):
        assert words in flat, words
    batch = batch_export(programme=programme, acting_user=officer, today=dt.date(2025, 12, 10))
    csv_text = (data_dir / batch.files["csv"]).read_text(encoding="utf-8")
    assert csv_text.count("JKK+JKM+JHT") == 3


@pytest.fixture
def invoke(data_dir: Path) -> Any:
    from sigap.cli import _register, cli

    _register()
    runner = CliRunner()

    def call(*args: str, code: int = 0) -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return json.loads(result.output.strip().splitlines()[-1])

    return call


@pytest.mark.django_db(transaction=True)
def test_cli_approve_with_the_decree(invoke: Any, run: Any, officer: Any, head: Any, today: Any) -> None:
    rid = str(run.pk)
    invoke("run", "submit", rid, "--as", "petugas")
    partial = invoke("run", "approve", rid, "--as", "kadis", "--sk-number", "800/1", code=2)
    assert "missing: --sk-date, --signatory-name, --signatory-title" in partial["error"]
    wrong = invoke(
        "run", "approve", rid, "--as", "kadis", "--sk-number", "800/1", "--sk-date", "2026-02-01",
        "--signatory-name", "Ahmad", "--signatory-title", "Kepala Dinas", code=2,
    )  # fmt: skip
    assert "Surat Keputusan (SK)" in wrong["error"]
    assert TargetingRun.objects.get(pk=run.pk).state == TargetingRun.SUBMITTED
    approved = invoke(
        "run", "approve", rid, "--as", "kadis",
        "--sk-number", DECREE["number"], "--sk-date", "05-01-2026",
        "--signatory-name", DECREE["signatory_name"], "--signatory-title", DECREE["signatory_title"],
    )  # fmt: skip
    assert approved["members"] == PLACES and approved["decree"] == DECREE
