"""Enrolment batch export: numbering, columns, coverage start, immutability."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from csv_hostile import HOSTILE, defused
from sigap.audit.models import AuditEvent
from sigap.core.money import Month
from sigap.enrolment.actions import batch_export
from sigap.enrolment.batch import COLUMNS
from sigap.enrolment.models import EnrolmentLine, Member
from sigap.errors import UserError

from .conftest import EXPORTED_ON, PLACES

pytestmark = pytest.mark.django_db


def _csv(batch: Any, data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / batch.files["csv"]).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_approved_member(batch: Any, data_dir: Path, officer: Any) -> None:
    assert batch.number == "SIGAP-2026/B001" and batch.member_count == PLACES
    assert batch.coverage_start == dt.date(2026, 1, 1) and batch.exported_on == EXPORTED_ON
    rows = _csv(batch, data_dir)
    assert list(rows[0]) == list(COLUMNS) and len(rows) == PLACES
    member = Member.objects.get(nik=rows[0]["NIK"])
    assert rows[0]["NAMA"] == member.nama
    assert rows[0]["TANGGAL_LAHIR"] == member.tanggal_lahir.strftime("%d-%m-%Y")
    assert rows[0]["KODE_KELURAHAN"] == member.kode_kelurahan and rows[0]["KELURAHAN"]
    assert {r["PROGRAM"] for r in rows} == {"JKK+JKM"}
    assert {r["UPAH_DILAPORKAN"] for r in rows} == {"1000000"}
    assert {r["MULAI_KEPESERTAAN"] for r in rows} == {"01-01-2026"}
    digest = hashlib.sha256((data_dir / batch.files["csv"]).read_bytes()).hexdigest()
    assert batch.sha256 == digest
    sheet = load_workbook(data_dir / batch.files["xlsx"]).active
    xlsx = list(sheet.iter_rows(values_only=True))
    assert list(xlsx[0]) == list(COLUMNS) and len(xlsx) == PLACES + 1
    assert xlsx[1][0] == rows[0]["NIK"] and xlsx[1][12] == 1_000_000
    assert set(Member.objects.values_list("state", flat=True)) == {"sent"}
    assert EnrolmentLine.objects.filter(batch=batch, status="pending").count() == PLACES
    event = AuditEvent.objects.get(action="batch.export")
    assert event.actor == officer and event.after["members"] == PLACES and event.after["sha256"] == digest


def test_nothing_to_send_and_numbering(batch: Any, data_dir: Path) -> None:
    with pytest.raises(UserError, match="tidak memiliki peserta disetujui"):
        batch_export(programme=batch.programme, today=EXPORTED_ON)
    # A later amendment's members go into B002; B001 is untouched.
    before = (data_dir / batch.files["csv"]).read_bytes()
    Member.objects.filter(pk__in=Member.objects.order_by("rank").values("pk")[:3]).update(state="approved")
    second = batch_export(programme=batch.programme, today=dt.date(2026, 3, 20))
    assert second.number == "SIGAP-2026/B002" and second.member_count == 3
    assert second.coverage_start == dt.date(2026, 4, 1)  # the month after the export
    assert (data_dir / batch.files["csv"]).read_bytes() == before
    batch.refresh_from_db()
    assert batch.member_count == PLACES and batch.lines.count() == PLACES


def test_coverage_start_must_be_within_the_programme(approved: Any) -> None:
    with pytest.raises(UserError, match="di luar masa perlindungan program SIGAP-2026"):
        batch_export(programme=approved.programme, coverage_start=Month(2027, 1), today=EXPORTED_ON)
    assert set(Member.objects.values_list("state", flat=True)) == {"approved"}
    chosen = batch_export(programme=approved.programme, coverage_start=Month(2026, 2), today=EXPORTED_ON)
    assert chosen.coverage_start == dt.date(2026, 2, 1)


def test_csv_defuses_formula_text_and_keeps_the_layout(approved: Any, data_dir: Path) -> None:
    """Names, places, addresses, RT/RW and occupations typed into the registry never run as formulas."""
    members = list(Member.objects.filter(programme=approved.programme).order_by("rank")[: len(HOSTILE)])
    for i, member in enumerate(members):
        member.nama = HOSTILE[i]
        member.tempat_lahir = HOSTILE[-1 - i]
        member.alamat = HOSTILE[(i + 1) % len(HOSTILE)]
        member.pekerjaan = HOSTILE[(i + 2) % len(HOSTILE)]
        member.rt, member.rw = "-1", "+2"
        member.save()
    batch = batch_export(programme=approved.programme, today=EXPORTED_ON)
    rows = {r["NIK"]: r for r in _csv(batch, data_dir)}
    assert len(rows) == PLACES and list(next(iter(rows.values()))) == list(COLUMNS)
    for i, member in enumerate(members):
        row = rows[member.nik]
        assert row["NAMA"] == defused(HOSTILE[i])
        assert row["TEMPAT_LAHIR"] == defused(HOSTILE[-1 - i])
        assert row["ALAMAT"] == defused(HOSTILE[(i + 1) % len(HOSTILE)])
        assert row["PEKERJAAN"] == defused(HOSTILE[(i + 2) % len(HOSTILE)])
        assert (row["RT"], row["RW"]) == ("'-1", "'+2")
        assert row["KODE_KELURAHAN"] == member.kode_kelurahan and row["UPAH_DILAPORKAN"] == "1000000"
        assert row["TANGGAL_LAHIR"] == member.tanggal_lahir.strftime("%d-%m-%Y")
    untouched = Member.objects.filter(programme=approved.programme).order_by("rank")[len(HOSTILE)]
    assert rows[untouched.nik]["NAMA"] == untouched.nama and not untouched.nama.startswith("'")
    sheet = load_workbook(data_dir / batch.files["xlsx"]).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, max_row=1 + len(HOSTILE))]
    assert [c.value for c in names][:4] == list(HOSTILE[:4]) and {c.data_type for c in names} == {"s"}
