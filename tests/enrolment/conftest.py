"""Enrolment fixtures: a Kota Bekasi programme of 100 places, a 120-person snapshot, users."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from factories import make_programme, make_run, make_snapshot, make_user

PLACES = 100
COST_PER_PERSON = 201_600  # 12 months x Rp16,800


@pytest.fixture
def officer(db: Any) -> Any:
    return make_user("petugas", role="dinas_officer")


@pytest.fixture
def head(db: Any) -> Any:
    return make_user("kadis", role="dinas_admin")


@pytest.fixture
def programme(db: Any) -> Any:
    return make_programme("SIGAP-2026", budget=PLACES * COST_PER_PERSON)


@pytest.fixture
def snapshot(data_dir: Path) -> Any:
    return make_snapshot(data_dir, people=120)


@pytest.fixture
def run(programme: Any, snapshot: Any) -> Any:
    return make_run(programme, snapshot)


@pytest.fixture
def approved(run: Any, officer: Any, head: Any) -> Any:
    from sigap.enrolment.actions import run_approve, run_submit

    run_submit(run=run, acting_user=officer)
    return run_approve(run=run, acting_user=head).run


EXPORTED_ON = dt.date(2025, 12, 10)
ANSWERED_ON = dt.date(2026, 1, 20)


@pytest.fixture
def batch(approved: Any, officer: Any) -> Any:
    from sigap.enrolment.actions import batch_export

    return batch_export(programme=approved.programme, acting_user=officer, today=EXPORTED_ON)


def write_response(
    directory: Path, rows: list[dict[str, str]], *, delimiter: str = ",", name: str = ""
) -> Path:
    """A BPJS TK answer file (CSV) with the standard columns."""
    path = directory / (name or f"jawaban-{len(list(directory.glob('*.csv')))}.csv")
    columns = ["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def answers(batch: Any, *, reject: int = 0, effective: str = "2026-01-05") -> list[dict[str, str]]:
    """Accept every line of ``batch`` (KPJ 26000000001...) except the first ``reject`` ones."""
    niks = list(batch.lines.order_by("member__rank").values_list("member__nik", flat=True))
    rows = []
    for i, nik in enumerate(niks):
        if i < reject:
            rows.append({"NIK": nik, "STATUS": "DITOLAK", "ALASAN": "NIK tidak ditemukan di Dukcapil"})
        else:
            rows.append(
                {
                    "NIK": nik,
                    "KPJ": f"{26_000_000_001 + i}",
                    "STATUS": "DITERIMA",
                    "TANGGAL_EFEKTIF": effective,
                }
            )
    return rows
