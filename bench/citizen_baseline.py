"""The baseline for bench/citizen_check.py: a minimal WSGI app doing the same look-ups.

No framework: parse the form body, compute the same keyed hash of NIK + KK number as
``sigap.status.keys``, the same two statements with psycopg (one connection per thread): the members'
table by the indexed key with the member's live state joined, and the lists in force; for someone
with no row there, the same point look-up in the status file (``BENCH_STATUS_FILE``) as
``sigap.engine.lookup``, written by hand: the row groups' key ranges read once from the footer, the one
group that can hold the key decoded with pyarrow (``BENCH_LOOKUP=duckdb``: a DuckDB query per request
instead, as SIGAP did before -- one in-memory database per process, a cursor per thread).  Answers a
tiny HTML page.  Served by gunicorn exactly like SIGAP.  Environment: ``BENCH_DSN``,
``BENCH_STATUS_SECRET`` (the same secret SIGAP derives) and ``BENCH_STATUS_FILE``.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import duckdb
import psycopg
import pyarrow.compute as pc
import pyarrow.parquet as pq

DSN = os.environ.get("BENCH_DSN", "")
INNER, _, OUTER = os.environ.get("BENCH_STATUS_SECRET", "").partition(":")
STATUS_FILE = os.environ.get("BENCH_STATUS_FILE", "")
SQL = (  # the same statements as sigap.status.selectors.citizen_answers
    "SELECT s.programme_id, s.programme_name, s.status, s.reasons, s.office, m.state, x.date, x.reason, "
    "(SELECT min(p.start_month) FROM enrolment_coverageperiod p WHERE p.member_id = m.id) "
    "FROM status_citizenstatus s "
    "LEFT JOIN enrolment_member m ON m.id = s.member_id "
    "LEFT JOIN enrolment_memberexit x ON x.member_id = m.id "
    "WHERE s.lookup = %s ORDER BY s.programme_name, s.programme_id"
)
IN_FORCE_SQL = (
    "SELECT r.programme_id, p.name, r.decisions_path FROM programmes_targetingrun r "
    "JOIN programmes_programme p ON p.id = r.programme_id "
    "WHERE r.id IN (SELECT max(id) FROM programmes_targetingrun WHERE state IN ('approved', 'enrolled') "
    "GROUP BY programme_id) ORDER BY p.name, r.programme_id"
)
FILE_SQL = f"SELECT status, reasons, kode_kelurahan FROM read_parquet('{STATUS_FILE}') WHERE lookup = $key"  # noqa: S608
LOOKUP = os.environ.get("BENCH_LOOKUP", "index")
_local = threading.local()
_lock = threading.Lock()
_duck: list[duckdb.DuckDBPyConnection] = []


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(DSN, autocommit=True)
        _local.conn = conn
    return conn


def _cursor() -> duckdb.DuckDBPyConnection:
    cursor = getattr(_local, "duck", None)
    if cursor is None:
        with _lock:
            if not _duck:
                _duck.append(duckdb.connect(":memory:", config={"threads": 1}))
                _duck[0].execute("SET parquet_metadata_cache = true")
            cursor = _duck[0].cursor()
        _local.duck = cursor
    return cursor


_index: list[Any] = []


def _file_rows(key: str) -> list[tuple[Any, ...]]:
    if LOOKUP == "duckdb":
        return [tuple(r) for r in _cursor().execute(FILE_SQL, {"key": key}).fetchall()]
    with _lock:
        if not _index:
            reader = pq.ParquetFile(STATUS_FILE)
            groups = [
                reader.metadata.row_group(i).column(0).statistics
                for i in range(reader.metadata.num_row_groups)
            ]
            _index.extend([reader, [g.min for g in groups], [g.max for g in groups], threading.Lock()])
    reader, mins, maxs, lock = _index
    group = bisect.bisect_left(maxs, key)
    if group == len(mins) or mins[group] > key:
        return []
    with lock:
        table = reader.read_row_group(
            group, columns=["lookup", "status", "reasons", "kode_kelurahan"], use_threads=False
        )
    row = pc.index(table.column(0), key).as_py()
    return [] if row < 0 else [tuple(table.column(c)[row].as_py() for c in (1, 2, 3))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(length).decode()) if length else {}
    nik = form.get("nik", [""])[0]
    kk = form.get("kk", [""])[0]
    items: list[tuple[str, str]] = []
    if len(nik) == 16 and nik.isdigit() and len(kk) == 16 and kk.isdigit():
        inner = hashlib.sha256(f"{INNER}{nik}|{kk}".encode()).hexdigest()
        key = hashlib.sha256(f"{OUTER}{inner}".encode()).hexdigest()[:32]
        conn = _connection()
        rows = conn.execute(SQL, (key,)).fetchall()
        in_force = conn.execute(IN_FORCE_SQL).fetchall()
        for r in rows:
            items.append((r[1], "registered" if r[5] == "active" else r[2]))
        if not rows and in_force:
            for status, _reasons, _kel in _file_rows(key):
                items.append((in_force[0][1], status))
    text = "".join(f"<li>{html.escape(p)}: {html.escape(s)}</li>" for p, s in items) or "<li>not_found</li>"
    body = f"<!doctype html><title>cek</title><ul>{text}</ul>".encode()
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
