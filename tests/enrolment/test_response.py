"""BPJS TK response import: happy path, every bad input, idempotence, later files, coverage start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from factories import make_programme, make_run, make_snapshot
from sigap.audit.models import AuditEvent
from sigap.enrolment.actions import (
    batch_export,
    response_apply,
    response_import,
    run_approve,
    run_submit,
)
from sigap.enrolment.models import BpjsResponse, CoveragePeriod, EnrolmentLine, Member, MemberExit
from sigap.errors import UserError

from .conftest import ANSWERED_ON, PLACES, answers, write_response

pytestmark = pytest.mark.django_db


def _snapshot_state() -> tuple[Any, ...]:
    return (
        sorted(Member.objects.values_list("nik", "state", "kpj")),
        sorted(EnrolmentLine.objects.values_list("id", "status", "kpj")),
        CoveragePeriod.objects.count(),
        MemberExit.objects.count(),
        BpjsResponse.objects.count(),
    )


def test_happy_path(batch: Any, tmp_path: Path, officer: Any) -> None:
    rows = answers(batch, reject=5, effective="2026-01-05")
    rows[10]["TANGGAL_EFEKTIF"] = "2025-12-28"  # a few days before the batch month: coverage from December
    path = write_response(tmp_path, rows, delimiter=";")
    result = response_import(batch=batch, path=path, acting_user=officer, today=ANSWERED_ON)
    assert (result.accepted, result.rejected, result.pending, result.duplicate) == (PLACES - 5, 5, 0, False)
    assert result.batch_state == "answered" and result.runs_enrolled == [batch.lines.first().member.run_id]
    active = Member.objects.filter(state="active")
    assert active.count() == PLACES - 5 and not active.filter(kpj="").exists()
    member = Member.objects.get(nik=rows[6]["NIK"])
    assert member.kpj == rows[6]["KPJ"]
    assert list(member.periods.values_list("start_month", "end_month")) == [(dt.date(2026, 1, 1), None)]
    early = Member.objects.get(nik=rows[10]["NIK"])
    assert early.periods.get().start_month == dt.date(2025, 12, 1)
    rejected = Member.objects.get(nik=rows[0]["NIK"])
    assert rejected.state == "rejected" and not rejected.periods.exists()
    assert rejected.exit.reason == "rejected" and rejected.exit.source == "bpjs_response"
    assert "NIK tidak ditemukan di Dukcapil" in rejected.exit.note
    line = EnrolmentLine.objects.get(member=rejected)
    assert (line.status, line.reason) == ("rejected", "NIK tidak ditemukan di Dukcapil")
    batch.refresh_from_db()
    assert batch.state == "answered"
    run = rejected.run
    run.refresh_from_db()
    assert run.state == "enrolled"
    event = AuditEvent.objects.get(action="batch.response")
    assert event.actor == officer and event.after["accepted"] == PLACES - 5
    assert AuditEvent.objects.filter(action="member.exit").count() == 5


def test_same_file_again_changes_nothing(batch: Any, tmp_path: Path) -> None:
    path = write_response(tmp_path, answers(batch, reject=2))
    response_import(batch=batch, path=path, today=ANSWERED_ON)
    state = _snapshot_state()
    again = response_import(batch=batch, path=path, today=ANSWERED_ON)
    assert again.duplicate and "sudah pernah diimpor" in again.notes[0] and again.accepted == 0
    assert _snapshot_state() == state


def test_rows_without_a_file_are_applied_as_the_file_would_be(
    batch: Any, tmp_path: Path, officer: Any
) -> None:
    """The API's path: rows handed over directly, the same checks, audit and repeat detection."""
    columns = ["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"]
    rows = answers(batch, reject=2)
    cells = [(i + 2, [r.get(c, "") for c in columns]) for i, r in enumerate(rows)]
    with pytest.raises(UserError) as refused:
        response_apply(
            batch=batch, source="api-x", header=columns, rows=[*cells[:3], (9, ["12", "", "MUNGKIN", "", ""])]
        )
    assert [d.split(": ", 2)[1] for d in refused.value.details] == [
        "baris 9, kolom NIK",
        "baris 9, kolom STATUS",
    ]
    assert not BpjsResponse.objects.exists()

    result = response_apply(
        batch=batch, source="api-x", header=columns, rows=cells, acting_user=officer, today=ANSWERED_ON
    )
    assert (result.accepted, result.rejected, result.pending, result.duplicate) == (PLACES - 2, 2, 0, False)
    event = AuditEvent.objects.get(action="batch.response")
    assert (event.actor, event.note, event.after["source"]) == (officer, "api-x", "api-x")
    assert AuditEvent.objects.filter(action="member.exit").count() == 2
    state = _snapshot_state()
    # The same answer as an answer file (UTF-8, ",", LF) is recognised as the same answer.
    again = response_import(batch=batch, path=write_response(tmp_path, rows), today=ANSWERED_ON)
    assert again.duplicate and again.sha256 == result.sha256
    assert _snapshot_state() == state


def test_later_file_answers_pending_lines_only(batch: Any, tmp_path: Path) -> None:
    rows = answers(batch, reject=1)
    first = response_import(batch=batch, path=write_response(tmp_path, rows[:60]), today=ANSWERED_ON)
    assert (first.accepted, first.rejected, first.pending, first.batch_state) == (
        59,
        1,
        PLACES - 60,
        "exported",
    )
    assert first.runs_enrolled == []
    # The second file repeats two answered rows identically and answers the rest.
    second = response_import(batch=batch, path=write_response(tmp_path, rows[58:]), today=ANSWERED_ON)
    assert (second.accepted, second.unchanged, second.pending, second.batch_state) == (
        PLACES - 60,
        2,
        0,
        "answered",
    )
    assert len(second.runs_enrolled) == 1
    # Answering an answered line differently is refused.
    changed = [dict(rows[0], STATUS="DITERIMA", KPJ="26999999999", TANGGAL_EFEKTIF="2026-01-06")]
    with pytest.raises(UserError) as e:
        response_import(batch=batch, path=write_response(tmp_path, changed), today=ANSWERED_ON)
    assert "sudah dijawab (ditolak: NIK tidak ditemukan di Dukcapil)" in e.value.details[0]


def test_every_problem_is_reported_and_nothing_applied(
    batch: Any, tmp_path: Path, data_dir: Path, officer: Any, head: Any
) -> None:
    # A second programme's batch, for "NIK of another batch".
    other = make_programme("RTRW-2026", budget=10 * 201_600, funding="APBN")
    run = make_run(other, make_snapshot(data_dir, people=10, offset=50_000))
    run_submit(run=run, acting_user=officer)
    run_approve(run=run, acting_user=head)
    other_batch = batch_export(programme=other, today=dt.date(2025, 12, 10))
    foreign = other_batch.lines.first().member.nik
    # A KPJ already held by an active member of the other programme.
    response_import(
        batch=other_batch,
        path=write_response(
            tmp_path,
            [{"NIK": foreign, "KPJ": "27000000001", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-02"}],
        ),
        today=ANSWERED_ON,
    )
    rows = answers(batch)
    niks = [r["NIK"] for r in rows]
    bad = [
        {
            "NIK": "3275999999999999",
            "KPJ": "26100000001",
            "STATUS": "DITERIMA",
            "TANGGAL_EFEKTIF": "2026-01-05",
        },
        {"NIK": foreign, "KPJ": "26100000002", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[0], "KPJ": "26100000003", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[0], "KPJ": "26100000004", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[1], "KPJ": "26100000003", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[2], "KPJ": "27000000001", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[3], "KPJ": "26100000005", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-02-01"},
        {"NIK": niks[4], "KPJ": "26100000006", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2025-11-01"},
        {"NIK": niks[5], "STATUS": "DITOLAK"},
        {"NIK": niks[6], "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[7], "KPJ": "26100000007", "STATUS": "DITERIMA"},
        {"NIK": niks[8], "KPJ": "26100000008", "STATUS": "MUNGKIN", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": "12345", "KPJ": "26100000009", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "2026-01-05"},
        {"NIK": niks[9], "KPJ": "26100000010", "STATUS": "DITERIMA", "TANGGAL_EFEKTIF": "31-02-2026"},
    ]
    path = write_response(tmp_path, bad + rows[10:], delimiter="|", name="jawaban.txt")
    state = _snapshot_state()
    with pytest.raises(UserError) as e:
        response_import(batch=batch, path=path, today=ANSWERED_ON)
    details = e.value.details
    expected = [
        "jawaban.txt: baris 2, kolom NIK: NIK 3275999999999999 tidak dikenal (tidak ada di batch SIGAP-2026/B001)",
        f"jawaban.txt: baris 3, kolom NIK: NIK {foreign} ada di batch RTRW-2026/B001, bukan di batch SIGAP-2026/B001",
        f"jawaban.txt: baris 5, kolom NIK: sama dengan baris 4 (NIK {niks[0]})",
        "jawaban.txt: baris 6, kolom KPJ: KPJ 26100000003 juga ada di baris 4",
        f"jawaban.txt: baris 7, kolom KPJ: KPJ 27000000001 sudah milik peserta lain (NIK {foreign})",
        "jawaban.txt: baris 8, kolom TANGGAL_EFEKTIF: 2026-02-01 masih di masa depan (hari ini 2026-01-20)",
        "jawaban.txt: baris 9, kolom TANGGAL_EFEKTIF: 2025-11-01 sebelum batch SIGAP-2026/B001 diekspor "
        "(2025-12-10, toleransi 7 hari)",
        "jawaban.txt: baris 10, kolom ALASAN: pendaftaran yang ditolak perlu alasan",
        "jawaban.txt: baris 11, kolom KPJ: pendaftaran yang diterima perlu nomor KPJ",
        "jawaban.txt: baris 12, kolom TANGGAL_EFEKTIF: pendaftaran yang diterima perlu tanggal efektif",
        "jawaban.txt: baris 13, kolom STATUS: 'MUNGKIN' bukan DITERIMA/ACCEPTED atau DITOLAK/REJECTED",
        "jawaban.txt: baris 14, kolom NIK: '12345' bukan NIK 16 digit",
        "jawaban.txt: baris 15, kolom TANGGAL_EFEKTIF: '31-02-2026' bukan tanggal (TTTT-BB-HH)",
    ]
    assert details == expected
    assert "13 masalah ditemukan; tidak ada yang diterapkan" in e.value.message
    assert _snapshot_state() == state


def test_missing_columns_and_empty_file(batch: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("NOMOR,KETERANGAN\n1,x\n")
    with pytest.raises(UserError, match="kolom NIK, STATUS tidak ada"):
        response_import(batch=batch, path=path, today=ANSWERED_ON)
    path.write_text("NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n")
    with pytest.raises(UserError, match="tidak ada baris data"):
        response_import(batch=batch, path=path, today=ANSWERED_ON)
    with pytest.raises(UserError, match="tidak dapat dibaca"):
        response_import(batch=batch, path=tmp_path / "absent.csv", today=ANSWERED_ON)


def test_xlsx_response(batch: Any, tmp_path: Path) -> None:
    rows = answers(batch, reject=3)
    path = tmp_path / "jawaban.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["NIK", "No KPJ", "Status", "Keterangan", "Tgl Efektif"])
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for i, row in enumerate(rows, start=1):
        sheet.write_number(i, 0, int(row["NIK"]))  # NIK typed as a number by the sender
        sheet.write_string(i, 1, row.get("KPJ", ""))
        sheet.write_string(i, 2, row["STATUS"].lower())
        sheet.write_string(i, 3, row.get("ALASAN", ""))
        if row.get("TANGGAL_EFEKTIF"):
            sheet.write_datetime(i, 4, dt.datetime(2026, 1, 9), date_format)
    workbook.close()
    result = response_import(batch=batch, path=path, today=ANSWERED_ON)
    assert (result.accepted, result.rejected, result.batch_state) == (PLACES - 3, 3, "answered")
    assert set(CoveragePeriod.objects.values_list("start_month", flat=True)) == {dt.date(2026, 1, 1)}
