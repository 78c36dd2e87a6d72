"""Lifecycle fixtures: a 100-place Kota Bekasi programme enrolled from January, snapshot/roster helpers."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from factories import BEKASI_KELURAHAN, make_programme, make_run, make_snapshot, make_user, people_sql
from sigap.core.schema import ROSTER_COLUMNS
from sigap.engine import DuckDBEngine

PLACES = 100
COST = 201_600  # 12 x Rp16,800
OUTSIDE_KELURAHAN = "3216012001"  # a desa of Kabupaten Bekasi: outside Kota Bekasi (3275)


def snapshot_sql(
    people: int = 120,
    *,
    dead: tuple[int, ...] = (),
    moved: tuple[int, ...] = (),
    missing: tuple[int, ...] = (),
    old: tuple[int, ...] = (),
) -> str:
    """The factory people ``0..people-1`` with some dead, moved out, missing or born in 1950."""
    base = people_sql(people)
    dead_list = ", ".join(str(i) for i in dead) or "-1"
    moved_list = ", ".join(str(i) for i in moved) or "-1"
    missing_list = ", ".join(str(i) for i in missing) or "-1"
    old_list = ", ".join(str(i) for i in old) or "-1"
    return f"""
    SELECT * REPLACE (
      CASE WHEN CAST(source_row - 2 AS INTEGER) IN ({dead_list}) THEN TRUE ELSE meninggal END AS meninggal,
      CASE WHEN CAST(source_row - 2 AS INTEGER) IN ({moved_list}) THEN '{OUTSIDE_KELURAHAN}'
        ELSE kode_kelurahan END AS kode_kelurahan,
      CASE WHEN CAST(source_row - 2 AS INTEGER) IN ({old_list}) THEN DATE '1950-01-01'
        ELSE tanggal_lahir END AS tanggal_lahir)
    FROM ({base}) AS b WHERE CAST(source_row - 2 AS INTEGER) NOT IN ({missing_list})
    """


def nik_of(i: int) -> str:
    return "3275" + f"{i:012d}"


def make_roster(data_dir: Path, rows: list[tuple[str, str, str, str]]) -> Any:
    """A BPJS TK roster snapshot from ``(nik, kpj, segmen, status)`` rows."""
    from sigap.registry.models import Snapshot

    relative = Path("snapshots") / f"roster-{uuid.uuid4().hex}.parquet"
    path = Path(data_dir) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    values = (
        ", ".join(
            f"('{nik}', '{kpj}', 'X', DATE '1980-01-01', '{segmen}', '{status}', {i + 2}, NULL)"
            for i, (nik, kpj, segmen, status) in enumerate(rows)
        )
        or "('0', '0', 'X', DATE '1980-01-01', 'PU', 'NONAKTIF', 2, NULL)"
    )
    names = ", ".join(name for name, _ in ROSTER_COLUMNS)
    select = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in ROSTER_COLUMNS)
    with DuckDBEngine() as engine:
        count = engine.copy_to_parquet(f"SELECT {select} FROM (VALUES {values}) AS t({names})", path)
    return Snapshot.objects.create(
        kind="roster",
        source_name="roster.csv",
        content_sha256=uuid.uuid4().hex,
        mapping_sha256="0" * 64,
        reference_date=dt.date(2026, 1, 1),
        rows=count,
        accepted=count,
        rejected=0,
        region_codes=["3275"],
        data_path=str(relative),
    )


def write_response(directory: Path, rows: list[dict[str, str]], name: str) -> Path:
    path = directory / name
    columns = ["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def answer_all(batch: Any, *, reject: int = 0, effective: str, kpj_base: int) -> list[dict[str, str]]:
    """Accept every line of ``batch`` except the first ``reject`` (in rank order)."""
    niks = list(batch.lines.order_by("member__rank", "member__nik").values_list("member__nik", flat=True))
    rows = []
    for i, nik in enumerate(niks):
        if i < reject:
            rows.append({"NIK": nik, "STATUS": "DITOLAK", "ALASAN": "data tidak sesuai Dukcapil"})
        else:
            rows.append(
                {"NIK": nik, "KPJ": str(kpj_base + i), "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": effective}
            )
    return rows


@pytest.fixture
def officer(db: Any) -> Any:
    return make_user("petugas", role="dinas_officer")


@pytest.fixture
def head(db: Any) -> Any:
    return make_user("kadis", role="dinas_admin")


@pytest.fixture
def enrolled(data_dir: Path, tmp_path: Path, officer: Any, head: Any) -> Any:
    """SIGAP-2026 (100 places) approved, sent in December 2025, answered in January: 5 rejected."""
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit

    programme = make_programme("SIGAP-2026", budget=PLACES * COST)
    run = make_run(programme, make_snapshot(data_dir, sql=snapshot_sql(120)))
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head)
    batch = batch_export(programme=programme, acting_user=officer, today=dt.date(2025, 12, 10))
    path = write_response(
        tmp_path,
        answer_all(batch, reject=5, effective="2026-01-02", kpj_base=26_000_000_001),
        "jawaban-b001.csv",
    )
    response_import(batch=batch, path=path, acting_user=officer, today=dt.date(2026, 1, 10))
    programme.refresh_from_db()
    return programme


__all__ = [
    "BEKASI_KELURAHAN",
    "COST",
    "PLACES",
    "answer_all",
    "make_roster",
    "nik_of",
    "snapshot_sql",
    "write_response",
]
