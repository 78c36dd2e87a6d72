"""The linkage benchmark's files, small: a registry and a roster from ``sigap.synth.linkage_set`` laid
out as the imports write them (every roster row kept, a valid NIK in ``nik``, the digits of an invalid
one in ``nik_written``), and the true links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from sigap.core.nik_sql import nik_issue_sql
from sigap.synth import linkage_set

REF = dt.date(2026, 1, 1)


def linkage_files(folder: Path, *, people: int, seed: int = 1) -> set[tuple[int, str]]:
    """Write ``people.parquet`` and ``roster.parquet`` in ``folder``; return the true (source_row, NIK)."""
    registry, roster = linkage_set(people=people, seed=seed)
    con = duckdb.connect()
    try:
        con.register("reg", registry)
        con.register("ros", roster)
        con.execute(
            f"""COPY (SELECT nomor_nik AS nik, nama, jenis_kelamin, CAST(tanggal_lahir AS DATE) AS tanggal_lahir,
                       kecamatan AS kode_kecamatan, desa_kelurahan AS kode_kelurahan,
                       row_number() OVER () - 1 AS person
                FROM reg) TO '{folder / "people.parquet"}' (FORMAT parquet)"""  # noqa: S608
        )
        issue = nik_issue_sql("nik", REF)
        con.execute(
            f"""COPY (SELECT CASE WHEN {issue} IS NULL THEN nik END AS nik, kpj, nama,
                       TRY_CAST(nullif(tanggal_lahir, '') AS DATE) AS tanggal_lahir, segmen, status,
                       CAST(row_number() OVER () + 1 AS BIGINT) AS source_row,
                       CASE WHEN {issue} IS NOT NULL AND nik <> '' THEN nik END AS nik_written, person
                FROM ros) TO '{folder / "roster.parquet"}' (FORMAT parquet)"""  # noqa: S608
        )
        rows = con.execute(
            f"""SELECT r.source_row, p.nik FROM '{folder / "roster.parquet"}' r
                JOIN '{folder / "people.parquet"}' p ON p.person = r.person"""  # noqa: S608
        ).fetchall()
    finally:
        con.close()
    return {(int(r), str(n)) for r, n in rows}
