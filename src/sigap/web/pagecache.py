"""The leaders' dashboard served from a cache that every change of what it shows invalidates.

The page changes only when the state it shows changes, yet rendering it costs 80-130 ms (issue 12,
finding 14: 24 req/s, p99 3.2 s at 32 connections).  :func:`cached_for_leaders` keeps the rendered
page in Django's cache under a key made of:

- **who asks**: the user's id, name, role, area, staff/superuser flags (the header shows them; the
  area decides which programmes the page shows) -- so two users, let alone two areas, never share a
  page;
- **how**: language and path;
- **the version of what it shows** (:func:`dashboard_version`): one statement over small tables --
  each programme's ``ProgrammeFigures.computed_at`` (``dashboard_refresh`` writes it every time it
  rebuilds the aggregates: after a payment, an invoice, an approval, a BPJS TK answer, an exit, or
  ``status_refresh``), the programmes (``updated_at``), the lists in force (run id and state) and the
  claims paid, which the page reads live; the region's reference figures, segment lists and newest
  roster and registry snapshots (the coverage of the informal workforce, ADR 0020) -- plus today's date
  (claims count up to today).

Nothing has to remember to invalidate: a change of any of these is a new key, and old keys expire.
The version is read from the database on every request, so it holds across gunicorn processes,
workers and CLI commands, with the default per-process memory cache as with Redis.  Permissions are
checked on every request, before the cache is looked at (``login_required`` and the dashboard role);
the view itself (and so ``lists_in_force``, area-scoped) runs only on a miss.

The page carries the visitor's CSRF token (logout and language forms): it is stored with a marker in
its place and each response gets the visitor's own token, as :mod:`sigap.web.citizen` does.  Requests
with a query string or with messages to show (they are read once) are rendered as before, uncached.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from sigap import __version__
from sigap.web.access import DASHBOARD_ROLES

#: Seconds a page may stay in the cache (a new version makes a new key long before that).
PAGE_SECONDS = 600
_MARKER = "__sigap_csrf_token__"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _version_sql() -> str:
    """One statement: the rows whose change changes the page, and the asking user's role and area
    (``%s``: the user id) -- one round trip to the database for everything a cached answer needs."""
    from sigap.accounts.models import Profile
    from sigap.claims.models import Claim, Incident, Scholarship
    from sigap.coverage.models import ReferenceFigure, SegmentList
    from sigap.programmes.models import Programme, TargetingRun
    from sigap.registry.models import Snapshot
    from sigap.status.models import ProgrammeFigures

    def table(model: Any) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    in_force = ", ".join(f"'{s}'" for s in TargetingRun.IN_FORCE)
    # table names from the models, values from constants; the user id is a parameter
    return (
        f"SELECT 'f', programme_id, CAST(computed_at AS TEXT) FROM {table(ProgrammeFigures)}"  # noqa: S608
        f" UNION ALL SELECT 'p', id, CAST(updated_at AS TEXT) FROM {table(Programme)}"
        f" UNION ALL SELECT 'r', id, state FROM {table(TargetingRun)} WHERE state IN ({in_force})"
        f" UNION ALL SELECT 'c', count(*), CAST(coalesce(sum(paid_amount), 0) AS TEXT)"
        f" || '/' || coalesce(CAST(max(paid_on) AS TEXT), '') FROM {table(Claim)} WHERE state = '{Claim.PAID}'"
        f" UNION ALL SELECT 's', count(*), CAST(coalesce(sum(amount), 0) AS TEXT)"
        f" || '/' || coalesce(CAST(max(decided_on) AS TEXT), '') FROM {table(Scholarship)}"
        f" WHERE state = '{Scholarship.PAID}'"
        f" UNION ALL SELECT 'i', count(*), '' FROM {table(Incident)}"
        # the coverage of the region's informal workforce (ADR 0020): reference figures, segment
        # lists, and the newest roster and registry (the BPU insured on their own)
        f" UNION ALL SELECT 'w', id, CAST(updated_at AS TEXT) || '/' || CAST(estimate AS TEXT)"
        f" FROM {table(ReferenceFigure)}"
        f" UNION ALL SELECT 'g', id, CAST(created_at AS TEXT) FROM {table(SegmentList)}"
        f" UNION ALL SELECT 'k', max(id), kind FROM {table(Snapshot)} GROUP BY kind"
        f" UNION ALL SELECT '{_WHO}', 0, role || '|' || area_code FROM {table(Profile)} WHERE user_id = %s"
    )


_WHO = "u"


@functools.cache
def _cached_sql(vendor: str) -> str:
    return _version_sql()


def _probe(user_id: int | None) -> tuple[str, tuple[str, str] | None]:
    """The version (see the module docstring) and the user's (role, area), None without a profile."""
    with connection.cursor() as cursor:
        cursor.execute(_cached_sql(connection.vendor), [user_id])
        rows = sorted((str(a), int(b or 0), str(c)) for a, b, c in cursor.fetchall())
    who = next((tuple(c.split("|", 1)) for a, _b, c in rows if a == _WHO), None)
    state = [r for r in rows if r[0] != _WHO]
    digest = hashlib.sha256(repr((state, timezone.localdate().isoformat(), __version__)).encode())
    return digest.hexdigest()[:32], (who[0], who[1]) if who is not None and len(who) == 2 else None


def dashboard_version() -> str:
    """A digest of everything the dashboard shows that can change (see the module docstring)."""
    return _probe(None)[0]


def page_key(request: HttpRequest, *, version: str, role: str | None, area: str | None) -> str:
    user: Any = request.user
    who = (user.pk, user.get_username(), role, area, bool(user.is_staff), bool(user.is_superuser))
    parts = repr((who, get_language(), request.path, version))
    return "sigap:dashboard:" + hashlib.sha256(parts.encode()).hexdigest()


def _pending_messages(request: HttpRequest) -> bool:
    """Messages waiting to be shown (counted without marking them read)."""
    return len(messages.get_messages(request)) > 0


def cached_for_leaders(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page to dashboard users from the cache (after ``login_required``)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if request.method not in ("GET", "HEAD") or request.GET or not user.is_authenticated:
            return view(request, *args, **kwargs)
        # before rendering: a change meanwhile makes a new key, never a stale page under a new one
        version, who = _probe(user.pk)
        role, area = who if who is not None else (None, None)
        # the role, as sigap.web.access.allowed decides it, read in the same round trip
        if not (user.is_superuser or role in DASHBOARD_ROLES) or _pending_messages(request):
            return view(request, *args, **kwargs)
        key = page_key(request, version=version, role=role, area=area)
        page = cache.get(key)
        if page is not None:
            return HttpResponse(page.replace(_MARKER, get_token(request)))
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and "text/html" in response["Content-Type"]:
            html = response.content.decode(response.charset or "utf-8")
            tokens = set(_TOKEN.findall(html))
            if len(tokens) <= 1:  # one token per render; anything else is not ours to reuse
                cache.set(key, html.replace(tokens.pop(), _MARKER) if tokens else html, PAGE_SECONDS)
        return response

    return wrapped
