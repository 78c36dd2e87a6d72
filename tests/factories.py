"""Shared factories: users, programmes, registry snapshots (Parquet written with DuckDB), runs.

Import from any test: ``from factories import make_programme, make_run, make_snapshot, make_user``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sigap.core.schema import PERSON_COLUMNS
from sigap.engine import DuckDBEngine
from sigap.reference import regions

#: The days of the year on which date-sensitive flows are tested (use with the ``clock`` fixture): the
#: first and last day of the fiscal year, mid-year, and the day CI first went red because a test read
#: the real date.
DAYS_OF_THE_YEAR = (dt.date(2026, 1, 1), dt.date(2026, 6, 15), dt.date(2026, 12, 5), dt.date(2026, 12, 31))

BEKASI_KELURAHAN = [r.code for r in regions().descendants("3275", "desa_kelurahan")]


def make_user(username: str, role: str | None = None) -> Any:
    """A user; with ``role`` (a sigap.accounts role name) also its group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="x" * 12)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


def programme_document(
    code: str = "SIGAP-2026",
    *,
    budget: int = 2_000_000_000,
    coverage_start: str = "2026-01",
    fiscal_year: int | None = None,
    funding: str = "APBD",
    region: str = "3275",
    **eligibility: Any,
) -> dict[str, Any]:
    return {
        "programme": {
            "code": code,
            "name": f"Program {code}",
            "region": region,
            "fiscal_year": fiscal_year or int(coverage_start[:4]),
            "budget": budget,
            "coverage_start": coverage_start,
            "funding": funding,
        },
        "eligibility": dict(eligibility),
        "priority": {},
    }


def make_programme(code: str = "SIGAP-2026", **kwargs: Any) -> Any:
    """Create (or update) a programme through ``programme_apply``; kwargs as :func:`programme_document`."""
    from sigap.programmes.actions import programme_apply

    programme, _, _ = programme_apply(document=programme_document(code, **kwargs), source_name="test.toml")
    return programme


def people_sql(people: int, *, offset: int = 0, nik_prefix: str = "3275") -> str:
    """``people`` eligible-looking people of Kota Bekasi (desil 1..5, age 28..56, informal work).

    NIKs are ``<nik_prefix><12-digit i>`` so two snapshots with the same offset share people.
    """
    kel = "[" + ", ".join(f"'{c}'" for c in BEKASI_KELURAHAN) + "]"
    return f"""
    SELECT '{nik_prefix}' || lpad(CAST(i AS VARCHAR), {16 - len(nik_prefix)}, '0') AS nik,
      '3275' || lpad(CAST(i // 4 AS VARCHAR), 12, '0') AS no_kk,
      'ORANG ' || CAST(i AS VARCHAR) AS nama, 'BEKASI' AS tempat_lahir,
      CAST(DATE '1970-01-01' + CAST(i % 10000 AS INTEGER) AS DATE) AS tanggal_lahir,
      CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END AS jenis_kelamin,
      'KEPALA KELUARGA' AS hubungan_keluarga, 'JL. MAWAR NO. ' || CAST(i AS VARCHAR) AS alamat,
      '001' AS rt, '002' AS rw,
      substr({kel}[1 + i % {len(BEKASI_KELURAHAN)}], 1, 6) AS kode_kecamatan,
      {kel}[1 + i % {len(BEKASI_KELURAHAN)}] AS kode_kelurahan,
      CAST(1 + i % 5 AS TINYINT) AS desil,
      CASE i % 4 WHEN 0 THEN 'PEDAGANG' WHEN 1 THEN 'SOPIR' WHEN 2 THEN 'PETANI/PEKEBUN'
        ELSE 'BURUH HARIAN LEPAS' END AS pekerjaan,
      FALSE AS meninggal, CAST(i + 2 AS BIGINT) AS source_row
    FROM range({offset}, {offset + people}) AS t(i)
    """


def make_snapshot(data_dir: Path, *, people: int = 300, offset: int = 0, sql: str | None = None) -> Any:
    """Write a registry snapshot Parquet (``people`` rows, or the rows of ``sql``) and its Snapshot row."""
    from sigap.registry.models import Snapshot

    relative = Path("snapshots") / f"registry-{uuid.uuid4().hex}.parquet"
    path = Path(data_dir) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    select = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in PERSON_COLUMNS)
    source = sql if sql is not None else people_sql(people, offset=offset)
    with DuckDBEngine() as engine:
        count = engine.copy_to_parquet(f"SELECT {select} FROM ({source}) AS s", path)
    return Snapshot.objects.create(
        kind="registry",
        source_name="registry.csv",
        content_sha256=uuid.uuid4().hex,
        mapping_sha256="0" * 64,
        reference_date=dt.date(2026, 1, 1),
        rows=count,
        accepted=count,
        rejected=0,
        region_codes=["3275"],
        data_path=str(relative),
    )


def make_run(programme: Any, snapshot: Any = None, **kwargs: Any) -> Any:
    """A targeting run (draft) through ``targeting_run``; kwargs: kind, parent (set after the run)."""
    from sigap.programmes.actions import targeting_run

    kind = kwargs.pop("kind", None) or "initial"
    parent = kwargs.pop("parent", None)
    return targeting_run(
        programme=programme, snapshot=snapshot, export=False, kind=kind, parent=parent, **kwargs
    )


def make_approved_run(programme: Any, snapshot: Any = None, *, maker: Any = None, checker: Any = None) -> Any:
    """A run submitted by ``maker`` and approved by ``checker`` (users created when not given)."""
    from sigap.enrolment.actions import run_approve, run_submit

    run = make_run(programme, snapshot)
    run_submit(run=run, acting_user=maker)
    checker = checker or make_user(f"kepala-{uuid.uuid4().hex[:6]}")
    return run_approve(run=run, acting_user=checker).run
