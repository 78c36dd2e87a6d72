"""Decree annex (daftar nominatif) of an approved list: PDF (WeasyPrint) and XLSX (XlsxWriter).

Pure rendering: the caller (``sigap.enrolment.actions.annex_write``) loads the members, checks
the list hash and decides where the files go.  The annex is an official document and reads in
Bahasa Indonesia whatever the reader's language: the decree's header lines (``LAMPIRAN KEPUTUSAN
... NOMOR ... TANGGAL ... TENTANG ...``), the labels, the premium per programme (JKK, JKM and, when
the programme pays it, JHT) and the signature block (``Ditetapkan di ... pada tanggal ...``), dates
in Indonesian.  A list approved without a decree prints dotted blanks to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from django.template.loader import render_to_string

from sigap.core.decree import Decree
from sigap.core.money import Month, format_rupiah
from sigap.core.tariff import COMPONENT_LABELS, COMPONENT_NAMES, describe_components
from sigap.core.tiebreak import TieBreak
from sigap.pdf import css_string, render

#: The run's kind as the decree names it (the annex is a legal document: Bahasa Indonesia only).
RUN_KINDS = {"initial": "awal", "replacement": "pengganti", "renewal": "perpanjangan"}
COLUMNS = ("No", "NIK", "Nama", "Tempat/Tanggal lahir", "L/P", "Kelurahan", "Pekerjaan", "Desil")
ROWS_PER_TABLE = 1000  # several moderate tables lay out faster in WeasyPrint than one huge table
#: The annex layout: a cached annex written with another layout is written again.
LAYOUT = "sk-1"
#: What is left blank (to fill in by hand) on the annex of a list approved without a decree.
BLANK = "...................."


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
    decided_at: str  # "5 Januari 2026 pukul 10.00"
    #: How the run ordered people equal on every priority key (ADR 0014): printed with its seed so
    #: anyone can recompute the order of the list.
    tie_break: TieBreak
    #: The decree (SK) entered at approval; None: its lines are left blank (:data:`BLANK`).
    decree: Decree | None = None
    #: Where the decree is signed when no decree was entered (the region's name).
    place: str = ""
    funding: str = "APBD"
    #: The list's covered months (first, last); None when unknown.
    coverage: tuple[Month, Month] | None = None
    #: Premium per person for the first covered month, per programme (``jkk``, ``jkm``[, ``jht``]).
    monthly: Mapping[str, int] = field(default_factory=dict)
    #: ``cost_per_person`` per programme (printed only when it adds up to it).
    period: Mapping[str, int] = field(default_factory=dict)

    def total_cost(self, members: int) -> int:
        return members * self.cost_per_person

    @property
    def breakdown(self) -> Mapping[str, int]:
        """:attr:`period`, only when it adds up to the list's frozen cost per person."""
        return self.period if sum(self.period.values()) == self.cost_per_person else {}

    def programmes(self) -> str:
        """``Jaminan Kecelakaan Kerja (JKK), Jaminan Kematian (JKM) dan Jaminan Hari Tua (JHT)``."""
        names = [f"{COMPONENT_NAMES[c]} ({COMPONENT_LABELS[c]})" for c in self.monthly]
        return " dan ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    def subject(self) -> str:
        """The decree's ``TENTANG`` line."""
        return (
            "PENETAPAN PESERTA JAMINAN SOSIAL KETENAGAKERJAAN BAGI PEKERJA RENTAN YANG IURANNYA DIBAYAR "
            f"DARI {self.funding}: {self.programme_name.upper()} TAHUN ANGGARAN {self.fiscal_year}"
        )

    def decree_lines(self) -> list[tuple[str, str]]:
        """The decree's header lines, ``(label, value)``, under ``LAMPIRAN KEPUTUSAN ...``."""
        d = self.decree
        return [
            ("NOMOR", d.number if d else BLANK),
            ("TANGGAL", d.tanggal if d else BLANK),
            ("TENTANG", self.subject()),
        ]

    def issuer(self) -> str:
        """Whose decree: the signatory's title in capitals (``KEPALA DINAS TENAGA KERJA KOTA BEKASI``)."""
        return self.decree.signatory_title.upper() if self.decree else BLANK

    def signature(self) -> dict[str, str]:
        """The signature block: place, date, title, name."""
        d = self.decree
        return {
            "place": d.place if d else (self.place or BLANK),
            "date": d.tanggal if d else BLANK,
            "title": f"{d.signatory_title}," if d else f"{BLANK},",
            "name": d.signatory_name if d else f"({BLANK})",
        }

    def info(self, members: int) -> list[tuple[str, str]]:
        rows = [
            ("Program", f"{self.programme_code} - {self.programme_name}"),
            ("Tahun anggaran", str(self.fiscal_year)),
            ("Sumber dana", self.funding),
        ]
        if self.monthly:
            rows.append(("Program jaminan", self.programmes()))
            rows.append(("Iuran per orang per bulan", describe_components(self.monthly)))
        if self.coverage is not None:
            first, last = self.coverage
            months = f"{first.nama()} s.d. {last.nama()} ({last - first + 1} bulan)"
            rows.append(("Masa perlindungan", months))
        breakdown = self.breakdown
        rows += [
            ("Anggaran", format_rupiah(self.budget)),
            (
                "Biaya per orang",
                describe_components(breakdown) if breakdown else format_rupiah(self.cost_per_person),
            ),
            ("Jumlah peserta", f"{members:,}".replace(",", ".")),
            ("Total biaya", format_rupiah(self.total_cost(members))),
        ]
        if breakdown:
            totals = {code: members * amount for code, amount in breakdown.items()}
            rows.append(("Total per program jaminan", describe_components(totals)))
        rows += [
            ("Penetapan sasaran", f"#{self.run_id} ({RUN_KINDS.get(self.run_kind, self.run_kind)})"),
            ("Disetujui di SIGAP", f"{self.decided_by}, {self.decided_at}"),
            ("Urutan seri", self.tie_break.describe()),
            ("SHA-256 daftar", self.list_sha256),
        ]
        return rows


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
            "issuer": header.issuer(),
            "decree_lines": header.decree_lines(),
            "signature": header.signature(),
            "chunks": chunks,
            "column_header": fixed_width(COLUMNS),
            "css_title": css_string(
                f"Lampiran Keputusan Nomor {header.decree.number}"
                if header.decree is not None
                else f"Daftar nominatif {header.programme_code} - TA {header.fiscal_year}"
            ),
            "css_run": css_string(f"Penetapan sasaran #{header.run_id}"),
            "css_hash": css_string(f"SHA-256 daftar: {header.list_sha256}"),
            "total_members": f"{len(rows):,}".replace(",", "."),
            "cost_per_person": format_rupiah(header.cost_per_person),
            "total_cost": format_rupiah(header.total_cost(len(rows))),
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
        sheet.write_string(0, 0, "LAMPIRAN", bold)
        sheet.write_string(1, 0, f"KEPUTUSAN {header.issuer()}", bold)
        row = 2
        for label, value in header.decree_lines():
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, ":")
            sheet.write_string(row, 2, value)
            row += 1
        row += 1
        sheet.write_string(row, 0, f"DAFTAR NOMINATIF PESERTA - {header.programme_name}", title)
        row += 2
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
        sign = header.signature()
        for line in (f"Ditetapkan di {sign['place']}", f"pada tanggal {sign['date']}", sign["title"]):
            sheet.write_string(row, 5, line)
            row += 1
        row += 3  # room for the signature
        sheet.write_string(row, 5, sign["name"], bold)
        row += 2
        sheet.write_string(row, 0, f"SHA-256 daftar: {header.list_sha256}")
    finally:
        workbook.close()
