"""Exports of a targeting run: beneficiary and waiting lists (XLSX + CSV) and a summary workbook.

Rows stream from the decisions Parquet through the engine (never all in memory); XLSX files are
written with XlsxWriter in ``constant_memory`` mode and a sheet is split when it would exceed
Excel's row limit.  Amounts are integer rupiah with an Excel number format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from sigap.core import csvsafe
from sigap.core.regions import RegionIndex
from sigap.core.selection import SELECTED, WAITING
from sigap.engine import Engine

#: Data rows per sheet (Excel allows 1,048,576 rows including the header row).
EXCEL_MAX_ROWS = 1_048_575
RUPIAH_FORMAT = '"Rp"#,##0'
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"

_PERSON_HEADERS = (
    "NIK",
    "Nama",
    "Jenis kelamin",
    "Tanggal lahir",
    "Umur",
    "Kecamatan",
    "Kelurahan",
    "Desil",
    "Pekerjaan",
)
BENEFICIARY_HEADERS = ("Peringkat", *_PERSON_HEADERS, "Iuran (Rp)")
WAITING_HEADERS = ("Peringkat tunggu", "Peringkat prioritas", *_PERSON_HEADERS, "Iuran jika terpilih (Rp)")
SUMMARY_SHEETS = (
    ("per_kecamatan", "Per kecamatan"),
    ("per_kelurahan", "Per kelurahan"),
    ("per_desil", "Per desil"),
    ("per_occupation", "Per pekerjaan"),
)
COUNT_COLUMNS = ("people", "eligible", "selected", "waiting", "ineligible")
COLUMN_TITLES = {
    "code": "Kode",
    "name": "Nama",
    "kecamatan": "Kecamatan",
    "desil": "Desil",
    "pekerjaan": "Pekerjaan",
    "category": "Kategori",
    "people": "Jumlah orang",
    "eligible": "Memenuhi syarat",
    "selected": "Terpilih",
    "waiting": "Daftar tunggu",
    "ineligible": "Tidak memenuhi syarat",
    "cost": "Biaya (Rp)",
}


def _list_sql(decisions: str, decision: str) -> str:
    rank = "rank" if decision == SELECTED else "waiting_rank"
    return (
        f"SELECT rank, waiting_rank, nik, nama, jenis_kelamin, tanggal_lahir, age, kode_kecamatan, "  # noqa: S608 -- fixed names
        f"kode_kelurahan, desil, pekerjaan, cost FROM {decisions} WHERE decision = '{decision}' ORDER BY {rank}"
    )


class _Names:
    def __init__(self, regions: RegionIndex) -> None:
        self._regions = regions
        self._cache: dict[str, str] = {}

    def __call__(self, code: str | None) -> str:
        if not code:
            return ""
        name = self._cache.get(code)
        if name is None:
            region = self._regions.get(code)
            name = region.name if region is not None else code
            self._cache[code] = name
        return name


def _beneficiary_rows(
    engine: Engine, decisions: str, decision: str, names: _Names, cost_per_person: int
) -> Iterator[tuple[Any, ...]]:
    for rank, waiting_rank, nik, nama, sex, born, age, kec, kel, desil, job, cost in engine.iter_rows(
        _list_sql(decisions, decision)
    ):
        tail = (nik, nama, sex, born, age, names(kec), names(kel), desil, job)
        if decision == SELECTED:
            yield (rank, *tail, cost)
        else:
            yield (waiting_rank, rank, *tail, cost_per_person)


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM; every text cell (names, occupations...) defused by :mod:`sigap.core.csvsafe`."""
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csvsafe.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
            )
            count += 1
    return count


def write_xlsx_table(
    path: Path,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    rupiah_columns: Sequence[int] = (),
    text_columns: Sequence[int] = (),
    max_rows: int | None = None,
) -> int:
    """One table, split over ``sheet``, ``sheet (2)``, ... every ``max_rows`` data rows."""
    limit = max_rows or EXCEL_MAX_ROWS
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    rupiah = workbook.add_format({"num_format": RUPIAH_FORMAT})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    count = 0
    sheet_rows = limit
    sheet_no = 0
    ws = None
    rupiah_set, text_set = set(rupiah_columns), set(text_columns)

    def new_sheet() -> Any:
        name = sheet if sheet_no == 1 else f"{sheet} ({sheet_no})"
        ws = workbook.add_worksheet(name[:31])
        for col, title in enumerate(headers):
            ws.write_string(0, col, title, bold)
            ws.set_column(col, col, max(10, len(title) + 2))
        ws.freeze_panes(1, 0)
        return ws

    try:
        for row in rows:
            if sheet_rows >= limit:
                sheet_no += 1
                ws = new_sheet()
                sheet_rows = 0
            assert ws is not None
            sheet_rows += 1
            for col, value in enumerate(row):
                if value is None:
                    continue
                if col in text_set:
                    ws.write_string(sheet_rows, col, str(value))
                elif isinstance(value, dt.date):
                    ws.write_datetime(sheet_rows, col, dt.datetime.combine(value, dt.time()), date)
                elif col in rupiah_set:
                    ws.write_number(sheet_rows, col, int(value), rupiah)
                elif isinstance(value, int | float):
                    ws.write_number(sheet_rows, col, value)
                else:
                    ws.write_string(sheet_rows, col, str(value))
            count += 1
        if ws is None:
            sheet_no = 1
            new_sheet()
    finally:
        workbook.close()
    return count


def write_summary_xlsx(
    path: Path, *, overview: Sequence[tuple[str, Any, str]], summary: dict[str, Any]
) -> None:
    """``overview`` rows are (label, value, kind) with kind ``rupiah``, ``count`` or ``text``."""
    workbook = xlsxwriter.Workbook(str(path))
    try:
        bold = workbook.add_format({"bold": True})
        formats = {
            "rupiah": workbook.add_format({"num_format": RUPIAH_FORMAT}),
            "count": workbook.add_format({"num_format": COUNT_FORMAT}),
        }
        bold_formats = {
            "rupiah": workbook.add_format({"num_format": RUPIAH_FORMAT, "bold": True}),
            "count": workbook.add_format({"num_format": COUNT_FORMAT, "bold": True}),
        }
        ws = workbook.add_worksheet("Ringkasan")
        ws.set_column(0, 0, 32)
        ws.set_column(1, 1, 40)
        for r, (label, value, kind) in enumerate(overview):
            ws.write_string(r, 0, label, bold)
            if kind in formats and isinstance(value, int):
                ws.write_number(r, 1, value, formats[kind])
            else:
                ws.write_string(r, 1, "" if value is None else str(value))
        for key, title in SUMMARY_SHEETS:
            rows: list[dict[str, Any]] = summary.get(key, [])
            columns = list(rows[0].keys()) if rows else ["code", *COUNT_COLUMNS, "cost"]
            ws = workbook.add_worksheet(title)
            ws.freeze_panes(1, 0)
            for c, column in enumerate(columns):
                ws.write_string(0, c, COLUMN_TITLES.get(column, column), bold)
                ws.set_column(c, c, max(12, len(COLUMN_TITLES.get(column, column)) + 2))
            for r, row in enumerate(rows, start=1):
                for c, column in enumerate(columns):
                    _write_cell(ws, r, c, column, row.get(column), formats)
            total_row = len(rows) + 1
            ws.write_string(total_row, 0, "JUMLAH", bold)
            for c, column in enumerate(columns):
                if column in COUNT_COLUMNS or column == "cost":
                    total = sum(int(row.get(column) or 0) for row in rows)
                    kind = "rupiah" if column == "cost" else "count"
                    ws.write_number(total_row, c, total, bold_formats[kind])
    finally:
        workbook.close()


def _write_cell(ws: Any, r: int, c: int, column: str, value: Any, formats: dict[str, Any]) -> None:
    if value is None:
        return
    if column == "cost":
        ws.write_number(r, c, int(value), formats["rupiah"])
    elif column in COUNT_COLUMNS:
        ws.write_number(r, c, int(value), formats["count"])
    else:
        ws.write_string(r, c, str(value))


def write_run_exports(
    *,
    engine: Engine,
    decisions: str,
    directory: Path,
    regions: RegionIndex,
    cost_per_person: int,
    overview: Sequence[tuple[str, Any, str]],
    summary: dict[str, Any],
    progress: Callable[..., None] | None = None,
    max_rows: int | None = None,
) -> dict[str, Path]:
    """Write every export of a run into ``directory``; return name -> path."""
    report = progress or (lambda *a, **k: None)
    directory.mkdir(parents=True, exist_ok=True)
    names = _Names(regions)
    out: dict[str, Path] = {}
    lists = (
        ("beneficiaries", SELECTED, BENEFICIARY_HEADERS, "Penerima", (1,), (10,)),
        ("waiting_list", WAITING, WAITING_HEADERS, "Daftar tunggu", (2,), (11,)),
    )
    steps = len(lists) * 2 + 1
    done = 0
    for stem, decision, headers, sheet, text_cols, rupiah_cols in lists:

        def rows(decision: str = decision) -> Iterator[tuple[Any, ...]]:
            return _beneficiary_rows(engine, decisions, decision, names, cost_per_person)

        report("Exporting", done, steps)
        xlsx = directory / f"{stem}.xlsx"
        write_xlsx_table(
            xlsx,
            sheet=sheet,
            headers=headers,
            rows=rows(),
            rupiah_columns=rupiah_cols,
            text_columns=text_cols,
            max_rows=max_rows,
        )
        out[xlsx.name] = xlsx
        done += 1
        report("Exporting", done, steps)
        csv_path = directory / f"{stem}.csv"
        write_csv(csv_path, headers, rows())
        out[csv_path.name] = csv_path
        done += 1
    summary_path = directory / "summary.xlsx"
    write_summary_xlsx(summary_path, overview=overview, summary=summary)
    out[summary_path.name] = summary_path
    report("Exporting", steps, steps)
    return out
