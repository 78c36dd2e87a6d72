"""What a leader's dashboard request served from the page cache costs in database statements.

Under load (bench/dashboard.py, 32 connections) every statement of a cached hit is paid hundreds of
times a second.  Through the whole middleware stack: the session (one plain statement,
``sigap.accounts.session_store``), the user, and one statement for the page's version and the user's role
(``sigap.web.pagecache``).  Once the process knows the session: ONE statement for all of it
(``pagecache.FastPageMiddleware``).  Nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from web.conftest import approve

pytestmark = pytest.mark.django_db


def test_a_cached_dashboard_hit_costs_three_statements_then_one(world: Any) -> None:
    from sigap.web import pagecache

    approve(world)
    client = Client()
    client.force_login(world.users["pimpinan"])
    first = client.get("/")
    assert first.status_code == 200
    pagecache._known.clear()  # as in another process that has not seen this session yet
    with CaptureQueriesContext(connection) as hit:
        again = client.get("/")
    assert again.status_code == 200 and world.programme.name in again.content.decode()
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"`') for q in hit.captured_queries]
    assert tables == ["django_session", "auth_user", "status_programmefigures"], hit.captured_queries
    with CaptureQueriesContext(connection) as fast:
        fast_page = client.get("/").content
    mark = b'name="csrfmiddlewaretoken"'  # each response masks the token anew
    assert fast_page.split(mark)[0] == again.content.split(mark)[0] and fast_page != again.content
    (only,) = fast.captured_queries
    assert all(f'"{table}"' in only["sql"] or table in only["sql"] for table in tables)
