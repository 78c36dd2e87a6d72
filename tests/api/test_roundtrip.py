"""The same month through the API and through the command line and files gives the same database:
batch out, BPJS TK's answer in (two rejections), January invoiced, the SP2D paid."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import transaction

from sigap.billing.actions import invoice_issue
from sigap.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from sigap.core.money import Month
from sigap.enrolment.actions import batch_export
from sigap.enrolment.models import (
    BpjsResponse,
    CoveragePeriod,
    EnrolmentBatch,
    EnrolmentLine,
    Member,
    MemberExit,
)
from sigap.programmes.models import TargetingRun

from .conftest import ANSWERED_ON, EXPORTED_ON

pytestmark = pytest.mark.django_db(transaction=True)
PAID_ON = dt.date(2026, 1, 14)
REJECT = 2


def _answers(niks: list[str]) -> list[dict[str, str]]:
    rows = []
    for i, nik in enumerate(niks):
        if i < REJECT:
            rows.append({"nik": nik, "status": "DITOLAK", "reason": "NIK tidak ditemukan di Dukcapil"})
        else:
            rows.append(
                {
                    "nik": nik,
                    "status": "DITERIMA",
                    "kpj": f"{26_000_000_001 + i}",
                    "effective_date": "2026-01-05",
                }
            )
    return rows


def state() -> dict[str, Any]:
    """Everything the month changed, without database ids."""
    return {
        "members": sorted(Member.objects.values_list("nik", "state", "kpj", "rank")),
        "periods": sorted(
            CoveragePeriod.objects.values_list("member__nik", "start_month", "end_month", "end_reason")
        ),
        "exits": sorted(MemberExit.objects.values_list("member__nik", "date", "reason", "source")),
        "batches": sorted(
            EnrolmentBatch.objects.values_list(
                "number", "state", "member_count", "coverage_start", "sha256", "exported_on"
            )
        ),
        "lines": sorted(
            EnrolmentLine.objects.values_list("member__nik", "status", "kpj", "effective_date", "reason")
        ),
        "runs": sorted(TargetingRun.objects.values_list("programme__code", "state", "list_sha256")),
        "invoices": sorted(
            Invoice.objects.values_list("number", "month", "state", "total", "line_count", "due_date")
        ),
        "invoice_lines": sorted(
            InvoiceLine.objects.values_list("invoice__number", "member__nik", "month", "amount", "kind")
        ),
        "payments": sorted(
            Payment.objects.values_list("sp2d_number", "kind", "sp2d_date", "amount", "reason")
        ),
        "allocations": sorted(
            PaymentAllocation.objects.values_list("payment__sp2d_number", "invoice__number", "amount")
        ),
        "responses": sorted(BpjsResponse.objects.values_list("batch__number", "accepted", "rejected")),
    }


def audit(*, source: str) -> list[tuple[Any, ...]]:
    """The audit rows the month wrote from the batch export on, without who (an API client, the command
    line), the answer's source name, digest, timing and row id, and the calls' own rows (api.*, batch.pull)."""
    from sigap.audit.models import AuditEvent

    events = AuditEvent.objects.order_by("id")
    first = events.filter(action="batch.export").values_list("id", flat=True).get()
    rows = []
    for action, kind, before, after, note in events.filter(id__gte=first).values_list(
        "action", "object_type", "before", "after", "note"
    ):
        if action.startswith("api.") or action == "batch.pull":
            continue
        if action == "batch.response":
            assert after["source"] == source
            after = {
                k: v for k, v in after.items() if k not in ("source", "sha256", "duration_ms", "response")
            }
        rows.append((action, kind, before, after, note.replace(source, "<answer>")))
    return rows


def test_the_api_and_the_files_leave_the_same_database(
    world: Any, api_client: Any, clock: Any, tmp_path: Path
) -> None:
    programme = world.bekasi
    bpjs, finance = api_client(["bpjs:write"], "3275"), api_client(["payments:write"], "3275")

    # ---- through the API, rolled back after its state is read
    with transaction.atomic():
        clock(EXPORTED_ON)
        batch = batch_export(programme=programme, coverage_start=Month(2026, 1), today=EXPORTED_ON)
        pulled: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = bpjs.get("/api/v1/batches/SIGAP-2026/B001/lines", offset=offset, limit=7).json()
            pulled += page["lines"]
            offset = page["next_offset"]
        with (world.data_dir / batch.files["csv"]).open(encoding="utf-8") as fh:
            file_rows = list(csv.DictReader(fh))
        assert [line["nik"] for line in pulled] == [
            row["NIK"] for row in file_rows
        ]  # the file's lines, in order
        for line, row in zip(pulled, file_rows, strict=True):
            assert (line["nama"], line["kode_kelurahan"], line["program"]) == (
                row["NAMA"],
                row["KODE_KELURAHAN"],
                row["PROGRAM"],
            )
            assert dt.date.fromisoformat(line["tanggal_lahir"]).strftime("%d-%m-%Y") == row["TANGGAL_LAHIR"]
            assert (
                dt.date.fromisoformat(line["mulai_kepesertaan"]).strftime("%d-%m-%Y")
                == row["MULAI_KEPESERTAAN"]
            )
            assert str(line["upah_dilaporkan"]) == row["UPAH_DILAPORKAN"]

        clock(ANSWERED_ON)
        bpjs.login(), finance.login()  # a new day, new tokens
        answered = bpjs.post(
            "/api/v1/batches/SIGAP-2026/B001/answers", {"answers": _answers([r["nik"] for r in pulled])}
        )
        assert answered.status_code == 200, answered.content
        assert (answered.json()["accepted"], answered.json()["rejected"]) == (len(pulled) - REJECT, REJECT)
        invoice = invoice_issue(programme=programme, month=Month(2026, 1))
        paid = finance.post(
            "/api/v1/payments",
            {
                "programme": "SIGAP-2026",
                "sp2d_number": "SP2D/001/2026",
                "sp2d_date": PAID_ON.isoformat(),
                "amount": invoice.total,
                "exact": True,
            },
        )
        assert paid.status_code == 201, paid.content
        through_api = state()
        api_audit = audit(source=BpjsResponse.objects.get().source_name)
        transaction.set_rollback(True)

    assert not EnrolmentBatch.objects.exists() and not Payment.objects.exists()

    # ---- through the command line and files
    from sigap.cli import _register, cli

    _register()
    runner = CliRunner()

    def call(*args: str) -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output.strip().splitlines()[-1]))

    clock(EXPORTED_ON)
    exported = call("batch", "export", "--programme", "SIGAP-2026", "--coverage-start", "2026-01")
    with Path(exported["files"]["csv"]).open(encoding="utf-8") as fh:
        niks = [row["NIK"] for row in csv.DictReader(fh)]
    clock(ANSWERED_ON)
    answer_file = tmp_path / "jawaban.csv"
    with answer_file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["NIK", "KPJ", "STATUS", "ALASAN", "TANGGAL_EFEKTIF"])
        for a in _answers(niks):
            writer.writerow(
                [a["nik"], a.get("kpj", ""), a["status"], a.get("reason", ""), a.get("effective_date", "")]
            )
    call("batch", "response", "SIGAP-2026/B001", str(answer_file))
    total = call("invoice", "issue", "--programme", "SIGAP-2026", "--month", "2026-01")["total"]
    call(
        "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "SP2D/001/2026",
        "--date", PAID_ON.isoformat(), "--amount", str(total), "--exact",
    )  # fmt: skip
    through_files = state()
    files_audit = audit(source=answer_file.name)

    assert through_api["members"] and through_api["payments"]
    assert {"active", "rejected"} <= {s for _, s, _, _ in through_api["members"]}
    for name in through_files:
        assert through_api[name] == through_files[name], name
    assert [a for a, *_ in api_audit] == [
        "batch.export", *["member.exit"] * REJECT, "run.enrolled", "batch.response",
        "invoice.issue", "payment.record", "invoice.state",
    ]  # fmt: skip
    assert api_audit == files_audit
