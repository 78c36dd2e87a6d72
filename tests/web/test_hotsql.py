"""The statements every public request pays are prepared on the PostgreSQL server (sigap.hotsql).

Django opens psycopg connections with ``prepare_threshold=None``, which switches preparation off even
for ``execute(..., prepare=True)``: until this test, hotsql's statements were planned on every request.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from sigap import hotsql

pytestmark = pytest.mark.django_db

_STATEMENT = "SELECT count(*) FROM web_ratecounter WHERE bucket = %s"


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [str(row[0]) for row in cursor.fetchall()]


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="server-side prepared statements are PostgreSQL's"
)
def test_hot_statements_are_prepared_once_per_connection_and_others_never() -> None:
    for value in ("a", "b", "c"):
        with hotsql.cursor() as cursor:
            cursor.execute(_STATEMENT, [value])
            assert cursor.fetchone() == (0,)
    statements = _prepared()
    assert [s for s in statements if "web_ratecounter WHERE bucket" in s] == [
        "SELECT count(*) FROM web_ratecounter WHERE bucket = $1"
    ]
    # Django's own statements, however often they run, are never prepared (connection poolers)
    for _ in range(10):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM web_ratecounter WHERE hits > %s", [0])
    assert not [s for s in _prepared() if "hits >" in s]


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="server-side prepared statements are PostgreSQL's"
)
def test_prepared_statements_can_be_switched_off_for_transaction_poolers() -> None:
    with override_settings(SIGAP_DB_PREPARED_STATEMENTS=False):
        for value in ("a", "b"):
            with hotsql.cursor() as cursor:
                cursor.execute(_STATEMENT + " AND hits >= 0", [value])
    assert not [s for s in _prepared() if "hits >= 0" in s]


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="server-side prepared statements are PostgreSQL's"
)
def test_prepared_statements_still_reach_django_query_log() -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for value in ("a", "b"):
            with hotsql.cursor() as cursor:
                cursor.execute(_STATEMENT, [value])
    assert [q["sql"] for q in captured.captured_queries] == [_STATEMENT.replace("%s", "$1")] * 2
