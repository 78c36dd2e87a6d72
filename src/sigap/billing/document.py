"""The invoice as an official document (PDF, WeasyPrint): summary, allocations and every line.

Pure rendering like :mod:`sigap.enrolment.annex`: the view loads the rows and audits the disclosure.
Lines are fixed-width text rows (one box per line), which keeps 10,000 lines to seconds.

The premium is shown per programme (JKK, JKM and JHT when the programme pays it): a column per
programme on every line and a summary ``peserta x iuran = jumlah`` per programme whose amounts add
up to the invoice total (the invoice's breakdown is frozen at issue, ``Invoice.premium_components``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from sigap.core.money import format_rupiah, format_tanggal
from sigap.core.tariff import COMPONENT_LABELS, COMPONENT_NAMES, COMPONENTS
from sigap.pdf import html_to_pdf

#: Columns around the per-programme columns (amounts in rupiah without "Rp"): 116 characters with
#: JKK, JKM and JHT fit A4 portrait at 7pt; the name column takes the room of a programme not paid.
AMOUNT_WIDTH = 8
NAME_WIDTH = 26  # with three programmes
TOTAL = ("Jumlah", 9, True)
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
    #: The premium of each line per programme (``Invoice.premium_components``); empty: no breakdown.
    components: Mapping[str, int] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [c for c in COMPONENTS if c in self.components]

    @property
    def premium(self) -> int:
        return sum(int(self.components[c]) for c in self.codes)

    def split(self, amount: int) -> list[int] | None:
        """A line's amount per programme: a premium line is the breakdown, a reversal its negative."""
        parts = [int(self.components[c]) for c in self.codes]
        if not parts:
            return None
        if amount == self.premium:
            return parts
        if amount == -self.premium:
            return [-p for p in parts]
        return None

    def summary(self) -> list[tuple[str, str, str, str]]:
        """``(programme, members, premium, amount)`` per programme; the amounts add up to ``total``
        (``line_count`` premium lines not reversed, each worth the breakdown)."""
        members = f"{self.line_count:,}".replace(",", ".")
        return [
            (
                f"{COMPONENT_NAMES[c]} ({COMPONENT_LABELS[c]})",
                members,
                format_rupiah(int(self.components[c])),
                format_rupiah(self.line_count * int(self.components[c])),
            )
            for c in self.codes
        ]

    def title(self) -> str:
        labels = [COMPONENT_LABELS[c] for c in self.codes] or ["JKK", "JKM"]
        return f"TAGIHAN IURAN BPJS KETENAGAKERJAAN ({' + '.join(labels)})"


def _cell(value: str, width: int, right: bool) -> str:
    text = value if len(value) <= width else value[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def _amount(value: int) -> str:
    """Rupiah without the "Rp" (the column header says so): ``10.000``, ``-20.000``."""
    return format_rupiah(value).replace("Rp", "")


def columns(doc: InvoiceDocument) -> list[tuple[str, int, bool]]:
    """``(header, width, right-aligned)`` of the line table: one amount column per programme."""
    name = min(40, NAME_WIDTH + (AMOUNT_WIDTH + 2) * (len(COMPONENTS) - len(doc.codes)))
    lead = [
        ("No", 6, True),
        ("NIK", 16, False),
        ("Nama", name, False),
        ("KPJ", 11, False),
        ("Jenis", 8, False),
    ]
    return [*lead, *((COMPONENT_LABELS[c], AMOUNT_WIDTH, True) for c in doc.codes), TOTAL]


def fixed_width(values: Sequence[str], layout: Sequence[tuple[str, int, bool]]) -> str:
    return "  ".join(_cell(v, w, r) for v, (_, w, r) in zip(values, layout, strict=True)).rstrip()


def line_values(doc: InvoiceDocument, number: int, row: InvoiceRow) -> list[str]:
    split = doc.split(row.amount)
    parts = [_amount(p) for p in split] if split is not None else ["" for _ in doc.codes]
    return [str(number), row.nik, row.nama, row.kpj, row.kind, *parts, _amount(row.amount)]


def render_html(doc: InvoiceDocument, rows: Sequence[InvoiceRow]) -> str:
    """The document; ``rows`` longer than :data:`PDF_MAX_LINES` are left out (summary only)."""
    summary_only = len(rows) > PDF_MAX_LINES
    layout = columns(doc)
    lines = [
        fixed_width(line_values(doc, i, r), layout) for i, r in enumerate(rows, start=1) if not summary_only
    ]
    chunks = [lines[i : i + ROWS_PER_TABLE] for i in range(0, len(lines), ROWS_PER_TABLE)] or [[]]
    info = [
        ("Nomor tagihan", doc.number),
        ("Program", doc.programme),
        ("Bulan iuran", doc.month),
        ("Status", doc.state),
        ("Jatuh tempo", format_tanggal(doc.due_date)),
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
            "title": doc.title(),
            "info": info,
            "summary": doc.summary(),
            "premium": format_rupiah(doc.premium),
            "allocations": [(n, d, format_rupiah(a)) for n, d, a in doc.allocations],
            "column_header": fixed_width([h for h, _, _ in layout], layout),
            "chunks": chunks,
            "total": format_rupiah(sum(r.amount for r in rows)),
            "invoice_total": format_rupiah(doc.total),
            "summary_only": summary_only,
            "line_count": f"{len(rows):,}".replace(",", "."),
        },
    )


def write_pdf(doc: InvoiceDocument, rows: Sequence[InvoiceRow]) -> bytes:
    return html_to_pdf(render_html(doc, rows))
