"""Decree annex: PDF (pages numbered, hash on every page) and XLSX (NIK as text, totals, hash)."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sigap.audit.models import AuditEvent
from sigap.core.money import format_rupiah
from sigap.enrolment.actions import annex_write
from sigap.enrolment.models import Member
from sigap.errors import UserError

from .conftest import COST_PER_PERSON, PLACES

pytestmark = pytest.mark.django_db


def test_annex_pdf_and_xlsx(approved: Any, data_dir: Any) -> None:
    files = annex_write(run=approved)
    assert files["pdf"].parent == data_dir / "runs" / str(approved.pk) / "annex"
    pdf = files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(files["pdf"])
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert approved.list_sha256 in text.replace("\n", "")
        assert f"Halaman {number} dari {len(pages)}" in text
    first = Member.objects.filter(run=approved).order_by("rank").first()
    assert first is not None and first.nik in pages[0] and first.nama in pages[0]
    assert f"Total biaya : {format_rupiah(PLACES * COST_PER_PERSON)}" in pages[0]
    # The tie-break rule and the run's seed (ADR 0014): anyone can recompute the order of the list.
    seed = approved.tie_break_seed
    assert approved.tie_break_rule == "sha256-seed-nik" and len(seed) == 32
    rule = f"Urutan seri : hash SHA-256 dari benih + NIK, terkecil dulu; benih: {seed}"
    assert rule in pages[0].replace("\n", " ")
    last = Member.objects.filter(run=approved).order_by("rank").last()
    assert last is not None and last.nik in pages[-1]

    sheet = load_workbook(files["xlsx"]).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = values.index(
        ["No", "NIK", "Nama", "Tempat/Tanggal lahir", "L/P", "Kelurahan", "Pekerjaan", "Desil"]
    )
    body = values[header + 1 : header + 1 + PLACES]
    assert [r[0] for r in body] == list(range(1, PLACES + 1))
    assert all(isinstance(r[1], str) and len(r[1]) == 16 for r in body)
    assert body[0][1] == first.nik and body[0][5] and body[0][5] != first.kode_kelurahan
    info = {r[0]: r[2] for r in values[:header] if r[0]}
    assert info["Urutan seri"] == f"hash SHA-256 dari benih + NIK, terkecil dulu; benih: {seed}"
    totals = values[header + 1 + PLACES]
    assert totals[0] == "Jumlah" and totals[6] == PLACES * COST_PER_PERSON
    assert approved.list_sha256 in sheet.oddFooter.left.text
    event = AuditEvent.objects.get(action="annex.export", object_id=str(approved.pk))
    assert event.after["members"] == PLACES and event.after["pages"] == len(pages)


def test_annex_only_for_an_approved_list(run: Any) -> None:
    with pytest.raises(UserError, match="hanya daftar yang disetujui"):
        annex_write(run=run)


def test_annex_refuses_a_tampered_list(approved: Any) -> None:
    Member.objects.filter(run=approved, rank=1).update(nama="NAMA LAIN")
    with pytest.raises(UserError, match="tidak lagi cocok dengan hash daftar"):
        annex_write(run=approved)


def test_the_annex_of_a_list_made_before_the_neutral_tie_break_says_so(approved: Any) -> None:
    """A run from before ADR 0014 (migrated: rule ``nik``, no seed) still renders, naming its old rule."""
    from sigap.programmes.models import TargetingRun

    TargetingRun.objects.filter(pk=approved.pk).update(
        tie_break_rule="nik", tie_break_seed="", tie_break_seed_source=""
    )
    approved.refresh_from_db()
    files = annex_write(run=approved)
    first = PdfReader(files["pdf"]).pages[0].extract_text().replace("\n", " ")
    assert "Urutan seri : NIK terkecil dulu (aturan lama, tanpa benih)" in first
    assert "benih:" not in first
    sheet = load_workbook(files["xlsx"]).active
    info = {r[0]: r[2] for r in sheet.iter_rows(values_only=True) if r[0] == "Urutan seri"}
    assert info == {"Urutan seri": "NIK terkecil dulu (aturan lama, tanpa benih)"}
