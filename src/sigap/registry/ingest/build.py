"""Build a snapshot's files (Parquet + rejection report) in a work directory.

No Django here: the action decides where the directory goes and records the result.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from sigap.core import csvsafe
from sigap.core.importlimits import ImportLimits
from sigap.core.nik_sql import sql_str
from sigap.core.schema import PERSON_COLUMNS, ROSTER_COLUMNS
from sigap.engine import duckdb_settings
from sigap.errors import UserError
from sigap.registry.ingest import checks as C
from sigap.registry.ingest.mapping import REGISTRY, expected_columns
from sigap.registry.ingest.source import Progress, SourceFile, create_rows, load_source, too_many_rows

DATA_FILES = {"registry": "people.parquet", "roster": "roster.parquet"}
REPORT_CSV = "rejections.csv"
REPORT_XLSX = "rejections.xlsx"
REPORT_HEADER = ("file", "row", "column", "value", "severity", "code", "reason")
#: The Excel report's headings (Indonesian: the report is read by the officer who imported the file).
REPORT_XLSX_HEADER = ("Berkas", "Baris", "Kolom", "Nilai", "Tingkat", "Kode", "Alasan", "Keterangan")
SEVERITY_WORDS = {"error": "ditolak", "warning": "peringatan"}
XLSX_REPORT_LIMIT = 200_000


@dataclass
class BuildOutcome:
    rows: int
    accepted: int
    rejected: int
    warnings: int
    data_file: str  # file name inside the output directory
    report_file: str
    region_codes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def _step(progress: Progress | None, description: str) -> None:
    if progress:
        progress(description, None, None)


def build_snapshot(
    *,
    source: SourceFile,
    kind: str,
    mapping: dict[str, Any],
    reference_date: dt.date,
    outdir: Path,
    scratch: Path,
    progress: Progress | None = None,
    threads: int | None = None,
    limits: ImportLimits | None = None,
) -> BuildOutcome:
    """Validate ``source`` and write the snapshot Parquet and rejection report into ``outdir``."""
    limits = limits or ImportLimits()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 3)
        mark = now

    known, required = expected_columns(kind)
    scratch.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        **duckdb_settings(),  # SIGAP_ENGINE_MEMORY_LIMIT: a province import spills instead of growing
        "temp_directory": str(scratch / "duckdb"),
        "preserve_insertion_order": True,
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        # the reference tables load (single-threaded, gzip) while the row pass runs
        reference = pool.submit(C.load_reference, con.cursor())
        _step(progress, "Memuat data / loading rows")
        relation = load_source(
            con,
            source,
            workdir=scratch,
            known=known,
            required=required,
            mapping=mapping,
            progress=progress,
            limits=limits,
        )
        columns = relation.columns
        _step(progress, "Memeriksa data / validating")
        rows_sql = C.registry_rows_sql if kind == REGISTRY else C.roster_rows_sql
        create_rows(con, source, relation, select=lambda sql, keep: rows_sql(sql, reference_date, keep=keep))
        reference.result()
        lap("read_and_check_rows")
        # only the row-local pass needs the file order (row numbers); the rest may go faster
        con.execute("SET preserve_insertion_order = false")
        row = con.execute("SELECT count(*) FROM checked_rows").fetchone()
        rows = int(row[0]) if row else 0
        if rows == 0:
            raise UserError(
                _("%(name)s: berkas hanya berisi judul kolom, tanpa baris data") % {"name": source.path.name}
            )
        if rows > limits.max_rows:  # a CSV: known once read (its size was bounded before)
            raise UserError(too_many_rows(source.path.name, rows, limits.max_rows))
        if kind == REGISTRY:
            side = C.registry_side_tables(con, present=set(columns))
            checks = C.registry_checks(reference_date)
            output_sql, layout = C.registry_output_sql, PERSON_COLUMNS
        else:
            side = C.roster_side_tables(con)
            checks = C.roster_checks(reference_date)
            output_sql, layout = C.roster_output_sql, ROSTER_COLUMNS
        lap("regions_and_duplicates")
        con.execute(C.issues_sql(checks, side))
        lap("issues")

        _step(progress, "Menulis snapshot / writing snapshot")
        data_file = DATA_FILES[kind]
        select = ", ".join(f"CAST({name} AS {type_}) AS {name}" for name, type_ in layout)
        query = output_sql(C.accepted_sql(checks), side)
        written = con.execute(
            f"COPY (SELECT {select} FROM ({query})) TO {sql_str(str(outdir / data_file))}"  # noqa: S608 -- literals quoted via sql_str, names fixed
            " (FORMAT parquet)"
        ).fetchone()
        accepted = int(written[0]) if written else 0
        region_codes: list[str] = []
        if kind == REGISTRY:
            region_codes = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT substr(kode_kelurahan, 1, 4) FROM"  # noqa: S608 -- literals quoted via sql_str, names fixed
                    f" read_parquet({sql_str(str(outdir / data_file))}) ORDER BY 1"
                ).fetchall()
            ]
        lap("write_snapshot")
        by_code = con.execute(
            "SELECT severity, code, count(*) FROM issues GROUP BY ALL ORDER BY severity, count(*) DESC, code"
        ).fetchall()
        errors = {code: n for severity, code, n in by_code if severity == C.ERROR}
        warnings = {code: n for severity, code, n in by_code if severity == C.WARNING}

        _step(progress, "Menulis laporan / writing report")
        lines = write_report(con, source_name=source.path.name, outdir=outdir, scratch=scratch)
        lap("write_report")
        stats: dict[str, Any] = {
            "format": source.format,
            "encoding": source.encoding,
            **source.stats,
            "columns": columns,
            "errors_by_code": errors,
            "warnings_by_code": warnings,
            "report_lines": lines,
            "report_xlsx": lines <= XLSX_REPORT_LIMIT,
            "seconds": round(time.perf_counter() - started, 3),
            "timings": timings,
        }
        return BuildOutcome(
            rows=rows,
            accepted=accepted,
            rejected=rows - accepted,
            warnings=sum(warnings.values()),
            data_file=data_file,
            report_file=REPORT_CSV,
            region_codes=region_codes,
            stats=stats,
        )
    finally:
        pool.shutdown(wait=True)
        con.close()


def _report_sql(source_name: str, *, for_csv: bool) -> str:
    """The report's rows.  For the CSV every text cell is defused against formula injection
    (:func:`sigap.core.csvsafe.cell_sql`): the file name, the header and the value come from the upload."""

    def text(expr: str) -> str:
        return csvsafe.cell_sql(expr) if for_csv else expr

    file, column = text(sql_str(source_name)), text('"column"')
    rest = ", ".join(f"{text(name)} AS {name}" for name in ("value", "severity", "code", "reason"))
    return (
        f'SELECT {file} AS file, source_row AS row, {column} AS "column", {rest}'  # noqa: S608 -- literals quoted via sql_str, names fixed
        " FROM issues ORDER BY source_row, ord"
    )


def write_report(con: duckdb.DuckDBPyConnection, *, source_name: str, outdir: Path, scratch: Path) -> int:
    """rejections.csv (UTF-8 with BOM, comma) always; rejections.xlsx when it fits comfortably."""
    query = _report_sql(source_name, for_csv=True)
    plain = scratch / "report.csv"
    con.execute(
        f"COPY ({query}) TO {sql_str(str(plain))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
    )
    with (outdir / REPORT_CSV).open("wb") as out, plain.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out, 8 * 1024 * 1024)
    plain.unlink()
    count_row = con.execute("SELECT count(*) FROM issues").fetchone()
    lines = int(count_row[0]) if count_row else 0
    if lines <= XLSX_REPORT_LIMIT:
        _write_xlsx_report(con, _report_sql(source_name, for_csv=False), outdir / REPORT_XLSX)
    return lines


def _write_xlsx_report(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    import xlsxwriter

    from sigap.registry.reasons import reason_label

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("penolakan")
        bold = book.add_format({"bold": True})
        # for people (the CSV keeps REPORT_HEADER for scripts): Indonesian headings, the severity and
        # the reason in words next to the code and the validation's own detail
        header = REPORT_XLSX_HEADER
        for col, (name, width) in enumerate(zip(header, (24, 8, 16, 22, 11, 24, 48, 70), strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        cursor = con.execute(query)
        line = 1
        while batch := cursor.fetchmany(10_000):
            for record in batch:
                *head, code, detail = record
                cells = [*head, code, reason_label(str(code or "")), detail]
                cells[4] = SEVERITY_WORDS.get(str(cells[4]), cells[4])
                for col, value in enumerate(cells):
                    if value is None:
                        continue
                    if col == 1:
                        sheet.write_number(line, col, value)
                    else:
                        sheet.write_string(line, col, str(value))
                line += 1
        sheet.autofilter(0, 0, max(line - 1, 1), len(header) - 1)
    finally:
        book.close()
