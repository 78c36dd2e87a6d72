"""Money pages benchmark: response times of the member, invoice and realisation pages at N members.

    .venv/bin/python bench/money_pages.py --members 10000

Fresh SQLite in a temporary SIGAP_DATA_DIR (unless DATABASE_URL is set).  Set-up (members with coverage,
an issued and paid January invoice) is not timed.  Each page is fetched with Django's test client as the
Admin Dinas (best of --repeat); baseline: the same page's main query alone (``list(queryset)`` of one page,
or of every row for the exports), so the ratio shows what rendering, counting and auditing add.
Goal: every page below 1 s at 10,000 members; exports of 10,000 rows below 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def best(repeat: int, fn: Callable[[], Any]) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["SIGAP_DATA_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-pages-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from sigap.cli.common import setup_django

    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from sigap.accounts.actions import user_create
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.billing.models import InvoiceLine
    from sigap.core.money import Month
    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.actions import programme_apply
    from sigap.programmes.models import TargetingRun
    from sigap.registry.models import Snapshot

    settings.ALLOWED_HOSTS = ["*"]
    n = args.members
    programme, _, _ = programme_apply(
        document={
            "programme": {
                "code": "BENCH-PAGES",
                "name": "Bench",
                "region": "3275",
                "fiscal_year": 2026,
                "budget": 201_600 * n,
                "coverage_start": "2026-01",
            }
        },
        source_name="bench.toml",
    )
    snapshot = Snapshot.objects.create(
        kind="registry", content_sha256="c" * 64, mapping_sha256="c" * 64, source_name="bench",
        reference_date=dt.date(2026, 1, 1), rows=n, accepted=n, rejected=0, data_path="x",
    )  # fmt: skip
    run = TargetingRun.objects.create(
        programme=programme, snapshot=snapshot, state="enrolled", spec=programme.spec, programme_version=1,
        code_version="bench", people=n, eligible=n, selected=n, waiting=0, ineligible=0,
        cost_per_person=201_600, cost=201_600 * n, budget=programme.budget, remaining=0,
        decisions_path="x", decisions_sha256="x",
    )  # fmt: skip
    kelurahan = ["3275011001", "3275011002", "3275021001", "3275031001"]
    members = Member.objects.bulk_create(
        [
            Member(
                programme=programme, run=run, rank=i + 1, nik=f"3275{i:012d}", nama=f"PESERTA {i}",
                tanggal_lahir=dt.date(1980, 1, 1), jenis_kelamin="L", kode_kelurahan=kelurahan[i % 4],
                pekerjaan="PEDAGANG", desil=1, state="active", kpj=f"K{i:010d}",
            )
            for i in range(n)
        ],
        batch_size=5_000,
    )  # fmt: skip
    CoveragePeriod.objects.bulk_create(
        [CoveragePeriod(member=m, start_month=dt.date(2026, 1, 1)) for m in members], batch_size=5_000
    )
    invoice = invoice_issue(programme=programme, month=Month(2026, 1))
    payment_record(
        programme=programme, sp2d_number="B-1", sp2d_date=dt.date(2026, 1, 10), amount=invoice.total
    )
    admin = user_create(
        username="bench-admin", password="sandi-rahasia-1", role="admin_dinas", area_code="3275"
    )
    client = Client()
    client.force_login(admin)
    p = programme.pk
    pages: list[tuple[str, str, dict[str, str], Callable[[], Any]]] = [
        ("member list (page 1)", reverse("web:member-list", args=[p]), {}, lambda: list(Member.objects.filter(programme=programme).order_by("rank")[:50])),
        ("member list, name filter", reverse("web:member-list", args=[p]), {"q": "PESERTA 99"}, lambda: list(Member.objects.filter(programme=programme, nama__icontains="PESERTA 99").order_by("rank")[:50])),
        ("member export XLSX", reverse("web:member-export", args=[p]), {}, lambda: list(Member.objects.filter(programme=programme).order_by("rank"))),
        ("member detail + ledger", reverse("web:member-detail", args=[members[n // 2].pk]), {}, lambda: Member.objects.get(pk=members[n // 2].pk)),
        ("invoice list", reverse("web:invoice-list", args=[p]), {}, lambda: list(programme.invoices.all())),
        ("invoice detail (page 1)", reverse("web:invoice-detail", args=[invoice.pk]), {}, lambda: list(InvoiceLine.objects.filter(invoice=invoice).select_related("member").order_by("member__nama")[:50])),
        ("invoice lines XLSX", reverse("web:invoice-detail", args=[invoice.pk]), {"format": "xlsx"}, lambda: list(InvoiceLine.objects.filter(invoice=invoice).select_related("member"))),
        ("invoice PDF", reverse("web:invoice-detail", args=[invoice.pk]), {"format": "pdf"}, lambda: list(InvoiceLine.objects.filter(invoice=invoice).select_related("member"))),
        ("realisation", reverse("web:realisation", args=[p]), {"on": "2026-02-01"}, lambda: list(CoveragePeriod.objects.filter(member__programme=programme).values_list("start_month", "end_month"))),
    ]  # fmt: skip
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; {n:,} members")
    for name, url, params, baseline in pages:
        status = client.get(url, params).status_code
        assert status == 200, (name, status)
        ours = best(
            args.repeat if "PDF" not in name else 1, lambda url=url, params=params: client.get(url, params)
        )
        base = best(args.repeat, baseline)
        print(f"{name:<28} {ours:7.3f} s   baseline {base:7.3f} s   ratio {ours / base:7.1f}")


if __name__ == "__main__":
    main()
