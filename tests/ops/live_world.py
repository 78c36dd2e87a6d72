"""Set-up and read-back for the live-server concurrency test (tests/ops/test_live_concurrency.py).

    python tests/ops/live_world.py COMMAND [ARGS]   (SIGAP_DATA_DIR names the data folder)

Runs on the embedded default (SQLite in SIGAP_DATA_DIR, settings as shipped) and prints one JSON line.

- ``world PEOPLE``: migrate; a synthetic Kota Bekasi registry of PEOPLE people (``sigap.synth``) imported
  as a snapshot; programme LIST-A targeted, submitted and approved (the citizen check then answers from
  its members and its status file), LIST-B and LIST-C targeted and submitted (to be approved on the live
  server), BESAR-2026 defined (the large run made during the load), SIGAP-2026 with members and three
  issued invoices (payments); an Admin Dinas and a Kepala Dinas with session cookies; people to check
  with what the check answers for them now.
- ``ledger``: payments, allocations, invoices, runs and members, to compare with what was posted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: billing.factories

MONTHS = ("2026-01", "2026-02", "2026-03")
PASSWORD = "sandi-rahasia-1"
DECREE = {
    "number": "800/Kep.1-Disnaker/2026",
    "date": dt.date(2026, 1, 5),
    "place": "Bekasi",
    "signatory_name": "Drs. Kepala",
    "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
}


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()
    Path(os.environ["SIGAP_DATA_DIR"]).mkdir(parents=True, exist_ok=True)


def _programme(code: str, budget: int) -> Any:
    from sigap.programmes.actions import programme_apply

    document = {
        "programme": {
            "code": code,
            "name": f"Program {code}",
            "region": "3275",
            "fiscal_year": 2026,
            "budget": budget,
            "coverage_start": "2026-01",
            "funding": "APBD",
        },
        "eligibility": {"desil_max": 5, "age_min": 18, "age_max": 60, "occupations_included": "informal"},
        "priority": {"order": ["desil", "occupation_risk", "age_desc"], "tie_break_seed": code},
    }
    programme, _, _ = programme_apply(document=document, source_name=f"{code}.toml")
    return programme


def _session(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def cmd_world(people: int) -> dict[str, Any]:
    import duckdb
    from django.core.management import call_command

    from billing.factories import make_members, make_programme
    from sigap.accounts.actions import user_create
    from sigap.accounts.roles import ADMIN_DINAS, KEPALA_DINAS
    from sigap.billing.actions import invoice_issue
    from sigap.core.money import Month
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.programmes.actions import targeting_run
    from sigap.registry.actions import snapshot_import
    from sigap.status.selectors import citizen_answers
    from sigap.synth import generate_registry, write_table

    call_command("migrate", verbosity=0, interactive=False)
    data = Path(os.environ["SIGAP_DATA_DIR"])
    registry = data / "registry.parquet"
    write_table(generate_registry(region="3275", people=people, seed=12), registry)
    snapshot = snapshot_import(path=registry, reference_date=dt.date(2026, 1, 1)).snapshot

    admin = user_create(username="admin", password=PASSWORD, role=ADMIN_DINAS, area_code="3275")
    kepala = user_create(username="kepala", password=PASSWORD, role=KEPALA_DINAS, area_code="3275")

    runs = {}
    for code in ("LIST-A", "LIST-B", "LIST-C"):
        run = targeting_run(programme=_programme(code, 300_000_000), snapshot=snapshot, export=False)
        runs[code] = run_submit(run=run, acting_user=admin)
    run_approve(run=runs["LIST-A"], acting_user=kepala, decree=DECREE)
    _programme("BESAR-2026", 20_000_000_000)

    payments = make_programme()  # SIGAP-2026
    make_members(payments, 10)
    invoices = {
        i.number: i.total for i in (invoice_issue(programme=payments, month=Month.parse(m)) for m in MONTHS)
    }

    # people to check: members of LIST-A, people in its status file (waiting, ineligible), wrong KK numbers
    rows = duckdb.sql(
        f"SELECT nik, no_kk FROM read_parquet('{snapshot.data_file}') WHERE no_kk IS NOT NULL "  # noqa: S608
        "ORDER BY hash(nik) LIMIT 300"
    ).fetchall()
    checks = []
    for nik, kk in rows:
        answers = citizen_answers(nik=nik, kk=kk)
        status = next((a[1] for a in answers if a[0] == "Program LIST-A"), None)
        if status is not None:
            checks.append({"nik": nik, "kk": kk, "status": status})
    member_rows = [(m.nik, m.no_kk) for m in runs["LIST-A"].members.exclude(no_kk="").order_by("rank")[:50]]
    for nik, kk in member_rows:
        checks.append({"nik": nik, "kk": kk, "status": "selected"})
    for nik, kk in rows[:50]:
        wrong = kk[:-1] + str((int(kk[-1]) + 1) % 10)
        checks.append({"nik": nik, "kk": wrong, "status": "not_found"})
    return {
        "snapshot": snapshot.pk,
        "payments_programme": payments.pk,
        "invoices": invoices,
        "to_approve": {code: runs[code].pk for code in ("LIST-B", "LIST-C")},
        "sessions": {"admin": _session(admin), "kepala": _session(kepala)},
        "checks": checks,
    }


def cmd_ledger() -> dict[str, Any]:
    from django.db.models import Count, Sum

    from sigap.billing.actions import paid_amount
    from sigap.billing.models import Invoice, Payment, PaymentAllocation
    from sigap.enrolment.models import Member
    from sigap.programmes.models import TargetingRun

    payments = {p.sp2d_number: p.amount for p in Payment.objects.all()}
    allocated = PaymentAllocation.objects.aggregate(n=Sum("amount"))["n"] or 0
    invoices = {i.number: {"total": i.total, "paid": paid_amount(i)} for i in Invoice.objects.all()}
    runs = {
        r.programme.code: {"id": r.pk, "state": r.state, "selected": r.selected, "people": r.people}
        for r in TargetingRun.objects.select_related("programme").order_by("id")
    }
    members = {
        row["programme__code"]: row["n"]
        for row in Member.objects.values("programme__code").annotate(n=Count("id")).order_by()
    }
    doubled = Member.objects.values("programme_id", "nik").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "payments": payments,
        "allocated": allocated,
        "invoices": invoices,
        "runs": runs,
        "members": members,
        "doubled_members": doubled,
    }


COMMANDS = {"world": cmd_world, "ledger": cmd_ledger}


def main(argv: list[str]) -> None:
    setup()
    name, *args = argv
    print(json.dumps(COMMANDS[name](*(int(a) for a in args)), default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
