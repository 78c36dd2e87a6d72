"""A segment list (people a region already funds: RT/RW, kader Posyandu, honorer, Linmas...): read
and checked like every other import, set-based, with the same rejection report.

The file has one row per person: ``nik``, ``nama``, ``segmen``, ``desa_kelurahan`` (a kelurahan code,
or its name within the programme's region; ``kelurahan`` is accepted as the column's name) and,
optionally, ``kecamatan`` (to tell two kelurahan of one name apart), ``mulai`` / ``selesai`` (the
first and last covered month: ``2026-01``, ``01/2026``, a date or an Excel date; empty: the
programme's first month / the end of its fiscal year) and ``kpj``.  Readers, limits (file size,
rows, line and cell lengths), formula-injection defusing of the report and the NIK and address
checks are those of the registry import (:mod:`sigap.registry.ingest.checks`).

A row is refused for: a malformed line, a formula without a value, a value too long, an invalid NIK
(every ``nik_*`` code), a NIK repeated in the file (the first row is kept), an empty name or
segment, a kelurahan that is empty, unknown, ambiguous or outside the programme's region, and a
month that cannot be read, falls after the fiscal year, or ends before it starts.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from sigap.core.importlimits import ImportLimits
from sigap.core.nik_sql import collapse_ws_sql, nik_issue_staged_sql, nik_message_sql, sql_str
from sigap.engine import duckdb_settings
from sigap.errors import UserError
from sigap.registry.ingest import checks as C
from sigap.registry.ingest.build import REPORT_CSV, write_report
from sigap.registry.ingest.source import SourceFile, create_rows, load_source, too_many_rows

#: Our column names; ``kelurahan`` is read as ``desa_kelurahan`` when the file has no such column.
SEGMENT_COLUMNS: tuple[str, ...] = (
    "nik",
    "nama",
    "segmen",
    "kecamatan",
    "desa_kelurahan",
    "mulai",
    "selesai",
    "kpj",
)
REQUIRED_SEGMENT_COLUMNS: tuple[str, ...] = ("nik", "nama", "segmen", "desa_kelurahan")
#: Columns whose length is checked (``sigap.core.schema.SOURCE_TEXT_MAX_LENGTH``); months are parsed.
_MEASURED = ("nik", "nama", "segmen", "kecamatan", "desa_kelurahan", "kpj")
DATA_FILE = "segment.parquet"
#: Columns of the accepted rows (``DATA_FILE``).
OUTPUT_COLUMNS = ("nik", "nama", "segmen", "kode_kelurahan", "kpj", "mulai", "selesai", "source_row")


@dataclass
class SegmentOutcome:
    rows: int
    accepted: int
    rejected: int
    data_file: str
    report_file: str
    stats: dict[str, Any] = field(default_factory=dict)


def month_sql(expr: str) -> str:
    """The first day of the month written in ``expr`` (``2026-01``, ``01/2026``, ``01-2026``, a date in
    any spelling :func:`sigap.registry.ingest.checks.date_sql_full` reads, an Excel date); NULL otherwise."""
    t = f"trim({expr})"
    return (
        "(CASE"
        f" WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{1,2}}')"
        f" THEN CAST(try_strptime({t} || '-01', '%Y-%m-%d') AS DATE)"
        f" WHEN regexp_full_match({t}, '[0-9]{{1,2}}[-/.][0-9]{{4}}')"
        f" THEN CAST(try_strptime('01-' || regexp_replace({t}, '[/.]', '-'), '%d-%m-%Y') AS DATE)"
        f" ELSE CAST(date_trunc('month', {C.date_sql_full(expr)}) AS DATE) END)"
    )


def _month_issue(raw: str, parsed: str, last: dt.date) -> str:
    return (
        f"CASE WHEN {C.blank_sql(raw)} THEN NULL WHEN {parsed} IS NULL OR {parsed} < DATE '1990-01-01'"
        f" THEN 'month_invalid' WHEN {parsed} > DATE '{last.isoformat()}' THEN 'month_after_year' END"
    )


def segment_rows_sql(
    relation: str, *, region: str, fiscal_year: int, reference_date: dt.date, keep: str = ""
) -> str:
    """The row-local pass (a pure projection, see :func:`sigap.registry.ingest.source.create_rows`)."""
    last = dt.date(fiscal_year, 12, 1)
    stages = C._nik_stages(
        "nik",
        reference_date,
        {
            "x_nama": f"upper({collapse_ws_sql('nama')})",
            "x_segmen": f"upper({collapse_ws_sql('segmen')})",
            "x_mulai": month_sql("mulai"),
            "x_selesai": month_sql("selesai"),
            "x_kpj": C.trimmed_sql("kpj", upper=True),
        },
    )
    stages.append(
        {
            "x_e_nik": nik_issue_staged_sql("nik", prefix="x_nik_"),
            "x_e_nama": "CASE WHEN x_nama = '' OR x_nama IS NULL THEN 'nama_missing' END",
            "x_e_segmen": "CASE WHEN x_segmen = '' OR x_segmen IS NULL THEN 'segmen_missing' END",
            "x_e_mulai": _month_issue("mulai", "x_mulai", last),
            "x_e_selesai": _month_issue("selesai", "x_selesai", last),
        }
    )
    stages.append(
        {
            "x_e_order": "CASE WHEN x_e_mulai IS NULL AND x_e_selesai IS NULL AND x_mulai IS NOT NULL"
            " AND x_selesai IS NOT NULL AND x_selesai < x_mulai THEN 'month_order' END",
        }
    )
    province = sql_str(region) if len(region) == 2 else "NULL::VARCHAR"
    kabkota = sql_str(region[:4]) if len(region) >= 4 else "NULL::VARCHAR"
    final = {
        "_formula": "_formula",
        "_row_error": "_row_error",
        # the address is resolved within the programme's region (the region as the parent level)
        "provinsi": province,
        "kabupaten_kota": kabkota,
        "kecamatan": "kecamatan",
        "desa_kelurahan": "desa_kelurahan",
        "v_nik": "CASE WHEN x_e_nik IS NOT NULL OR NOT x_nik_tidy THEN nik END",
        "v_nama": "CASE WHEN x_e_nama IS NOT NULL THEN nama END",
        "v_segmen": "CASE WHEN x_e_segmen IS NOT NULL THEN segmen END",
        "v_mulai": "CASE WHEN x_e_mulai IS NOT NULL OR x_e_order IS NOT NULL THEN mulai END",
        "v_selesai": "CASE WHEN x_e_selesai IS NOT NULL OR x_e_order IS NOT NULL THEN selesai END",
        "e_formula": "CASE WHEN _formula IS NOT NULL THEN 'formula_without_value' END",
        "e_row": "CASE WHEN _row_error IS NOT NULL THEN 'row_malformed' END",
        "e_nik": "x_e_nik",
        "nik": "x_nik_d",
        "nik_n": "CASE WHEN x_e_nik IS NULL THEN x_nik_n END",
        "nama": "x_nama",
        "e_nama": "x_e_nama",
        "segmen": "x_segmen",
        "e_segmen": "x_e_segmen",
        "mulai": "x_mulai",
        "e_mulai": "x_e_mulai",
        "selesai": "x_selesai",
        "e_selesai": "x_e_selesai",
        "e_order": "x_e_order",
        "kpj": "x_kpj",
        **C.TOO_LONG_FINAL,
    }
    return C.staged_select(C.too_long_sql(relation, _MEASURED), stages, final, keep=keep)


def segment_checks(reference_date: dt.date, fiscal_year: int) -> list[C.Check]:
    month_reason = (
        "CASE {code} WHEN 'month_invalid' THEN 'month ''' || coalesce({raw}, '') || ''' cannot be read"
        " (use YYYY-MM, MM/YYYY, a date or an Excel date)'"
        f" ELSE 'month ''' || coalesce({{raw}}, '') || ''' is after the fiscal year {fiscal_year}' END"
    )
    return [
        C.Check("e_row", "'(row)'", C.ERROR, "''", "_row_error", column_sql=True, exclusive=True),
        C.Check("e_formula", "coalesce(_formula, '')", C.ERROR, "''",
                "'formula without a value (open the file in Excel, recalculate and save, or paste as values)'",
                column_sql=True),
        C.too_long_check(),
        C.Check("e_nik", "nik", C.ERROR, "v_nik", nik_message_sql("e_nik", "v_nik", reference_date)),
        C.Check("'nik_duplicate'", "nik", C.ERROR, "coalesce(v_nik, nik)",
                "'duplicate NIK, first at row ' || d.dup_first",
                join="JOIN dup_nik d ON d.dup_row = c.source_row", needs="dup_nik"),
        C.Check("e_nama", "nama", C.ERROR, "v_nama", "'name is empty'"),
        C.Check("e_segmen", "segmen", C.ERROR, "v_segmen", "'segment is empty'"),
        C.Check("e_mulai", "mulai", C.ERROR, "v_mulai", month_reason.format(code="e_mulai", raw="v_mulai")),
        C.Check("e_selesai", "selesai", C.ERROR, "v_selesai",
                month_reason.format(code="e_selesai", raw="v_selesai")),
        C.Check("e_order", "selesai", C.ERROR, "v_selesai",
                "'last month ''' || coalesce(v_selesai, '') || ''' is before the first month ''' ||"
                " coalesce(v_mulai, '') || ''''"),
        C.Check("a.err_code", "a.err_column", C.ERROR, "a.err_value", "a.err_message", column_sql=True,
                join=f"JOIN addr_r a ON {C._addr_join()}", needs="addr_err"),
    ]  # fmt: skip


def build_segment(
    *,
    source: SourceFile,
    region: str,
    fiscal_year: int,
    reference_date: dt.date,
    outdir: Path,
    scratch: Path,
    mapping: dict[str, Any] | None = None,
    limits: ImportLimits | None = None,
) -> SegmentOutcome:
    """Check ``source`` and write the accepted rows (``DATA_FILE``, :data:`OUTPUT_COLUMNS`) and the
    rejection report (``rejections.csv``/``.xlsx``, as every import) into ``outdir``."""
    limits = limits or ImportLimits()
    started = time.perf_counter()
    scratch.mkdir(parents=True, exist_ok=True)
    mapping = dict(mapping or {"columns": {}})
    con = duckdb.connect(
        config={
            **duckdb_settings(),
            "temp_directory": str(scratch / "duckdb"),
            "preserve_insertion_order": True,
        }
    )
    try:
        C.load_reference(con)
        try:
            relation = load_source(
                con, source, workdir=scratch, known=SEGMENT_COLUMNS, required=REQUIRED_SEGMENT_COLUMNS,
                mapping=mapping, limits=limits,
            )  # fmt: skip
        except UserError:
            # the usual heading "kelurahan" for the kelurahan column
            if "desa_kelurahan" in mapping.get("columns", {}):
                raise
            mapping = {"columns": {**mapping.get("columns", {}), "desa_kelurahan": "kelurahan"}}
            relation = load_source(
                con, source, workdir=scratch, known=SEGMENT_COLUMNS, required=REQUIRED_SEGMENT_COLUMNS,
                mapping=mapping, limits=limits,
            )  # fmt: skip
        create_rows(
            con,
            source,
            relation,
            select=lambda sql, keep: segment_rows_sql(
                sql, region=region, fiscal_year=fiscal_year, reference_date=reference_date, keep=keep
            ),
        )
        con.execute("SET preserve_insertion_order = false")
        row = con.execute("SELECT count(*) FROM checked_rows").fetchone()
        rows = int(row[0]) if row else 0
        if rows == 0:
            raise UserError(
                _("%(name)s: berkas hanya berisi judul kolom, tanpa baris data") % {"name": source.path.name}
            )
        if rows > limits.max_rows:
            raise UserError(too_many_rows(source.path.name, rows, limits.max_rows))
        present = {"kabupaten_kota" if len(region) >= 4 else "provinsi", "desa_kelurahan"}
        if "kecamatan" in relation.columns:
            present.add("kecamatan")
        C.resolve_addresses(con, present=present)
        # a kelurahan left blank is "region_missing" only when the column is required (it is)
        con.execute("CREATE VIEW addr_err AS SELECT * FROM addr_r WHERE err_code IS NOT NULL")
        C.mark_duplicates(con, key="nik_n", table="dup_nik")
        side = C.nonempty(con, ("addr_err", "dup_nik"))
        checks = segment_checks(reference_date, fiscal_year)
        con.execute(C.issues_sql(checks, side))
        accepted = C.accepted_sql(checks)
        dup = " AND c.source_row NOT IN (SELECT dup_row FROM dup_nik)" if "dup_nik" in side else ""
        query = (
            "SELECT c.nik, c.nama, c.segmen, a.parent AS kode_kelurahan, coalesce(c.kpj, '') AS kpj,"  # noqa: S608 -- names fixed
            " c.mulai, c.selesai, c.source_row"
            f" FROM checked c JOIN addr_r a ON {C._addr_join()} AND a.err_code IS NULL"
            f" WHERE {accepted}{dup} AND length(a.parent) = 10"
        )
        written = con.execute(
            f"COPY ({query}) TO {sql_str(str(outdir / DATA_FILE))} (FORMAT parquet)"  # noqa: S608 -- quoted
        ).fetchone()
        kept = int(written[0]) if written else 0
        by_code = con.execute(
            "SELECT code, count(*) FROM issues WHERE severity = 'error' GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        lines = write_report(con, source_name=source.path.name, outdir=outdir, scratch=scratch)
        return SegmentOutcome(
            rows=rows,
            accepted=kept,
            rejected=rows - kept,
            data_file=DATA_FILE,
            report_file=REPORT_CSV,
            stats={
                "format": source.format,
                "columns": relation.columns,
                "errors_by_code": {str(code): int(n) for code, n in by_code},
                "report_lines": lines,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
    finally:
        con.close()
