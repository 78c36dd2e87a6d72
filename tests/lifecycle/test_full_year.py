"""THE full year: a 10,000-member Kota Bekasi programme from targeting to renewal, every rupiah checked.

Scripted with explicit dates through the actions and the CLI:

2025-11  registry (synthetic DTSEN, Kota Bekasi) and BPJS TK roster imported; SIGAP-2026 defined
         (Rp2,016,000,000 = 10,000 x Rp201,600, coverage 2026-01..12); targeting selects 10,000 with a
         waiting list; the officer submits, the head approves (maker-checker); decree annex.
2025-12  enrolment batch exported.
2026-01  BPJS TK accepts 9,950 and rejects 50 (replaced in July).
monthly  invoice issued, paid by SP2D by the 15th; February paid late on 20 March (inside the arrears
         window: nobody lapses).
lapse    one member's data is contested during verification (suspected formal job): the Dinas
         withholds that member's premium from March (the March..June lines are reversed before each
         invoice is paid, so the city never pays those months).  Four consecutive unpaid months: on
         17 June the lapse check ends the membership (exit ``lapsed`` on 16 June, the day after June's
         due date) -- the rule of Perdir 22/2022 applied to a real ledger, not a simulated flag.
2026-04  a death reported by hand (``sigap member exit --reason died``).
2026-05  a new registry snapshot (20 members meninggal) and roster (5 members AKTIF PU):
         ``sigap exits detect`` (dry run, then recorded); members past the age limit exit too.
2026-06  ``sigap replacement run`` from July within what is left; approved, annex, batch, accepted.
         The lapsed member (the verification found no formal job) is selected again: its membership
         lapsed, so it may be (ADR 0015); it keeps its member row and gets a new period from July.
2026-11  ``sigap programme renew`` for 2027; approved: continuing members carried over with their KPJ,
         the others exit on 31 December; newcomers exported for January 2027.
2026-12  ``sigap programme close`` on 31 December: nothing lapsed, nobody left to end (all carried).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from click.testing import CliRunner
from django.db.models import Count, Sum

from factories import make_user
from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue, invoice_line_reverse, lapse_check, payment_record
from sigap.billing.models import Invoice, InvoiceLine, PaymentAllocation
from sigap.billing.selectors import member_months, realisation
from sigap.cli import _register, cli
from sigap.core.money import Month
from sigap.enrolment.actions import annex_write, batch_export, response_import, run_approve, run_submit
from sigap.enrolment.models import CoveragePeriod, EnrolmentBatch, Member, MemberExit
from sigap.errors import UserError
from sigap.programmes.actions import programme_apply, targeting_run
from sigap.programmes.models import Programme, TargetingRun
from sigap.registry.actions import snapshot_import
from sigap.synth import generate_registry, generate_roster, write_table

from .conftest import answer_all, write_response

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PREMIUM = 16_800
BUDGET = 10_000 * 201_600
# A poorer-than-average city sample so that 60,000 residents give 10,000 places and a waiting list.
DESIL_WEIGHTS = [0.14, 0.14, 0.14, 0.13, 0.12, 0.10, 0.08, 0.07, 0.05, 0.03]


def sigap(*args: str) -> dict[str, Any]:
    out = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.output.strip().splitlines()[-1])


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def committed_after_invoices(programme: Programme) -> int:
    """Independent of core.realisation: covered member-months of the year with no invoice yet."""
    invoiced = {
        Month.of(d) for d in Invoice.objects.filter(programme=programme).values_list("month", flat=True)
    }
    periods = CoveragePeriod.objects.filter(
        member__programme=programme, member__state__in=["active", "exited"]
    ).values_list("start_month", "end_month")
    total = 0
    for start, end in periods:
        first, last = Month.of(start), Month.of(end) if end else Month(programme.fiscal_year, 12)
        for month in first.through(min(last, Month(programme.fiscal_year, 12))):
            if month not in invoiced:
                total += PREMIUM
    return total


def check_books(programme: Programme, on: dt.date) -> Any:
    """allocated == paid + outstanding + committed + remaining, each figure recomputed from the rows."""
    programme.refresh_from_db()
    r = realisation(programme=programme, on=on)
    invoices = Invoice.objects.filter(programme=programme)
    lines = int(InvoiceLine.objects.filter(invoice__programme=programme).aggregate(s=Sum("amount"))["s"] or 0)
    totals = int(invoices.aggregate(s=Sum("total"))["s"] or 0)
    paid = int(
        PaymentAllocation.objects.filter(invoice__programme=programme, payment__sp2d_date__lte=on).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    assert lines == totals == r.invoiced
    assert paid == r.paid and r.outstanding == totals - paid
    assert r.committed == committed_after_invoices(programme)
    assert r.remaining == BUDGET - r.invoiced - r.committed
    assert r.allocated == BUDGET == r.paid + r.outstanding + r.committed + r.remaining
    assert r.adds_up()
    for (
        inv
    ) in invoices:  # each invoice: total == its lines; premium lines == line_count x premium - reversals
        s = int(inv.lines.aggregate(s=Sum("amount"))["s"] or 0)
        assert s == inv.total
    return r


def check_members(programme: Programme) -> dict[str, int]:
    counts = dict(
        Member.objects.filter(programme=programme).values_list("state").annotate(n=Count("id")).order_by()
    )
    total = Member.objects.filter(programme=programme).count()
    assert sum(counts.values()) == total
    assert MemberExit.objects.filter(member__programme=programme).count() == counts.get(
        "exited", 0
    ) + counts.get("rejected", 0)
    assert Member.objects.filter(programme=programme).values("nik").distinct().count() == total
    return counts


def check_one_programme_at_a_time() -> None:
    """No person is a member twice: coverage periods of one NIK never overlap, across programmes."""
    by_nik: dict[str, list[tuple[Month, Month]]] = defaultdict(list)
    for nik, start, end, year in CoveragePeriod.objects.values_list(
        "member__nik", "start_month", "end_month", "member__programme__fiscal_year"
    ):
        by_nik[nik].append((Month.of(start), Month.of(end) if end else Month(year, 12)))
    for nik, periods in by_nik.items():
        periods.sort()
        for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
            assert end < start, f"{nik} covered twice: {periods}"
    open_ = Member.objects.filter(state__in=["approved", "sent", "active"], programme__fiscal_year=2026)
    assert open_.values("nik").distinct().count() == open_.count()


def pay(programme: Programme, month: int, day: dt.date, officer: Any) -> Any:
    invoice = Invoice.objects.get(programme=programme, month=dt.date(2026, month, 1))
    return payment_record(
        programme=programme,
        sp2d_number=f"SP2D/{month:02d}/2026",
        sp2d_date=day,
        amount=invoice.total,
        invoices=[invoice.number],
        exact=True,
        acting_user=officer,
    )


def test_one_full_fiscal_year(data_dir: Path, tmp_path: Path) -> None:
    _register()
    officer = make_user("petugas", role="dinas_officer")
    head = make_user("kadis", role="dinas_admin")

    # ---------------------------------------------------------------- 2025-11: data, programme, targeting
    registry = generate_registry(region="3275", people=60_000, seed=11, desil_weights=DESIL_WEIGHTS)
    write_table(registry, tmp_path / "dtsen-2025-11.csv")
    write_table(generate_roster(registry, seed=11), tmp_path / "bpjstk-2025-11.csv")
    snapshot_import(
        path=tmp_path / "dtsen-2025-11.csv", reference_date=dt.date(2025, 11, 1), acting_user=officer
    )
    snapshot_import(
        path=tmp_path / "bpjstk-2025-11.csv",
        kind="roster",
        reference_date=dt.date(2025, 11, 1),
        acting_user=officer,
    )
    document = {
        "programme": {
            "code": "SIGAP-2026",
            "name": "SIGAP Kota Bekasi 2026",
            "region": "3275",
            "fiscal_year": 2026,
            "budget": BUDGET,
            "coverage_start": "2026-01",
        }
    }
    programme, _, _ = programme_apply(document=document, source_name="sigap-2026.toml", acting_user=officer)
    run = targeting_run(programme=programme, acting_user=officer, export=False)
    assert (run.selected, run.cost_per_person, run.cost, run.remaining) == (10_000, 201_600, BUDGET, 0)
    assert run.waiting > 1_000

    run_submit(run=run, acting_user=officer)
    with pytest.raises(UserError, match="maker-checker"):
        run_approve(run=run, acting_user=officer)
    assert run_approve(run=run, acting_user=head).members == 10_000
    assert check_members(programme) == {"approved": 10_000}

    # ---------------------------------------------------------------- 2025-12 / 2026-01: enrolment
    batch = batch_export(programme=programme, acting_user=officer, today=dt.date(2025, 12, 10))
    assert batch.member_count == 10_000
    answer = write_response(
        tmp_path,
        answer_all(batch, reject=50, effective="2026-01-02", kpj_base=26_000_000_001),
        "jawaban-B001.csv",
    )
    result = response_import(batch=batch, path=answer, acting_user=officer, today=dt.date(2026, 1, 8))
    assert (result.accepted, result.rejected, result.pending) == (9_950, 50, 0)
    assert check_members(programme) == {"active": 9_950, "rejected": 50}
    r = check_books(programme, dt.date(2026, 1, 8))
    assert r.committed == 9_950 * 12 * PREMIUM and r.remaining == 50 * 201_600

    # ---------------------------------------------------------------- January..February, February paid late
    active = list(Member.objects.filter(programme=programme, state="active").order_by("nik"))
    young = [m for m in active if age_on(m.tanggal_lahir, dt.date(2026, 12, 31)) < 55]
    withheld = young[0]  # the lapse
    by_hand = young[1]  # death reported by hand
    dead = [m.nik for m in young[2:22]]  # meninggal in the May snapshot
    formal = [m.nik for m in young[22:27]]  # AKTIF PU in the May roster
    invoice_issue(programme=programme, month=Month(2026, 1), acting_user=officer)
    pay(programme, 1, dt.date(2026, 1, 12), officer)
    invoice_issue(programme=programme, month=Month(2026, 2), acting_user=officer)
    assert lapse_check(programme=programme, on=dt.date(2026, 3, 1), acting_user=officer).lapsed == []
    ledger = member_months(member=withheld, on=dt.date(2026, 3, 1))
    assert ledger.consecutive_unpaid == 1 and ledger.arrears_payable_until == dt.date(2026, 4, 30)
    assert ledger.months[1].status == "arrears"  # February: due 16 Feb, unpaid on 1 March
    r = check_books(programme, dt.date(2026, 3, 1))
    assert r.outstanding == 9_950 * PREMIUM  # February not paid yet

    # ---------------------------------------------------------------- March..June: withheld premium, late SP2D
    def month_with_withheld(month: int, paid_on: dt.date) -> None:
        invoice = invoice_issue(programme=programme, month=Month(2026, month), acting_user=officer)
        line = InvoiceLine.objects.get(invoice=invoice, member=withheld, kind="premium")
        invoice_line_reverse(
            line=line,
            reason="iuran ditahan: data peserta sedang diverifikasi (dugaan pekerja formal)",
            acting_user=officer,
        )
        pay(programme, month, paid_on, officer)

    month_with_withheld(3, dt.date(2026, 3, 12))
    pay(programme, 2, dt.date(2026, 3, 20), officer)  # late, inside the arrears window
    assert member_months(member=withheld, on=dt.date(2026, 3, 31)).months[1].status == "paid"  # Feb
    out = sigap(
        "member",
        "exit",
        by_hand.nik,
        "--programme",
        "SIGAP-2026",
        "--reason",
        "died",
        "--date",
        "2026-04-03",
        "--note",
        "surat kematian kelurahan",
        "--as",
        "petugas",
    )
    assert (out["state"], out["source"]) == ("exited", "death_report")
    month_with_withheld(4, dt.date(2026, 4, 10))
    month_with_withheld(5, dt.date(2026, 5, 11))

    # ---------------------------------------------------------------- 2026-05-20: new snapshot and roster
    status = pc.if_else(
        pc.is_in(registry["nomor_nik"], pa.array(dead)), "MENINGGAL", registry["status_hidup"]
    )
    may = registry.set_column(registry.column_names.index("status_hidup"), "status_hidup", status)
    write_table(may, tmp_path / "dtsen-2026-05.csv")
    roster = generate_roster(registry, seed=11)
    extra = pa.table(
        {
            "nik": formal,
            "kpj": [f"9{i:010d}" for i in range(len(formal))],
            "nama": ["X"] * len(formal),
            "tanggal_lahir": ["1990-01-01"] * len(formal),
            "segmen": ["PU"] * len(formal),
            "status": ["AKTIF"] * len(formal),
        }
    )
    write_table(pa.concat_tables([roster, extra.cast(roster.schema)]), tmp_path / "bpjstk-2026-05.csv")
    snapshot_import(
        path=tmp_path / "dtsen-2026-05.csv", reference_date=dt.date(2026, 5, 1), acting_user=officer
    )
    snapshot_import(
        path=tmp_path / "bpjstk-2026-05.csv",
        kind="roster",
        reference_date=dt.date(2026, 5, 1),
        acting_user=officer,
    )
    on = dt.date(2026, 5, 20)
    still = Member.objects.filter(programme=programme, state="active").exclude(nik__in=dead + formal)
    aged = {m.nik for m in still if age_on(m.tanggal_lahir, on) > 60}
    preview = sigap("exits", "detect", "--programme", "SIGAP-2026", "--on", "2026-05-20", "--dry-run")
    expected = {"died": 20, "moved": 0, "aged_out": len(aged), "formal_job": 5, "missing": 0}
    assert preview["counts"] == expected and preview["recorded"] == 0
    assert MemberExit.objects.filter(source__in=["snapshot", "roster"]).count() == 0
    report = sigap("exits", "detect", "--programme", "SIGAP-2026", "--on", "2026-05-20", "--as", "petugas")
    assert report["counts"] == expected and report["recorded"] == 25 + len(aged)
    assert {f["nik"] for f in report["findings"] if f["reason"] == "aged_out"} == aged
    assert set(
        MemberExit.objects.filter(reason="died", source="snapshot").values_list("member__nik", flat=True)
    ) == set(dead)

    # ---------------------------------------------------------------- June: lapse
    month_with_withheld(6, dt.date(2026, 6, 10))
    lapsed = lapse_check(programme=programme, on=dt.date(2026, 6, 17), acting_user=officer)
    assert [x["nik"] for x in lapsed.lapsed] == [withheld.nik]
    assert lapsed.lapsed[0]["lapsed_on"] == "2026-06-16" and lapsed.lapsed[0]["last_paid"] == "2026-02"
    exits_so_far = 1 + 20 + 5 + len(aged) + 1
    assert check_members(programme) == {
        "active": 9_950 - exits_so_far,
        "rejected": 50,
        "exited": exits_so_far,
    }
    r = check_books(programme, dt.date(2026, 6, 17))
    assert r.outstanding == 0 and r.invoiced == r.paid

    # ---------------------------------------------------------------- 2026-06-20: replacement from July
    available = BUDGET - r.invoiced - r.committed
    repl = sigap(
        "replacement",
        "run",
        "--programme",
        "SIGAP-2026",
        "--start",
        "2026-07",
        "--on",
        "2026-06-20",
        "--no-export",
        "--as",
        "petugas",
    )
    assert (repl["kind"], repl["cost_per_person"], repl["budget"]) == ("replacement", 6 * PREMIUM, available)
    assert repl["selected"] == available // (6 * PREMIUM) > 50
    replacement = TargetingRun.objects.get(pk=repl["run"])
    assert replacement.parent_id == run.pk
    run_submit(run=replacement, acting_user=officer)
    approved = run_approve(run=replacement, acting_user=head)
    assert approved.members == repl["selected"] and approved.skipped == []
    assert approved.readmitted == [withheld.nik]  # selected again after the lapse, same member row
    annex = annex_write(run=replacement, acting_user=officer)
    assert annex["pdf"].is_file() and annex["xlsx"].is_file()
    batch2 = batch_export(
        programme=programme, acting_user=officer, coverage_start=Month(2026, 7), today=dt.date(2026, 6, 22)
    )
    answer = write_response(
        tmp_path, answer_all(batch2, effective="2026-07-01", kpj_base=26_100_000_001), "jawaban-B002.csv"
    )
    assert (
        response_import(batch=batch2, path=answer, acting_user=officer, today=dt.date(2026, 7, 6)).accepted
        == repl["selected"]
    )
    r = check_books(programme, dt.date(2026, 7, 6))
    assert (
        0 <= r.remaining < 6 * PREMIUM + (20 + 5 + len(aged)) * PREMIUM
    )  # what cannot buy a July replacement

    # ---------------------------------------------------------------- July..November
    for month in range(7, 12):
        invoice_issue(programme=programme, month=Month(2026, month), acting_user=officer)
        pay(programme, month, dt.date(2026, month, 10), officer)
    july = Invoice.objects.get(programme=programme, month=dt.date(2026, 7, 1))
    assert july.line_count == 9_950 - exits_so_far + repl["selected"]
    check_one_programme_at_a_time()

    # ---------------------------------------------------------------- 2026-11: renewal for 2027
    before = set(Member.objects.filter(programme=programme, state="active").values_list("nik", flat=True))
    turning = {
        m.nik
        for m in Member.objects.filter(nik__in=before, programme=programme)
        if age_on(m.tanggal_lahir, dt.date(2027, 1, 1)) > 60
    }
    renew = sigap(
        "programme",
        "renew",
        "--programme",
        "SIGAP-2026",
        "--fiscal-year",
        "2027",
        "--budget",
        str(BUDGET),
        "--no-export",
        "--as",
        "petugas",
    )
    assert (renew["new_programme"], renew["kind"], renew["cost_per_person"]) == (
        "SIGAP-2027",
        "renewal",
        201_600,
    )
    renewal = TargetingRun.objects.get(pk=renew["run"])
    run_submit(run=renewal, acting_user=officer)
    run_approve(run=renewal, acting_user=head)
    new = Programme.objects.get(code="SIGAP-2027")
    kept = before - turning
    carried = Member.objects.filter(programme=new, state="active")
    assert set(carried.values_list("nik", flat=True)) == kept
    old_kpj = dict(Member.objects.filter(programme=programme).values_list("nik", "kpj"))
    assert all(m.kpj == old_kpj[m.nik] for m in carried)
    assert Member.objects.filter(programme=new, state="approved").count() == 10_000 - len(kept)
    renewal_exits = MemberExit.objects.filter(member__programme=programme, date=dt.date(2026, 12, 31))
    assert set(renewal_exits.values_list("member__nik", flat=True)) == turning
    assert set(renewal_exits.values_list("reason", flat=True)) <= {"aged_out"}
    newcomers = batch_export(
        programme=new, acting_user=officer, coverage_start=Month(2027, 1), today=dt.date(2026, 12, 10)
    )
    assert newcomers.member_count == 10_000 - len(kept)

    # ---------------------------------------------------------------- December and the year-end books
    december = invoice_issue(programme=programme, month=Month(2026, 12), acting_user=officer)
    assert december.line_count == july.line_count  # members exiting on 31 December are covered in December
    pay(programme, 12, dt.date(2026, 12, 10), officer)
    r = check_books(programme, dt.date(2026, 12, 31))
    assert r.committed == 0 and r.outstanding == 0
    invoices = Invoice.objects.filter(programme=programme)
    assert invoices.count() == 12 and set(invoices.values_list("state", flat=True)) == {"paid"}
    lines = int(InvoiceLine.objects.filter(invoice__programme=programme).aggregate(s=Sum("amount"))["s"])
    allocations = int(
        PaymentAllocation.objects.filter(invoice__programme=programme).aggregate(s=Sum("amount"))["s"]
    )
    assert lines == int(invoices.aggregate(s=Sum("total"))["s"]) == allocations == r.paid
    assert r.paid + r.remaining == BUDGET
    counts = check_members(programme)
    total = 10_000 + repl["selected"] - 1  # the member selected again kept its row
    assert counts == {
        "active": total - 50 - (exits_so_far - 1) - len(turning),
        "rejected": 50,
        "exited": exits_so_far - 1 + len(turning),
    }
    withheld.refresh_from_db()
    assert list(withheld.periods.order_by("start_month").values_list("start_month", "end_month")) == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 1)),  # lapsed in June: the gap is this month
        (dt.date(2026, 7, 1), dt.date(2026, 12, 1)),  # selected again from July, renewed for 2027
    ]
    assert set(
        CoveragePeriod.objects.filter(member__programme=programme).values_list("end_month", flat=True)
    ) <= {dt.date(2026, m, 1) for m in range(1, 13)}  # every 2026 period closed inside the year
    check_one_programme_at_a_time()
    check_members(new)
    # 31 December: the year is over; everyone still active was carried into SIGAP-2027 (ADR 0015).
    closed = sigap("programme", "close", "--programme", "SIGAP-2026", "--on", "2026-12-31", "--as", "petugas")
    assert (closed["lapsed"], closed["ended"], closed["carried"]) == (0, 0, len(kept))
    assert check_members(programme) == counts

    # ---------------------------------------------------------------- the audit log
    events = dict(AuditEvent.objects.values_list("action").annotate(n=Count("id")).order_by())
    assert events["run.submit"] == 3 and events["run.approve"] == 3
    assert events["batch.export"] == EnrolmentBatch.objects.count() == 3
    assert events["batch.response"] == 2 and events["annex.export"] == 1
    assert events["invoice.issue"] == 12 and events["payment.record"] == 12
    assert events["invoice.line_reverse"] == 4
    assert events["member.exit"] == 50 + exits_so_far + len(turning)
    assert MemberExit.objects.count() == events["member.exit"] - events["member.reselect"]
    assert events["member.reselect"] == 1
    assert events["exits.detect"] == 1 and events["billing.lapse_check"] == 3  # the last one by the close
    assert events["programme.close"] == 1
    assert (
        events["replacement.run"] == 1
        and events["programme.renew"] == 1
        and events["renewal.carry_over"] == 1
    )
    assert events["snapshot.import"] == 4 and events["programme.apply"] == 2
    print(
        f"\nfull year: members {total:,} (10,000 + {repl['selected']} replacements, one selected again), invoiced {r.invoiced:,}, "
        f"paid {r.paid:,}, remaining {r.remaining:,}; exits {exits_so_far + len(turning)} "
        f"(aged {len(aged)} in May, {len(turning)} at renewal); kept for 2027 {len(kept):,}"
    )
