"""The billing commands as an officer scripts them: issue, list, pay, reverse, reconcile, realisation, lapse."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from sigap.audit.models import AuditEvent
from sigap.billing.models import Invoice, Payment
from sigap.cli import _register, cli
from sigap.enrolment.models import Member

from .factories import make_members, make_programme, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def runner() -> CliRunner:
    _register()
    return CliRunner()


def run(runner: CliRunner, *args: str, code: int = 0) -> Any:
    result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.output)


def test_a_quarter_scripted_through_the_cli(runner: CliRunner) -> None:
    programme = make_programme()
    make_run(programme, selected=10)
    make_members(programme, 10)
    get_user_model().objects.create_user("bendahara", password="x" * 12)

    jan = run(
        runner, "invoice", "issue", "--programme", "SIGAP-2026", "--month", "2026-01", "--as", "bendahara"
    )
    assert jan == {
        "number": "SIGAP-2026/INV/2026-01",
        "programme": "SIGAP-2026",
        "month": "2026-01",
        "supplement": 0,
        "state": "issued",
        "members": 10,
        "total": 168_000,
        "paid": 0,
        "outstanding": 168_000,
        "due_date": "2026-01-15",
    }
    nobody = run(runner, "invoice", "supplement", "--programme", "SIGAP-2026", "--month", "2026-01", code=2)
    assert "tagihan tambahan tidak diperlukan" in nobody["error"]
    assert AuditEvent.objects.get(action="invoice.issue").actor_label == "bendahara"
    again = run(runner, "invoice", "issue", "--programme", "SIGAP-2026", "--month", "2026-01", code=2)
    assert "sudah diterbitkan sebagai SIGAP-2026/INV/2026-01" in again["error"]

    paid = run(
        runner, "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "900/SP2D/2026",
        "--date", "2026-01-12", "--amount", "Rp168.000", "--invoice", "SIGAP-2026/INV/2026-01", "--exact",
    )  # fmt: skip
    assert paid["allocations"] == {"SIGAP-2026/INV/2026-01": 168_000}
    dup = run(
        runner, "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "900/SP2D/2026",
        "--date", "2026-01-12", "--amount", "168000", code=2,
    )  # fmt: skip
    assert f"pembayaran #{paid['id']}" in dup["error"]

    adv = run(
        runner, "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "901/SP2D/2026",
        "--date", "2026-01-30", "--amount", "504000", "--months", "3",
    )  # fmt: skip
    assert list(adv["allocations"]) == [f"SIGAP-2026/INV/2026-0{m}" for m in (2, 3, 4)]
    rev = run(
        runner, "payment", "reverse", "901/SP2D/2026", "--reason", "salah nominal", "--date", "2026-02-01"
    )
    assert rev["amount"] == -504_000 and rev["kind"] == "reversal"

    listed = run(runner, "invoice", "list", "--programme", "SIGAP-2026")["invoices"]
    assert [(i["month"], i["state"], i["outstanding"]) for i in listed] == [
        ("2026-01", "paid", 0),
        ("2026-02", "issued", 168_000),
        ("2026-03", "issued", 168_000),
        ("2026-04", "issued", 168_000),
    ]
    rec = run(runner, "invoice", "reconcile", "SIGAP-2026/INV/2026-01", "--as", "bendahara")
    assert rec["state"] == "reconciled"
    refused = run(
        runner, "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "902", "--date", "2026-02-01",
        "--amount", "1", "--invoice", "SIGAP-2026/INV/2026-01", code=2,
    )  # fmt: skip
    assert "sudah direkonsiliasi" in refused["error"]

    r = run(runner, "realisation", "--programme", "SIGAP-2026", "--on", "2026-02-01", "--target", "12")
    assert r["allocated"] == 2_000_000_000
    assert r["invoiced"] == 4 * 168_000 and r["paid"] == 168_000 and r["outstanding"] == 3 * 168_000
    assert r["committed"] == 8 * 168_000
    assert r["allocated"] == r["paid"] + r["outstanding"] + r["committed"] + r["remaining"]
    assert r["cost_to_target"] == 2 * 10 * 16_800 and r["fill_from"] == "2026-03" and r["runs_out"] is None

    lapse = run(runner, "lapse", "check", "--programme", "SIGAP-2026", "--on", "2026-05-16")
    assert lapse["checked"] == 10 and len(lapse["lapsed"]) == 10  # Feb..May unpaid
    assert set(Member.objects.values_list("state", flat=True)) == {Member.EXITED}
    assert Invoice.objects.count() == 4 and Payment.objects.count() == 3


def test_bad_input_gets_clear_messages(runner: CliRunner) -> None:
    make_members(make_programme(), 2)
    assert (
        "programme 'NOPE' does not exist"
        in run(runner, "invoice", "issue", "--programme", "NOPE", "--month", "2026-01", code=2)["error"]
    )
    assert (
        "--month"
        in run(runner, "invoice", "issue", "--programme", "SIGAP-2026", "--month", "Jan", code=2)["error"]
    )
    assert (
        "user 'ghost' does not exist"
        in run(
            runner,
            "invoice",
            "issue",
            "--programme",
            "SIGAP-2026",
            "--month",
            "2026-01",
            "--as",
            "ghost",
            code=2,
        )["error"]
    )
    bad_amount = run(
        runner, "payment", "record", "--programme", "SIGAP-2026", "--sp2d", "1", "--date", "2026-01-01",
        "--amount", "12,5", code=2,
    )  # fmt: skip
    assert "--amount" in bad_amount["error"]
    assert "no payment" in run(runner, "payment", "reverse", "404", "--reason", "x", code=2)["error"]


def test_human_output_shows_rupiah(runner: CliRunner) -> None:
    make_members(make_programme(), 10)
    result = runner.invoke(cli, ["invoice", "issue", "--programme", "SIGAP-2026", "--month", "2026-01"])
    assert result.exit_code == 0
    result = runner.invoke(cli, ["realisation", "--programme", "SIGAP-2026", "--on", "2026-01-20"])
    assert result.exit_code == 0
