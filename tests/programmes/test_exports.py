"""XLSX writing details: sheets split at the row limit, rupiah formats, NIK kept as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from sigap.programmes.exports import RUPIAH_FORMAT, write_xlsx_table


def test_sheet_is_split_when_rows_exceed_the_limit(tmp_path: Path) -> None:
    rows = [(i, f"3275{i:012d}", dt.date(1980, 1, 1), 201_600) for i in range(1, 8)]
    path = tmp_path / "t.xlsx"
    count = write_xlsx_table(
        path,
        sheet="Penerima",
        headers=("Peringkat", "NIK", "Tanggal lahir", "Iuran (Rp)"),
        rows=rows,
        text_columns=(1,),
        rupiah_columns=(3,),
        max_rows=3,
    )
    assert count == 7
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Penerima", "Penerima (2)", "Penerima (3)"]
    got = [r for ws in wb.worksheets for r in list(ws.iter_rows(values_only=True))[1:]]
    assert [r[0] for r in got] == list(range(1, 8))
    assert got[0][1] == "3275000000000001" and got[0][2] == dt.datetime(1980, 1, 1)
    assert wb["Penerima"]["D2"].number_format == RUPIAH_FORMAT


def test_empty_list_still_has_a_header(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    assert write_xlsx_table(path, sheet="Daftar tunggu", headers=("A", "B"), rows=[]) == 0
    wb = openpyxl.load_workbook(path)
    assert list(wb["Daftar tunggu"].iter_rows(values_only=True)) == [("A", "B")]
