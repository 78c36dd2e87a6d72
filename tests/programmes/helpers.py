"""Helpers for targeting tests: snapshots written directly as Parquet (no importer, no generator)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sigap.core.schema import PERSON_COLUMNS, ROSTER_COLUMNS
from sigap.core.selection import literal
from sigap.engine import DuckDBEngine
from sigap.reference import regions

BEKASI_KELURAHAN = [r.code for r in regions().descendants("3275", "desa_kelurahan")]


def programme_document(**overrides: Any) -> dict[str, Any]:
    """A Kota Bekasi programme; keyword overrides go into [programme] or [eligibility]/[priority]."""
    doc: dict[str, Any] = {
        "programme": {
            "code": "SIGAP-2026",
            "name": "SIGAP 2026",
            "region": "3275",
            "fiscal_year": 2026,
            "budget": 2_000_000_000,
            "coverage_start": "2026-01",
            "funding": "APBD",
        },
        "eligibility": {},
        "priority": {},
    }
    for key, value in overrides.items():
        section = "priority" if key in _PRIORITY else "eligibility" if key in _ELIGIBILITY else "programme"
        doc[section][key] = value
    return doc


_PRIORITY = {"order", "tie_break_seed"}
_ELIGIBILITY = {
    "desil_max",
    "age_min",
    "age_max",
    "occupations_included",
    "occupations_excluded",
    "exclude_insured",
    "exclude_aparat",
    "exclude_deceased",
}


def person(nik: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "nik": nik,
        "no_kk": "3275010101000001",
        "nama": f"ORANG {nik[-4:]}",
        "tempat_lahir": "BEKASI",
        "tanggal_lahir": dt.date(1980, 5, 5),
        "jenis_kelamin": "L",
        "hubungan_keluarga": "KEPALA KELUARGA",
        "alamat": "JL. MAWAR",
        "rt": "001",
        "rw": "002",
        "kode_kecamatan": "327501",
        "kode_kelurahan": "3275011001",
        "desil": 1,
        "pekerjaan": "PEDAGANG",
        "meninggal": False,
        "source_row": 0,
    }
    row.update(values)
    if "kode_kecamatan" not in values and row["kode_kelurahan"]:
        row["kode_kecamatan"] = row["kode_kelurahan"][:6]
    return row


def _value(value: Any, kind: str) -> str:
    if value is None:
        return f"CAST(NULL AS {kind})"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return f"CAST({literal(value)} AS {kind})"


def rows_sql(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    selects = [
        "SELECT " + ", ".join(f"{_value(row.get(name), kind)} AS {name}" for name, kind in columns)
        for row in rows
    ]
    return "\nUNION ALL\n".join(selects)


def bulk_people_sql(n: int, *, offset: int = 0) -> str:
    """``n`` eligible-looking people (desil 1..5, age 28..56, informal, Kota Bekasi domicile)."""
    kel = "[" + ", ".join(f"'{c}'" for c in BEKASI_KELURAHAN) + "]"
    return f"""
    SELECT '3275' || lpad(CAST(i AS VARCHAR), 12, '0') AS nik,
      '3275' || lpad(CAST(i // 4 AS VARCHAR), 12, '0') AS no_kk,
      'ORANG ' || CAST(i AS VARCHAR) AS nama, 'BEKASI' AS tempat_lahir,
      CAST(DATE '1970-01-01' + CAST(i % 10000 AS INTEGER) AS DATE) AS tanggal_lahir,
      CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END AS jenis_kelamin,
      'KEPALA KELUARGA' AS hubungan_keluarga, 'JL' AS alamat, '001' AS rt, '001' AS rw,
      substr({kel}[1 + i % {len(BEKASI_KELURAHAN)}], 1, 6) AS kode_kecamatan,
      {kel}[1 + i % {len(BEKASI_KELURAHAN)}] AS kode_kelurahan,
      CAST(1 + i % 5 AS TINYINT) AS desil,
      CASE i % 4 WHEN 0 THEN 'PEDAGANG' WHEN 1 THEN 'SOPIR' WHEN 2 THEN 'PETANI/PEKEBUN'
        ELSE 'BURUH HARIAN LEPAS' END AS pekerjaan,
      FALSE AS meninggal, CAST(i + 2 AS BIGINT) AS source_row
    FROM range({offset}, {offset + n}) AS t(i)
    """


def write_snapshot(data_dir: Path, sql: str, *, kind: str = "registry") -> Any:
    """Write ``sql`` (rows in the snapshot layout) as Parquet and create its Snapshot row."""
    from sigap.registry.models import Snapshot

    columns = PERSON_COLUMNS if kind == "registry" else ROSTER_COLUMNS
    relative = Path("snapshots") / f"{kind}-{uuid.uuid4().hex}.parquet"
    path = data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    select = ", ".join(f"CAST({name} AS {t}) AS {name}" for name, t in columns)
    with DuckDBEngine() as engine:
        count = engine.copy_to_parquet(f"SELECT {select} FROM ({sql}) AS s", path)
    return Snapshot.objects.create(
        kind=kind,
        source_name=f"{kind}.csv",
        content_sha256=uuid.uuid4().hex,
        mapping_sha256="0" * 64,
        reference_date=dt.date(2026, 1, 1),
        rows=count,
        accepted=count,
        rejected=0,
        region_codes=["3275"],
        data_path=str(relative),
    )


def write_people(data_dir: Path, rows: list[dict[str, Any]]) -> Any:
    return write_snapshot(data_dir, rows_sql(rows, PERSON_COLUMNS))


def write_roster(data_dir: Path, rows: list[dict[str, Any]]) -> Any:
    full = [{"nama": "X", "tanggal_lahir": None, "source_row": i + 2, **r} for i, r in enumerate(rows)]
    return write_snapshot(data_dir, rows_sql(full, ROSTER_COLUMNS), kind="roster")


def read_decisions(run: Any) -> dict[str, dict[str, Any]]:
    from sigap.programmes.selectors import decisions_relation

    with DuckDBEngine() as engine:
        cols = ["nik", "decision", "rank", "waiting_rank", "cost", "reasons"]
        rows = engine.fetch(f"SELECT {', '.join(cols)} FROM {decisions_relation(run)} AS d")
        return {r[0]: dict(zip(cols, r, strict=True)) for r in rows}
