"""Row numbers come from the file order of a single parallel pass: check them on a big file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from registry_factory import KEC, person

from sigap.core.nik import make_nik
from sigap.core.schema import SOURCE_COLUMNS, SOURCE_ROSTER_COLUMNS
from sigap.registry.ingest import build_snapshot, inspect_file
from sigap.registry.ingest.checks import registry_rows_sql, roster_rows_sql
from sigap.registry.ingest.source import assert_row_local

REF = dt.date(2026, 1, 1)
ROWS = 210_000
BAD_EVERY = 7_919  # these rows have an empty name


def _big_registry(path: Path) -> None:
    """Valid people, each carrying its own line number in ``alamat``; some quoted fields."""
    template = person(1)
    born = [dt.date(1960, 1, 1) + dt.timedelta(days=d) for d in range(ROWS // 9000 + 1)]
    prefixes = [make_nik(KEC, b, "L", 1)[:12] for b in born]
    columns = list(SOURCE_COLUMNS)
    at = {c: i for i, c in enumerate(columns)}
    values = [str(template[c]) for c in columns]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="|", lineterminator="\n")
        writer.writerow(columns)
        for i in range(ROWS):
            line = i + 2
            row = list(values)
            row[at["nomor_nik"]] = f"{prefixes[i // 9000]}{i % 9000 + 1:04d}"
            row[at["tanggal_lahir"]] = born[i // 9000].isoformat()
            row[at["jenis_kelamin"]] = "L"
            # a delimiter inside a quoted field now and then keeps the CSV scanner honest
            row[at["alamat"]] = f"ROW|{line}" if i % 1000 == 0 else f"ROW {line}"
            row[at["nama"]] = "" if line % BAD_EVERY == 0 else f"WARGA {line}"
            writer.writerow(row)


def test_source_rows_match_file_lines_with_parallel_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    _big_registry(path)
    assert path.stat().st_size > 32 * 1024 * 1024  # several CSV buffers, read by several threads
    out = tmp_path / "out"
    out.mkdir()
    outcome = build_snapshot(
        source=inspect_file(path),
        kind="registry",
        mapping={"columns": {}},
        reference_date=REF,
        outdir=out,
        scratch=tmp_path / "scratch",
        threads=4,
    )
    bad = [line for line in range(2, ROWS + 2) if line % BAD_EVERY == 0]
    assert (outcome.rows, outcome.rejected, outcome.warnings) == (ROWS, len(bad), 0)
    con = duckdb.connect()
    # file_row_number: the row's position in the file itself (a window with an empty OVER () has no
    # defined order when DuckDB reads with several threads)
    people = f"read_parquet('{out / outcome.data_file}', file_row_number = true)"
    mismatched, count, ordered = con.execute(
        "SELECT count(*) FILTER (WHERE replace(alamat, '|', ' ') <> 'ROW ' || source_row"
        " OR nama <> 'WARGA ' || source_row), count(*), bool_and(source_row > prev)"
        f" FROM (SELECT *, lag(source_row, 1, 0) OVER (ORDER BY file_row_number) AS prev FROM {people})"
    ).fetchone()
    assert (mismatched, count, ordered) == (0, ROWS - len(bad), True)
    with (out / outcome.report_file).open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.DictReader(f))
    assert [(int(r["row"]), r["code"]) for r in report] == [(line, "nama_missing") for line in bad]


@pytest.mark.parametrize("rows_sql", [registry_rows_sql, roster_rows_sql])
def test_row_local_pass_is_a_pure_projection(rows_sql) -> None:
    columns = SOURCE_COLUMNS + ("status_hidup",) if rows_sql is registry_rows_sql else SOURCE_ROSTER_COLUMNS
    relation = (
        "SELECT NULL::VARCHAR AS _formula, NULL::VARCHAR AS _row_error, NULL::VARCHAR AS _long, "
        + ", ".join(f"'x'::VARCHAR AS {c}" for c in columns)
    )
    con = duckdb.connect()
    assert_row_local(con, rows_sql(relation, REF))  # no error


def test_guard_refuses_a_join() -> None:
    con = duckdb.connect()
    # DuckDB plans an IN list of constants as a (row-reordering) join
    query = "SELECT v IN ('a', 'b', 'c', 'd', 'e', 'f', 'g') FROM (SELECT 'x' AS v)"
    with pytest.raises(RuntimeError, match="not a pure projection"):
        assert_row_local(con, query)
