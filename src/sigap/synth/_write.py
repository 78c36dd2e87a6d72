"""Write a generated table as pipe-delimited CSV, Parquet or Excel (atomically)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sigap.errors import UserError

XLSX_MAX_ROWS = 200_000
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}


def table_format(path: Path, fmt: str | None = None) -> str:
    """The output format for ``path`` (by suffix unless ``fmt`` is given)."""
    if fmt is not None:
        if fmt not in ("csv", "parquet", "xlsx"):
            raise UserError(f"Unknown output format '{fmt}': use csv, parquet or xlsx")
        return fmt
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise UserError(
            f"Cannot tell the format of '{path}': name it .csv (pipe-delimited), .parquet or .xlsx"
        )
    return found


def check_xlsx_rows(rows: int, path: Path) -> None:
    if rows > XLSX_MAX_ROWS:
        raise UserError(
            f"'{path}': {rows:,} rows is too many for Excel output (at most {XLSX_MAX_ROWS:,}); "
            "use .csv or .parquet"
        )


def write_table(table: pa.Table, path: Path, *, fmt: str | None = None) -> None:
    """Write ``table`` to ``path``: .csv is '|'-delimited UTF-8 with a header; never half-written."""
    path = Path(path)
    kind = table_format(path, fmt)
    if kind == "xlsx":
        check_xlsx_rows(table.num_rows, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if kind == "csv":
            _write_csv(table, tmp)
        elif kind == "parquet":
            pq.write_table(table, tmp, compression="zstd")
        else:
            _write_xlsx(table, tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(f"Cannot write '{path}': {e.strerror or e}") from e
    finally:
        tmp.unlink(missing_ok=True)


def _write_csv(table: pa.Table, path: Path) -> None:
    from sigap.engine import DuckDBEngine, sql_string

    with DuckDBEngine(threads=2) as engine:  # insertion order kept: rows come out as generated
        engine.register_arrow("generated", table)
        engine.execute(f"COPY generated TO {sql_string(str(path))} (FORMAT csv, DELIMITER '|', HEADER)")


def _write_xlsx(table: pa.Table, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("data")
        text = book.add_format({"num_format": "@"})
        sheet.write_row(0, 0, table.column_names)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        for r, row in enumerate(zip(*columns, strict=True), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value, text)
    finally:
        book.close()
