"""Decree annex (daftar nominatif) of an approved list: PDF (WeasyPrint) and XLSX (XlsxWriter).

Pure rendering: the caller (``sigap.enrolment.actions.annex_write``) loads the members, checks
the list hash and decides where the files go.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from django.template.loader import render_to_string

from sigap.core.money import format_rupiah
from sigap.core.tiebreak import TieBreak
from sigap.pdf import css_string, render

COLUMNS = ("No", "NIK", "Nama", "Tempat/Tanggal lahir", "L/P", "Kelurahan", "Pekerjaan", "Desil")
ROWS_PER_TABLE = 1000  # several moderate tables lay out faster in WeasyPrint than one huge table


@dataclass(frozen=True)
class AnnexRow:
    no: int
    nik: str
    nama: str
    tempat_lahir: str
    tanggal_lahir: dt.date
    jenis_kelamin: str
    kelurahan: str
    pekerjaan: str
    desil: int

    @property
    def ttl(self) -> str:
        born = self.tanggal_lahir.strftime("%d-%m-%Y")
        return f"{self.tempat_lahir}, {born}" if self.tempat_lahir else born


@dataclass(frozen=True)
class AnnexHeader:
    programme_code: str
    programme_name: str
    fiscal_year: int
    budget: int
    cost_per_person: int
    run_id: int
    run_kind: str
    list_sha256: str
    decided_by: str
    decided_at: str
    #: How the run ordered people equal on every priority key (ADR 0014): printed with its seed so
    #: anyone can recompute the order of the list.
    tie_break: TieBreak

    def total_cost(self, members: int) -> int:
        return members * self.cost_per_person

    def info(self, members: int) -> list[tuple[str, str]]:
        return [
            ("Program", f"{self.programme_code} - {self.programme_name}"),
            ("Tahun anggaran", str(self.fiscal_year)),
            ("Anggaran", format_rupiah(self.budget)),
            ("Biaya per orang", format_rupiah(self.cost_per_person)),
            ("Jumlah peserta", f"{members:,}".replace(",", ".")),
            ("Total biaya", format_rupiah(self.total_cost(members))),
            ("Daftar (run)", f"#{self.run_id} ({self.run_kind})"),
            ("Urutan seri", self.tie_break.describe()),
            ("SHA-256 daftar", self.list_sha256),
        ]


# Column widths in characters (monospace) and alignment; 162 characters fit A4 landscape at 7.5pt.
WIDTHS = (6, 16, 32, 30, 3, 24, 32, 5)
RIGHT = (True, False, False, False, False, False, False, True)
GAP = "  "


def _wrap(value: str, width: int) -> list[str]:
    """Split ``value`` into lines of at most ``width`` characters (at spaces when possible)."""
    return textwrap.wrap(value, width, break_long_words=True, break_on_hyphens=False) or [""]


def fixed_width(values: Sequence[str]) -> str:
    """One table row as fixed-width text; long values wrap onto further lines of the same row."""
    cells = [_wrap(str(v), w) for v, w in zip(values, WIDTHS, strict=True)]
    height = max(len(c) for c in cells)
    lines = []
    for i in range(height):
        parts = []
        for cell, width, right in zip(cells, WIDTHS, RIGHT, strict=True):
            text = cell[i] if i < len(cell) else ""
            parts.append(text.rjust(width) if right else text.ljust(width))
        lines.append(GAP.join(parts).rstrip())
    return "\n".join(lines)


def render_html(header: AnnexHeader, rows: Sequence[AnnexRow]) -> str:
    table = [
        fixed_width(
            (str(r.no), r.nik, r.nama, r.ttl, r.jenis_kelamin, r.kelurahan, r.pekerjaan, str(r.desil))
        )
        for r in rows
    ]
    chunks = [table[i : i + ROWS_PER_TABLE] for i in range(0, len(table), ROWS_PER_TABLE)] or [[]]
    return render_to_string(
        "enrolment/annex.html",
        {
            "programme": {
                "code": header.programme_code,
                "name": header.programme_name,
                "fiscal_year": header.fiscal_year,
            },
            "info": header.info(len(rows)),
            "chunks": chunks,
            "column_header": fixed_width(COLUMNS),
            "css_title": css_string(f"Daftar nominatif {header.programme_code} - TA {header.fiscal_year}"),
            "css_run": css_string(f"Run #{header.run_id}"),
            "css_hash": css_string(f"SHA-256 daftar: {header.list_sha256}"),
            "total_members": f"{len(rows):,}".replace(",", "."),
            "cost_per_person": format_rupiah(header.cost_per_person),
            "total_cost": format_rupiah(header.total_cost(len(rows))),
            "decided_by": header.decided_by,
            "decided_at": header.decided_at,
        },
    )


def write_pdf(header: AnnexHeader, rows: Sequence[AnnexRow], path: Path) -> int:
    """Write the PDF; returns the page count."""
    document = render(render_html(header, rows))
    document.write_pdf(path)
    return len(document.pages)


def write_xlsx(header: AnnexHeader, rows: Sequence[AnnexRow], path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("Daftar nominatif")
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 13})
        head = workbook.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
        text = workbook.add_format({"num_format": "@"})
        money = workbook.add_format({"num_format": '"Rp"#,##0', "bold": True})
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_header(f"&L{header.programme_code} TA {header.fiscal_year}&RSHA-256 {header.list_sha256}")
        sheet.set_footer(f"&LSHA-256 daftar: {header.list_sha256}&RHalaman &P dari &N")
        for col, width in enumerate((6, 19, 30, 28, 5, 26, 34, 7)):
            sheet.set_column(col, col, width)
        sheet.write_string(0, 0, f"DAFTAR NOMINATIF PESERTA - {header.programme_name}", title)
        row = 2
        for label, value in header.info(len(rows)):
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 2, value)
            row += 1
        row += 1
        head_row = row
        for col, name in enumerate(COLUMNS):
            sheet.write_string(row, col, name, head)
        sheet.repeat_rows(head_row)
        for r in rows:
            row += 1
            sheet.write_number(row, 0, r.no)
            sheet.write_string(row, 1, r.nik, text)
            sheet.write_string(row, 2, r.nama)
            sheet.write_string(row, 3, r.ttl)
            sheet.write_string(row, 4, r.jenis_kelamin)
            sheet.write_string(row, 5, r.kelurahan)
            sheet.write_string(row, 6, r.pekerjaan)
            sheet.write_number(row, 7, r.desil)
        row += 1
        sheet.write_string(row, 0, "Jumlah", bold)
        sheet.write_string(row, 2, f"{len(rows)} peserta x {format_rupiah(header.cost_per_person)}", bold)
        sheet.write_number(row, 6, header.total_cost(len(rows)), money)
        row += 2
        sheet.write_string(row, 0, f"SHA-256 daftar: {header.list_sha256}")
    finally:
        workbook.close()
