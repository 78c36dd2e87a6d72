"""Separate processes on one SQLite file, for the concurrency tests (tests/ops/test_concurrency.py).

    python tests/ops/processes.py COMMAND [ARGS]   (SIGAP_DATA_DIR names the data folder)

Each command sets Django up on the embedded default (SQLite in SIGAP_DATA_DIR, settings as shipped) and
prints one JSON line.  ``start_at`` arguments are Unix times: the processes sleep until then, so that
their writes really meet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: billing.factories

MEMBERS = 10
MONTHS = ("2026-01", "2026-02", "2026-03")


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django

    django.setup()
    Path(os.environ["SIGAP_DATA_DIR"]).mkdir(parents=True, exist_ok=True)


def wait(start_at: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))


def cmd_migrate() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    return {"journal_mode": mode}


def cmd_invoices() -> dict[str, Any]:
    """A programme with members and three issued monthly invoices."""
    from billing.factories import make_members, make_programme
    from sigap.billing.actions import invoice_issue
    from sigap.core.money import Month

    programme = make_programme()
    make_members(programme, MEMBERS)
    invoices = [invoice_issue(programme=programme, month=Month.parse(m)) for m in MONTHS]
    return {"programme": programme.code, "invoices": {i.number: i.total for i in invoices}}


def cmd_pay(start_at: float, amount: int, *numbers: str) -> dict[str, Any]:
    """One thread per SP2D number, all posting ``amount`` at ``start_at`` (as gunicorn's threads would)."""
    from django.db import connection

    from sigap.billing.actions import payment_record
    from sigap.errors import UserError
    from sigap.programmes.models import Programme

    programme = Programme.objects.get(code="SIGAP-2026")
    connection.close()
    outcomes: dict[str, str] = {}

    def pay(number: str) -> None:
        wait(start_at)
        try:
            payment_record(
                programme=programme, sp2d_number=number, sp2d_date=dt.date(2026, 3, 20), amount=amount
            )
            outcomes[number] = "recorded"
        except UserError as e:
            outcomes[number] = f"refused: {e.message}"
        except Exception:  # noqa: BLE001 -- reported to the test
            outcomes[number] = "error: " + traceback.format_exc(limit=3)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"outcomes": outcomes}


def cmd_ledger() -> dict[str, Any]:
    from django.db.models import Sum

    from sigap.billing.actions import paid_amount
    from sigap.billing.models import Invoice, Payment, PaymentAllocation

    payments = {p.sp2d_number: p.amount for p in Payment.objects.all()}
    allocated = PaymentAllocation.objects.aggregate(n=Sum("amount"))["n"] or 0
    invoices = {
        i.number: {"total": i.total, "paid": paid_amount(i), "state": i.state} for i in Invoice.objects.all()
    }
    return {"payments": payments, "allocated": allocated, "invoices": invoices}


def cmd_hits(start_at: float, count: int, limit: int) -> dict[str, Any]:
    """``count`` hits on one shared counter; how many were allowed."""
    from sigap.web import ratelimit

    wait(start_at)
    allowed = sum(
        ratelimit.hit(scope="test", value="10.0.0.1", limit=limit, window=600) for _ in range(count)
    )
    return {"allowed": allowed, "store": ratelimit.store()}


def cmd_enqueue(job_id: int) -> dict[str, Any]:
    from sigap.jobs.tasks import job_execute

    result = job_execute.enqueue(job_id)
    return {"task": str(result.id)}


def cmd_task(task_id: str) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(id=task_id)
    return {"status": str(row.status)}


COMMANDS = {
    "migrate": cmd_migrate,
    "invoices": cmd_invoices,
    "pay": cmd_pay,
    "ledger": cmd_ledger,
    "hits": cmd_hits,
    "enqueue": cmd_enqueue,
    "task": cmd_task,
}


def main(argv: list[str]) -> None:
    setup()
    name, *args = argv
    func = COMMANDS[name]
    converted: list[Any] = []
    for arg in args:
        try:
            converted.append(int(arg))
        except ValueError:
            try:
                converted.append(float(arg))
            except ValueError:
                converted.append(arg)
    print(json.dumps(func(*converted), default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
