"""Invoice benchmark: ``invoice_issue`` for N covered members vs a raw ``INSERT ... SELECT`` of the same lines.

    .venv/bin/python bench/invoice.py --members 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench .venv/bin/python bench/invoice.py

Uses a fresh database (SQLite in a temporary SIGAP_DATA_DIR unless DATABASE_URL is set; on PostgreSQL the
billing/enrolment rows of the bench programme are deleted first).  Set-up (members and coverage periods)
is not timed.  Timed, each best of --repeat (rolled back between runs):

(a) action   -- ``sigap.billing.actions.invoice_issue`` (lock, checks, draft invoice, lines, totals,
               issued state, audit row), in one transaction;
(b) baseline -- one hand-written ``INSERT INTO billing_invoiceline ... SELECT`` joining members and
               coverage periods, nothing else.

Goal (issue 3): (a) <= 2 s for 100,000 members on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 2.0


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        os.environ["SIGAP_DATA_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-invoice-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from sigap.cli.common import setup_django

    setup_django()
    from django.db import connection, transaction

    from sigap.billing.actions import invoice_issue
    from sigap.billing.models import Invoice, InvoiceLine
    from sigap.core.money import Month
    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.models import TargetingRun
    from sigap.registry.models import Snapshot

    code = "BENCH-INV"
    n = args.members
    t0 = time.perf_counter()
    programme, _, _ = programme_apply(
        document={
            "programme": {
                "code": code,
                "name": "Bench",
                "region": "3275",
                "fiscal_year": 2026,
                "budget": 50_000_000_000,
                "coverage_start": "2026-01",
            }
        },
        source_name="bench.toml",
    )
    InvoiceLine.objects.filter(invoice__programme=programme).delete()
    Invoice.objects.filter(programme=programme).delete()
    CoveragePeriod.objects.filter(member__programme=programme).delete()
    Member.objects.filter(programme=programme).delete()
    snapshot, _ = Snapshot.objects.get_or_create(
        kind="registry",
        content_sha256="b" * 64,
        mapping_sha256="b" * 64,
        defaults={
            "source_name": "bench",
            "reference_date": dt.date(2026, 1, 1),
            "rows": n,
            "accepted": n,
            "rejected": 0,
            "data_path": "x",
        },
    )
    run = TargetingRun.objects.create(
        programme=programme, snapshot=snapshot, state="approved", spec=programme.spec, programme_version=1,
        code_version="bench", people=n, eligible=n, selected=n, waiting=0, ineligible=0,
        cost_per_person=201_600, cost=201_600 * n, budget=programme.budget, remaining=0,
        decisions_path="x", decisions_sha256="x",
    )  # fmt: skip
    batch = 20_000
    for lo in range(0, n, batch):
        members = Member.objects.bulk_create(
            [
                Member(
                    programme=programme, run=run, rank=i + 1, nik=f"3275{i:012d}", nama=f"P {i}",
                    tanggal_lahir=dt.date(1980, 1, 1), jenis_kelamin="L", kode_kelurahan="3275011001",
                    pekerjaan="PEDAGANG", desil=1, state="active", kpj=f"K{i}",
                )
                for i in range(lo, min(n, lo + batch))
            ],
            batch_size=5_000,
        )  # fmt: skip
        CoveragePeriod.objects.bulk_create(
            [CoveragePeriod(member=m, start_month=dt.date(2026, 1, 1)) for m in members], batch_size=5_000
        )
    print(f"set-up: {n:,} members with coverage periods in {time.perf_counter() - t0:.1f} s", flush=True)

    month = Month(2026, 1)
    action: list[float] = []
    for _ in range(args.repeat):
        try:
            with transaction.atomic():
                t = time.perf_counter()
                invoice = invoice_issue(programme=programme, month=month)
                action.append(time.perf_counter() - t)
                assert invoice.line_count == n and invoice.total == n * 16_800, invoice
                raise Rollback
        except Rollback:
            pass

    baseline: list[float] = []
    line, member, period = InvoiceLine._meta.db_table, Member._meta.db_table, CoveragePeriod._meta.db_table
    for _ in range(args.repeat):
        try:
            with transaction.atomic():
                inv = Invoice.objects.create(
                    programme=programme, month=month.first_day(), number="X", due_date=dt.date(2026, 1, 15)
                )
                t = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {line} (invoice_id, member_id, month, amount, kind, reverses_id, reason) "
                        f"SELECT %s, m.id, %s, 16800, 'premium', NULL, '' FROM {member} m "
                        f"JOIN {period} p ON p.member_id = m.id WHERE m.programme_id = %s",
                        [inv.pk, month.first_day(), programme.pk],
                    )
                    rows = cursor.rowcount
                baseline.append(time.perf_counter() - t)
                assert rows == n, rows
                raise Rollback
        except Rollback:
            pass

    vendor = connection.vendor
    a, b = min(action), min(baseline)
    print(f"database: {vendor}")
    print(
        f"(a) invoice_issue      {n:>9,} lines  {a:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in action)})"
    )
    print(
        f"(b) raw INSERT..SELECT {n:>9,} lines  {b:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in baseline)})"
    )
    print(
        f"ratio a/b: {a / b:.2f}; goal: (a) <= {GOAL_SECONDS:.1f} s -> {'met' if a <= GOAL_SECONDS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
