"""Set-based writes of BPJS TK answers (SQLite >= 3.33 and PostgreSQL).

Django's ``bulk_update`` builds one ``CASE WHEN`` per field and row, and ``bulk_create`` builds a
model instance per row: several seconds for 100,000 rows.  Here the answers go into a temporary
table (one ``executemany``) and three statements join it on the primary keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection

CHUNK = 10_000


def apply_answers(rows: Sequence[tuple[int, int, str, str, Any, str, Any, bool]]) -> None:
    """Write BPJS TK answers set-based: ``(line_id, member_id, status, kpj, effective_date, reason,
    start_month, activate)`` per line.

    One temporary table, then: lines get their answer; members with ``activate`` become active with
    their KPJ; each of them gets an open coverage period from ``start_month``.
    """
    if not rows:
        return
    from sigap.enrolment.models import CoveragePeriod, EnrolmentLine, Member

    qn = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    lines, members, periods = (qn(m._meta.db_table) for m in (EnrolmentLine, Member, CoveragePeriod))
    tmp = f"sigap_answers_{uuid.uuid4().hex[:12]}"
    dates: dict[Any, Any] = {}  # few distinct dates: adapt each once

    def date(value: Any) -> Any:
        if value not in dates:
            dates[value] = adapt(value)
        return dates[value]

    prepared = [
        (line, member, status, kpj, date(effective), reason, date(start), 1 if activate else 0)
        for line, member, status, kpj, effective, reason, start, activate in rows
    ]
    with connection.cursor() as cursor:
        # Table names come from model metadata and a random suffix; values are bound parameters.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {tmp} (line_id bigint PRIMARY KEY, member_id bigint, "
            "status varchar(16), kpj varchar(20), effective_date date, reason varchar(300), "
            "start_month date, activate integer)"
        )
        try:
            insert = f"INSERT INTO {tmp} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608 -- reviewed
            for start in range(0, len(prepared), CHUNK):
                cursor.executemany(insert, prepared[start : start + CHUNK])
            cursor.execute(
                f"UPDATE {lines} SET status = {tmp}.status, kpj = {tmp}.kpj, "  # noqa: S608 -- reviewed
                f"effective_date = {tmp}.effective_date, reason = {tmp}.reason "
                f"FROM {tmp} WHERE {lines}.id = {tmp}.line_id"
            )
            cursor.execute(
                f"UPDATE {members} SET state = %s, kpj = {tmp}.kpj FROM {tmp} "  # noqa: S608 -- reviewed
                f"WHERE {members}.id = {tmp}.member_id AND {tmp}.activate = 1",
                [Member.ACTIVE],
            )
            cursor.execute(
                f"INSERT INTO {periods} (member_id, start_month, end_month, end_reason) "  # noqa: S608
                f"SELECT member_id, start_month, NULL, '' FROM {tmp} WHERE activate = 1 ORDER BY line_id"
            )
        finally:
            cursor.execute(f"DROP TABLE {tmp}")
