"""The baseline for bench/citizen_check.py: a minimal WSGI app doing the same single-row lookup.

No framework: parse the form body, compute the same keyed hash of NIK + KK number as
``sigap.status.keys``, one ``SELECT`` by the indexed key with psycopg (one connection per thread),
answer a tiny HTML page.  Served by gunicorn exactly like SIGAP.  Environment: ``BENCH_DSN`` and
``BENCH_STATUS_SECRET`` (the same secret SIGAP derives).
"""

from __future__ import annotations

import hashlib
import html
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import psycopg

DSN = os.environ.get("BENCH_DSN", "")
INNER, _, OUTER = os.environ.get("BENCH_STATUS_SECRET", "").partition(":")
SQL = (  # the same statement as sigap.status.selectors.citizen_answers
    "SELECT s.programme_name, s.status, s.reasons, s.office, m.state, x.date, x.reason, "
    "(SELECT min(p.start_month) FROM enrolment_coverageperiod p WHERE p.member_id = m.id) "
    "FROM status_citizenstatus s "
    "LEFT JOIN enrolment_member m ON m.id = s.member_id "
    "LEFT JOIN enrolment_memberexit x ON x.member_id = m.id "
    "WHERE s.lookup = %s ORDER BY s.programme_name, s.programme_id"
)
_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(DSN, autocommit=True)
        _local.conn = conn
    return conn


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(length).decode()) if length else {}
    nik = form.get("nik", [""])[0]
    kk = form.get("kk", [""])[0]
    rows: list[tuple[Any, ...]] = []
    if len(nik) == 16 and nik.isdigit() and len(kk) == 16 and kk.isdigit():
        inner = hashlib.sha256(f"{INNER}{nik}|{kk}".encode()).hexdigest()
        key = hashlib.sha256(f"{OUTER}{inner}".encode()).hexdigest()[:32]
        rows = _connection().execute(SQL, (key,)).fetchall()
    items = (
        "".join(f"<li>{html.escape(r[0])}: {html.escape(r[1])}</li>" for r in rows) or "<li>not_found</li>"
    )
    body = f"<!doctype html><title>cek</title><ul>{items}</ul>".encode()
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
