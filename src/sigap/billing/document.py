"""The invoice as an official document (PDF, WeasyPrint): summary, allocations and every line.

Pure rendering like :mod:`sigap.enrolment.annex`: the view loads the rows and audits the disclosure.
Lines are fixed-width text rows (one box per line), which keeps 10,000 lines to seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string

from sigap.core.money import format_rupiah
from sigap.pdf import html_to_pdf

COLUMNS = ("No", "NIK", "Nama", "KPJ", "Jenis", "Jumlah")
WIDTHS = (6, 16, 40, 14, 10, 14)
RIGHT = (True, False, False, False, False, True)
ROWS_PER_TABLE = 1000
#: Above this many lines the PDF is the summary only and points to the XLSX for the lines: WeasyPrint
#: needs about 3 s per 1,000 lines on the 2-core machine, too long for a synchronous download.
PDF_MAX_LINES = 2000


@dataclass(frozen=True)
class InvoiceRow:
    nik: str
    nama: str
    kpj: str
    kind: str
    amount: int


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    programme: str
    month: str  # "Januari 2026"
    state: str
    due_date: dt.date
    line_count: int
    total: int
    paid: int
    allocations: Sequence[tuple[str, str, int]]  # (SP2D number, date text, amount)
    issued: str


def _cell(value: str, width: int, right: bool) -> str:
    text = value if len(value) <= width else value[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def fixed_width(values: Sequence[str]) -> str:
    return "  ".join(_cell(v, w, r) for v, w, r in zip(values, WIDTHS, RIGHT, strict=True)).rstrip()


def render_html(doc: InvoiceDocument, rows: Sequence[InvoiceRow]) -> str:
    """The document; ``rows`` longer than :data:`PDF_MAX_LINES` are left out (summary only)."""
    summary_only = len(rows) > PDF_MAX_LINES
    lines = [
        fixed_width((str(i), r.nik, r.nama, r.kpj, r.kind, format_rupiah(r.amount)))
        for i, r in enumerate(rows, start=1)
        if not summary_only
    ]
    chunks = [lines[i : i + ROWS_PER_TABLE] for i in range(0, len(lines), ROWS_PER_TABLE)] or [[]]
    info = [
        ("Nomor tagihan", doc.number),
        ("Program", doc.programme),
        ("Bulan iuran", doc.month),
        ("Status", doc.state),
        ("Jatuh tempo", f"{doc.due_date.day} {_BULAN[doc.due_date.month - 1]} {doc.due_date.year}"),
        ("Peserta ditagih", f"{doc.line_count:,}".replace(",", ".")),
        ("Jumlah", format_rupiah(doc.total)),
        ("Dibayar", format_rupiah(doc.paid)),
        ("Sisa", format_rupiah(doc.total - doc.paid)),
        ("Diterbitkan", doc.issued),
    ]
    return render_to_string(
        "money/invoice_pdf.html",
        {
            "doc": doc,
            "info": info,
            "allocations": [(n, d, format_rupiah(a)) for n, d, a in doc.allocations],
            "column_header": fixed_width(COLUMNS),
            "chunks": chunks,
            "total": format_rupiah(sum(r.amount for r in rows)),
            "summary_only": summary_only,
            "line_count": f"{len(rows):,}".replace(",", "."),
        },
    )


def write_pdf(doc: InvoiceDocument, rows: Sequence[InvoiceRow]) -> bytes:
    return html_to_pdf(render_html(doc, rows))


_BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
