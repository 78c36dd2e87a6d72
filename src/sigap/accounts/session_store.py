"""Django's database sessions, loaded with one plain statement (``SESSION_ENGINE``).

Every officer's request loads its session.  Django's ``db`` engine builds that query through the ORM each
time (a queryset, a model instance): about a third of a millisecond of CPU, a fifth of what a cached
dashboard page costs (bench/dashboard.py).  This store reads the same row with one prepared SQL text and
decodes it the same way; saving, creating, deleting and clearing expired sessions stay Django's.  The
sessions table, cookies and signatures are unchanged, so switching engines logs nobody out.

Why not ``cached_db``: with the default per-process memory cache, a session ended in one gunicorn process
(logout, idle timeout) would stay valid in the others until their cached copy expired.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _sql(table: str) -> str:
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608 -- quoted table name


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        model = self.model
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_sql(connection.ops.quote_name(model._meta.db_table)), [key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new session, as Django's store does
            self._session_key = None
            return {}
        return dict(self.decode(row[0]))
