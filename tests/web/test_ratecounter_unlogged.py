"""The rate-limit counters do not wait for the disk on PostgreSQL (web migration 0002)."""

from __future__ import annotations

import pytest
from django.db import connection

from sigap.web import ratelimit
from sigap.web.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="unlogged tables are PostgreSQL's")
def test_counters_live_in_an_unlogged_table_and_still_count() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [RateCounter._meta.db_table])
        assert cursor.fetchone()[0] == "u"
    assert [ratelimit._hit_database("sigap:rl:test:x", 60) for _ in range(3)] == [1, 2, 3]
