"""Rate-limit counters in an UNLOGGED table on PostgreSQL.

Every public status check updates two counters, and all visitors behind one address (a kelurahan help
desk, a proxy) update the same row.  In a logged table each update's commit waits for the write-ahead
log to reach the disk while it holds that row: 570 counter updates per second from 8 threads on this
machine's disk, the ceiling of the whole citizen check.  A transaction that writes only unlogged tables
commits without that wait: 7,500 per second, same threads, same row.  The price: after a PostgreSQL
crash the counters start again from zero -- a rate limit's window, not a record of anything.
SQLite has no such table and needs none (WAL with synchronous=NORMAL does not sync each commit).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _set(logged: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("web", "RateCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]

    operations = [migrations.RunPython(_set(logged=False), _set(logged=True))]
