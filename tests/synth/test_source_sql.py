"""The province-sized source extract of the chain bench: every NIK valid, unique, and saying the birth
date and sex of its row; the roster draws its people from the extract."""

from __future__ import annotations

import datetime as dt

import duckdb

from sigap.core.nik import parse_nik
from sigap.reference import regions
from sigap.synth.snapshot_sql import SOURCE_COLUMNS, source_roster_sql, source_sql


def test_every_nik_is_valid_unique_and_matches_its_row() -> None:
    kelurahan = [r.code for r in regions().descendants("3275", "desa_kelurahan")]
    sql = source_sql(60_000, kelurahan=kelurahan)  # ~1,070 people per kelurahan: one serial block
    con = duckdb.connect()
    rows = con.execute(sql).fetchall()
    assert len(rows) == 60_000 and len({r[SOURCE_COLUMNS.index("nomor_nik")] for r in rows}) == 60_000
    at = {
        name: SOURCE_COLUMNS.index(name)
        for name in ("nomor_nik", "tanggal_lahir", "jenis_kelamin", "kecamatan")
    }
    for row in rows[::97]:
        nik = parse_nik(row[at["nomor_nik"]], reference_date=dt.date(2026, 1, 1))  # raises if invalid
        assert row[at["nomor_nik"]][:6] == row[at["kecamatan"]]
        assert nik.birth_date == dt.date.fromisoformat(row[at["tanggal_lahir"]])
        assert nik.sex == row[at["jenis_kelamin"]]
    roster = con.execute(
        f"SELECT count(*), count(DISTINCT nik) FROM ({source_roster_sql(f'({sql})')})"
    ).fetchone()
    assert roster is not None and 0.10 * 60_000 < roster[0] == roster[1] < 0.14 * 60_000
