"""Grievance benchmark: ``grievances_escalate`` on N late tickets vs a raw UPDATE of the same rows,
and the grievance/usulan list pages over that many rows.

    .venv/bin/python bench/grievances.py --grievances 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench .venv/bin/python bench/grievances.py

Uses a fresh SQLite database in a temporary SIGAP_DATA_DIR unless DATABASE_URL is set (then the pengaduan and
usulan rows are deleted first).  Set-up is not timed.  Timed, best of --repeat (rolled back between runs):

(a) action   -- ``sigap.pengaduan.actions.grievances_escalate`` (lock, update, one audit row per ticket);
(b) baseline -- one hand-written ``UPDATE pengaduan_grievance SET escalated_at = ... WHERE ...``, no audit;
(c) pages    -- the Admin Dinas' grievance list (late filter) and usulan list, first page, N rows each.

Goal: (a) <= 2 s for 10,000 late tickets; list pages <= 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

GOAL_ESCALATE_SECONDS = 2.0
GOAL_PAGE_SECONDS = 0.5


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grievances", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        os.environ["SIGAP_DATA_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-")
    from sigap.cli.common import setup_django

    setup_django()
    from django.db import connection, transaction
    from django.test import Client

    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.pengaduan.actions import grievances_escalate
    from sigap.pengaduan.models import Grievance
    from sigap.usulan.models import DataUpdateRequest

    Grievance.objects.all().delete()
    DataUpdateRequest.objects.filter(created_by__isnull=True).delete()
    n = args.grievances
    opened = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    kelurahan = "3275011001"
    Grievance.objects.bulk_create(
        [
            Grievance(
                number=f"ADU-BENCH-{i:07d}",
                channel="operator",
                category="data",
                text="Data alamat keliru di DTSEN.",
                kode_kelurahan=kelurahan,
                due_at=opened + dt.timedelta(days=14),
                created_at=opened,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    DataUpdateRequest.objects.bulk_create(
        [
            DataUpdateRequest(
                number=f"USL-BENCH-{i:07d}",
                kind="desil",
                nik=f"3275014505{i:06d}",
                kode_kelurahan=kelurahan,
                proposed={"desil": 2},
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    now = opened + dt.timedelta(days=30)

    def best(fn: object) -> float:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    fn()  # type: ignore[operator]
                    raise Rollback
            except Rollback:
                pass
            times.append(time.perf_counter() - start)
        return min(times)

    def action() -> None:
        assert len(grievances_escalate(now=now)) == n

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE pengaduan_grievance SET escalated_at = %s"
                " WHERE state IN ('open', 'assigned') AND escalated_at IS NULL AND due_at < %s",
                [now, now],
            )
            assert cursor.rowcount == n

    a, b = best(action), best(baseline)
    admin = user_create(
        username=f"bench-admin-{time.time_ns()}", password="x" * 12, role=roles.ADMIN_DINAS, area_code="3275"
    )
    client = Client()
    client.force_login(admin)

    def page(url: str) -> float:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, url
        return min(times)

    grievance_page = page("/pengaduan/?terlambat=1")
    usulan_page = page("/usulan/")
    engine = connection.vendor
    print(
        f"escalate {n:,} late tickets ({engine}): action {a:.2f} s, raw UPDATE {b:.2f} s, ratio {a / b:.1f}"
    )
    print(
        f"  goal <= {GOAL_ESCALATE_SECONDS} s per 10,000: {'met' if a * 10_000 / n <= GOAL_ESCALATE_SECONDS else 'NOT met'}"
    )
    print(
        f"grievance list (late filter, {n:,} rows): {grievance_page:.3f} s; usulan list ({n:,} rows): {usulan_page:.3f} s"
    )
    ok = max(grievance_page, usulan_page) <= GOAL_PAGE_SECONDS
    print(f"  goal <= {GOAL_PAGE_SECONDS} s: {'met' if ok else 'NOT met'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
