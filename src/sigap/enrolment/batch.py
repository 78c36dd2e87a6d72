"""Collective-registration files for BPJS TK (CSV and XLSX), written from plain rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from sigap.core import csvsafe

COLUMNS = (
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "ALAMAT",
    "RT",
    "RW",
    "KELURAHAN",
    "KODE_KELURAHAN",
    "PEKERJAAN",
    "PROGRAM",
    "UPAH_DILAPORKAN",
    "MULAI_KEPESERTAAN",
)
#: The PROGRAM column of a programme without JHT; one that pays JHT sends ``JKK+JKM+JHT``
#: (``ProgrammeSpec.programmes_label``, from ``sigap.core.tariff.programmes_label``).
PROGRAM = "JKK+JKM"
TEXT_COLUMNS = {"NIK", "RT", "RW", "KODE_KELURAHAN"}  # codes with leading zeros stay text


def ddmmyyyy(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def write_csv(rows: Sequence[Sequence[str]], path: Path) -> None:
    """The columns of :data:`COLUMNS`; a text starting like a formula gets a leading ``'``
    (:mod:`sigap.core.csvsafe`), nothing else changes."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csvsafe.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def write_xlsx(rows: Sequence[Sequence[str]], path: Path, *, title: str) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("Pendaftaran")
        head = workbook.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
        text = workbook.add_format({"num_format": "@"})
        sheet.set_header(f"&L{title}")
        for col, name in enumerate(COLUMNS):
            sheet.write_string(0, col, name, head)
            sheet.set_column(col, col, max(len(name) + 2, 12))
        upah = COLUMNS.index("UPAH_DILAPORKAN")
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if col == upah:
                    sheet.write_number(r, col, int(value))
                else:
                    sheet.write_string(r, col, value, text if COLUMNS[col] in TEXT_COLUMNS else None)
    finally:
        workbook.close()
