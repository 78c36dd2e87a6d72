"""Cursors for the few statements every request pays: server-side prepared statements on PostgreSQL.

A page served from a cache, or the public status check, costs a handful of statements that are the same
text every time.  Django's PostgreSQL cursors bind parameters on the client and never prepare
(``prepare_threshold`` is off for the sake of connection poolers), so PostgreSQL plans each of them on
every request: for the dashboard's version statement 0.37 ms of planning against 0.17 ms of execution
(EXPLAIN ANALYZE, 100,000 members).  :func:`cursor` prepares them once per connection (connections live
``CONN_MAX_AGE`` seconds) and is wrapped as Django wraps its own cursors, so tests and DEBUG still see
the statements.

Django opens psycopg connections with ``prepare_threshold=None``, and psycopg then ignores even an
explicit ``prepare=True``.  :func:`cursor` raises the threshold of its connection out of reach instead:
psycopg prepares exactly the statements asked for here and never auto-prepares Django's own (a threshold
no statement reaches).  tests/web/test_hotsql.py checks ``pg_prepared_statements``.

On SQLite, or with ``SIGAP_DB_PREPARED_STATEMENTS=0`` (PgBouncer in transaction mode, where a prepared
statement may not outlive its transaction), it is Django's ordinary cursor.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

#: A prepare threshold no statement reaches: only ``prepare=True`` statements are prepared.
_ONLY_WHEN_ASKED = 2**62


def cursor() -> Any:
    """A cursor whose statements are prepared on the server (see the module docstring)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute of the proxy is a thread-local look-up
    if db.vendor != "postgresql" or not getattr(settings, "SIGAP_DB_PREPARED_STATEMENTS", True):
        return db.cursor()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:  # Django's default: preparation switched off
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    if db.queries_logged:
        return db.make_debug_cursor(_prepared_class(logged=True)(raw))
    return db.make_cursor(_prepared_class(logged=False)(raw))


@functools.cache
def _prepared_class(*, logged: bool) -> Any:
    import psycopg

    class Prepared(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            done = super().execute(query, params, prepare=True)
            if logged and self._query is None:
                # psycopg records the statement only when it sends its text, not a prepared name: Django's
                # query log (DEBUG, tests) reads it from here
                self._query = self._convert_query(query, params)
            return done

    return Prepared
