"""Exports of a targeting run: beneficiary and waiting lists (CSV + Parquet, XLSX up to a size) and a
summary workbook.

CSV and Parquet are written by the engine in one statement per list (set-based: a province's waiting
list of millions never passes through Python); text cells are defused for spreadsheets in the same SQL
(:mod:`sigap.core.csvsafe`).  XLSX is written with XlsxWriter in ``constant_memory`` mode for lists up
to :data:`XLSX_MAX_ROWS` rows.  Amounts are integer rupiah.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from sigap.core import csvsafe
from sigap.core.regions import RegionIndex
from sigap.core.selection import SELECTED, WAITING
from sigap.engine import Engine, sql_string

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


#: Lists longer than this are exported as CSV and Parquet only: an XLSX sheet holds at most 1,048,576
#: rows and XlsxWriter writes ~4,000 rows/s through Python, so a province's waiting list as XLSX would
#: take longer than the targeting run itself (``SIGAP_XLSX_MAX_ROWS``).
XLSX_MAX_ROWS = 100_000

_LIST_COLUMNS = {
    # header -> SQL over ``d`` (the decisions relation), ``kec``/``kel`` (region names)
    "Peringkat": "d.rank",
    "Peringkat tunggu": "d.waiting_rank",
    "Peringkat prioritas": "d.rank",
    "NIK": "d.nik",
    "Nama": "d.nama",
    "Jenis kelamin": "d.jenis_kelamin",
    "Tanggal lahir": "d.tanggal_lahir",
    "Umur": "d.age",
    "Kecamatan": "coalesce(kec.name, d.kode_kecamatan)",
    "Kelurahan": "coalesce(kel.name, d.kode_kelurahan)",
    "Desil": "d.desil",
    "Pekerjaan": "d.pekerjaan",
    "Iuran (Rp)": "d.cost",
}
_TEXT_HEADERS = ("NIK", "Nama", "Jenis kelamin", "Kecamatan", "Kelurahan", "Pekerjaan")


def _names_table(engine: Engine, decisions: str, regions: RegionIndex) -> str:
    """A temporary relation ``(code, name)`` of the kecamatan and kelurahan the lists mention."""
    codes = engine.fetch(
        f"SELECT DISTINCT kode_kecamatan FROM {decisions} WHERE decision IN ('{SELECTED}', '{WAITING}') "  # noqa: S608
        f"UNION SELECT DISTINCT kode_kelurahan FROM {decisions} WHERE decision IN ('{SELECTED}', '{WAITING}')"
    )
    values = []
    for (code,) in codes:
        region = regions.get(code) if code else None
        if region is not None:
            values.append(f"({sql_string(code)}, {sql_string(region.name)})")
    body = ", ".join(values) or "(NULL, NULL)"
    engine.execute(
        f"CREATE OR REPLACE TABLE export_region_names AS SELECT * FROM (VALUES {body}) AS t(code, name)"  # noqa: S608 -- quoted literals
    )
    return "export_region_names"


def list_sql(decisions: str, decision: str, headers: Sequence[str], names: str, cost_per_person: int) -> str:
    """One list (beneficiaries or waiting list) with Indonesian headers, text defused for CSV."""
    columns = []
    for header in headers:
        expr = _LIST_COLUMNS.get(header, str(int(cost_per_person)))  # waiting list: the cost if selected
        if header in _TEXT_HEADERS:
            expr = csvsafe.cell_sql(expr)
        columns.append(f'{expr} AS "{header}"')
    order = "d.rank" if decision == SELECTED else "d.waiting_rank"
    return (
        f"SELECT {', '.join(columns)} FROM {decisions} AS d"  # noqa: S608 -- fixed names, quoted literals
        f" LEFT JOIN {names} AS kec ON kec.code = d.kode_kecamatan"
        f" LEFT JOIN {names} AS kel ON kel.code = d.kode_kelurahan"
        f" WHERE d.decision = '{decision}' ORDER BY {order}"
    )


def _csv_with_bom(engine: Engine, sql: str, path: Path) -> None:
    """CSV by the engine (set-based), UTF-8 with a BOM so spreadsheet programs read the names right."""
    raw = path.with_name(path.name + ".raw")
    engine.execute(f"COPY ({sql}) TO {sql_string(str(raw))} (FORMAT csv, HEADER true, DELIMITER ',')")
    with path.open("wb") as out, raw.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out, 1 << 20)
    raw.unlink()


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
    xlsx_max_rows: int | None = None,
) -> dict[str, Path]:
    """Write every export of a run into ``directory``; return name -> path.

    Each list as CSV and Parquet, written by the engine in one statement each; as XLSX too when it has
    at most ``xlsx_max_rows`` rows (default :data:`XLSX_MAX_ROWS`); the summary workbook always.
    """
    report = progress or (lambda *a, **k: None)
    directory.mkdir(parents=True, exist_ok=True)
    limit = XLSX_MAX_ROWS if xlsx_max_rows is None else xlsx_max_rows
    region_names = _Names(regions)
    # The two lists, read once from the decisions relation (the whole registry) into a small table.
    engine.execute(
        "CREATE OR REPLACE TABLE export_lists AS SELECT * FROM "  # noqa: S608 -- fixed names
        f"{decisions} WHERE decision IN ('{SELECTED}', '{WAITING}')"
    )
    decisions = "export_lists"
    names = _names_table(engine, decisions, regions)
    out: dict[str, Path] = {}
    lists = (
        ("beneficiaries", SELECTED, BENEFICIARY_HEADERS, "Penerima", (1,), (10,)),
        ("waiting_list", WAITING, WAITING_HEADERS, "Daftar tunggu", (2,), (11,)),
    )
    counts = dict(
        engine.fetch(f"SELECT decision, count(*) FROM {decisions} GROUP BY decision")  # noqa: S608 -- fixed
    )
    steps = len(lists) * 3 + 1
    done = 0
    for stem, decision, headers, sheet, text_cols, rupiah_cols in lists:
        report("Exporting", done, steps)
        sql = list_sql(decisions, decision, headers, names, cost_per_person)
        csv_path = directory / f"{stem}.csv"
        _csv_with_bom(engine, sql, csv_path)
        out[csv_path.name] = csv_path
        parquet = directory / f"{stem}.parquet"
        engine.copy_to_parquet(sql, parquet)
        out[parquet.name] = parquet
        done += 2
        report("Exporting", done, steps)
        if int(counts.get(decision, 0)) <= limit:

            def rows(decision: str = decision) -> Iterator[tuple[Any, ...]]:
                return _beneficiary_rows(engine, decisions, decision, region_names, cost_per_person)

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
    summary_path = directory / "summary.xlsx"
    write_summary_xlsx(summary_path, overview=overview, summary=summary)
    out[summary_path.name] = summary_path
    report("Exporting", steps, steps)
    return out
