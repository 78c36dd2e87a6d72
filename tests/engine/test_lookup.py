"""Point look-ups in sorted Parquet files (``sigap.engine.lookup``): the same rows as a full scan, in
every row group, across group boundaries, for a file written anew, and for files without usable
statistics (read with DuckDB)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.engine import lookup
from sigap.engine.lookup import point_lookup

COLUMNS = ("status", "reasons", "kode_kelurahan")


def _write(path: Path, rows: list[tuple[str, str, str, str]], *, group: int, order: bool = True) -> None:
    """A status file with row groups of ``group`` rows (pyarrow: DuckDB rounds small groups up)."""
    rows = sorted(rows) if order else rows
    names = ("lookup", *COLUMNS)
    table = pa.table({name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(names)})
    pq.write_table(table, path, row_group_size=group)


def _scan(path: Path, key: str) -> list[tuple[str, ...]]:
    return [
        tuple(r)
        for r in duckdb.sql(
            f"SELECT status, reasons, kode_kelurahan FROM '{path}' WHERE lookup = $key ORDER BY status",
            params={"key": key},
        ).fetchall()
    ]


def _rows(n: int, *, repeat_every: int = 0) -> list[tuple[str, str, str, str]]:
    rows = [
        (f"{i * 7919 % 100_003:032x}", "waiting" if i % 3 else "ineligible", f"r{i}", f"327501{i:04d}")
        for i in range(n)
    ]
    if repeat_every:
        rows += [(key, "selected", "again", kel) for key, _, _, kel in rows[::repeat_every]]
    return rows


@pytest.fixture(autouse=True)
def _fresh_indexes() -> None:
    lookup._indexes.clear()


def test_every_key_in_every_group_and_no_other(tmp_path: Path) -> None:
    path = tmp_path / "status.parquet"
    rows = _rows(1000, repeat_every=97)  # some keys twice: they may straddle a group boundary
    _write(path, rows, group=64)
    for key in sorted({r[0] for r in rows}):
        found = sorted(
            r[1:] for r in point_lookup([("p", path)], key_column="lookup", key=key, columns=COLUMNS)
        )
        assert found == _scan(path, key)
        assert found
    present = {r[0] for r in rows}
    for missing in ("", "f" * 32, rows[0][0] + "0", rows[-1][0][:-1], "zzz"):
        assert missing not in present
        assert point_lookup([("p", path)], key_column="lookup", key=missing, columns=COLUMNS) == []
    index = lookup._indexes[(str(path), "lookup")]
    assert index.reader is not None and len(index.mins) == pq.ParquetFile(path).metadata.num_row_groups > 10


@settings(max_examples=30, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="0123456789abcdef", min_size=0, max_size=6), max_size=60),
    probe=st.text(alphabet="0123456789abcdef", max_size=6),
    group=st.integers(min_value=1, max_value=8),
)
def test_same_rows_as_a_scan(
    tmp_path_factory: pytest.TempPathFactory, keys: list[str], probe: str, group: int
) -> None:
    path = tmp_path_factory.mktemp("lookup") / "status.parquet"
    _write(path, [(k, f"s{i}", "", "3275") for i, k in enumerate(keys)], group=group)
    for key in [probe, *keys[:5]]:
        found = sorted(
            r[1:] for r in point_lookup([("p", path)], key_column="lookup", key=key, columns=COLUMNS)
        )
        assert found == _scan(path, key)


def test_tags_follow_the_files_and_a_missing_file_answers_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    rows = _rows(50)
    _write(first, rows, group=8)
    _write(second, rows[:10], group=8)
    key = rows[3][0]
    files = [("A", first), ("gone", tmp_path / "missing.parquet"), ("B", second)]
    found = point_lookup(files, key_column="lookup", key=key, columns=("status",))
    assert found == [("A", rows[3][1]), ("B", rows[3][1])]


def test_a_file_written_anew_is_read_anew(tmp_path: Path) -> None:
    path = tmp_path / "status.parquet"
    key = _rows(20)[5][0]
    _write(path, _rows(20), group=4)
    assert point_lookup([("p", path)], key_column="lookup", key=key, columns=("reasons",)) == [("p", "r5")]
    replacement = tmp_path / "new.parquet"
    _write(replacement, [(key, "waiting", "changed", "3275")], group=4)
    os.replace(replacement, path)
    assert point_lookup([("p", path)], key_column="lookup", key=key, columns=("reasons",)) == [
        ("p", "changed")
    ]
    path.unlink()
    assert point_lookup([("p", path)], key_column="lookup", key=key, columns=("reasons",)) == []


def test_unsorted_files_are_read_with_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "unsorted.parquet"
    rows = _rows(200)
    _write(path, rows, group=16, order=False)
    assert pq.ParquetFile(path).metadata.num_row_groups > 1
    for key, status, reasons, kel in rows[::17]:
        assert point_lookup([("p", path)], key_column="lookup", key=key, columns=COLUMNS) == [
            ("p", status, reasons, kel)
        ]
    assert lookup._indexes[(str(path), "lookup")].reader is None


def test_null_keys_in_a_group_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "nulls.parquet"
    table = pa.table(
        {
            "lookup": pa.array(["a", "b", None, "b", None], pa.string()),
            **{name: pa.array([f"{name}{i}" for i in range(5)], pa.string()) for name in COLUMNS},
        }
    )
    pq.write_table(table, path, row_group_size=5)
    found = point_lookup([("p", path)], key_column="lookup", key="b", columns=("status",))
    assert found == [("p", "status1"), ("p", "status3")]
    assert point_lookup([("p", path)], key_column="lookup", key="c", columns=("status",)) == []


def test_value_columns_of_any_type_come_back_as_written(tmp_path: Path) -> None:
    """Text columns are read as dictionaries (a status file's answer takes a handful of values); the
    values a look-up returns are still plain Python values, nulls included, and other types untouched."""
    import datetime as dt

    path = tmp_path / "mixed.parquet"
    keys = [f"{i:04x}" for i in range(300)]
    table = pa.table(
        {
            "lookup": pa.array(keys, pa.string()),
            "status": pa.array(
                [None if i % 7 == 0 else ("waiting", "ineligible")[i % 2] for i in range(300)]
            ),
            "count": pa.array(list(range(300)), pa.int64()),
            "since": pa.array([dt.date(2026, 1 + i % 12, 1) for i in range(300)]),
            "raw": pa.array([bytes([i % 256]) for i in range(300)], pa.binary()),
        }
    )
    pq.write_table(table, path, row_group_size=32)
    for i in (0, 1, 7, 150, 299):
        found = point_lookup(
            [("p", path)], key_column="lookup", key=keys[i], columns=("status", "count", "since", "raw")
        )
        status = None if i % 7 == 0 else ("waiting", "ineligible")[i % 2]
        assert found == [("p", status, i, dt.date(2026, 1 + i % 12, 1), bytes([i % 256]))]
        assert type(found[0][1]) in (str, type(None))
