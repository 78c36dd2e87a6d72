"""Export details: XLSX sheets split at the row limit, rupiah formats, NIK kept as text; CSV text defused."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from csv_hostile import HOSTILE, defused
from sigap.programmes.actions import targeting_run
from sigap.programmes.exports import BENEFICIARY_HEADERS, RUPIAH_FORMAT, WAITING_HEADERS, write_xlsx_table

from .helpers import person, write_people


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


@pytest.mark.django_db
def test_run_csv_exports_defuse_formula_text(data_dir: Path, make_programme: Any) -> None:
    """Registry names and occupations that a spreadsheet would run start with ' in both CSV lists."""
    jobs = [v.upper() for v in HOSTILE if v[0] not in "\t\r"]  # occupations are upper-cased, trimmed
    rows = [
        person(f"327501010180{i:04d}", nama=value, pekerjaan=jobs[i % len(jobs)])
        for i, value in enumerate(HOSTILE)
    ]
    write_people(data_dir, rows)
    programme = make_programme(budget=3 * 201_600, occupations_included=["informal", *jobs])
    run = targeting_run(programme=programme)
    assert (run.selected, run.waiting) == (3, 3)
    seen: list[str] = []
    for name, headers in (("beneficiaries.csv", BENEFICIARY_HEADERS), ("waiting_list.csv", WAITING_HEADERS)):
        with (data_dir / run.exports[name]).open(encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        assert tuple(table[0]) == headers and len(table) == 1 + 3
        for line in table[1:]:
            record = dict(zip(headers, line, strict=True))
            i = int(record["NIK"][-4:])
            assert record["Nama"] == defused(HOSTILE[i])
            assert record["Pekerjaan"] == defused(jobs[i % len(jobs)])
            assert record["NIK"] == f"327501010180{i:04d}" and record["Desil"] == "1"
            seen.append(record["NIK"])
    assert len(set(seen)) == len(HOSTILE)


@pytest.mark.django_db
def test_csv_parquet_and_xlsx_hold_the_same_rows(data_dir: Path, make_programme: Any, settings: Any) -> None:
    """The engine's CSV and Parquet are the XLSX's rows; past SIGAP_XLSX_MAX_ROWS there is no XLSX."""
    import duckdb

    write_people(data_dir, [person(f"327501010180{i:04d}", nama=f"WARGA {i}") for i in range(12)])
    programme = make_programme(budget=4 * 201_600)
    settings.SIGAP_XLSX_MAX_ROWS = 5  # 4 selected (XLSX written), 8 waiting (too many: CSV + Parquet)
    run = targeting_run(programme=programme)
    assert (run.selected, run.waiting) == (4, 8)
    assert "beneficiaries.xlsx" in run.exports and "waiting_list.xlsx" not in run.exports
    with (data_dir / run.exports["beneficiaries.csv"]).open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    sheet = openpyxl.load_workbook(data_dir / run.exports["beneficiaries.xlsx"]).active
    xlsx = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == xlsx[0] == list(BENEFICIARY_HEADERS)
    for csv_row, xlsx_row in zip(table[1:], xlsx[1:], strict=True):
        xlsx_row[4] = xlsx_row[4][:10]  # the XLSX date cell reads back as a datetime
        assert csv_row == xlsx_row
    waiting = duckdb.sql(
        f'SELECT "Peringkat tunggu", "NIK" FROM read_parquet(\'{data_dir / run.exports["waiting_list.parquet"]}\')'
    ).fetchall()
    assert [w[0] for w in waiting] == list(range(1, 9))
    with (data_dir / run.exports["waiting_list.csv"]).open(encoding="utf-8-sig", newline="") as fh:
        assert [r[2] for r in list(csv.reader(fh))[1:]] == [w[1] for w in waiting]
