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

from sigap import __version__, hotsql
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
    return _digest(state), (who[0], who[1]) if who is not None and len(who) == 2 else None


def _digest(state: list[tuple[str, int, str]]) -> str:
    digest = hashlib.sha256(repr((state, timezone.localdate().isoformat(), __version__)).encode())
    return digest.hexdigest()[:32]


def dashboard_version() -> str:
    """A digest of everything the dashboard shows that can change (see the module docstring)."""
    return _probe(None)[0]


def page_key(request: HttpRequest, *, version: str, role: str | None, area: str | None) -> str:
    user: Any = request.user
    who = (user.pk, user.get_username(), role, area, bool(user.is_staff), bool(user.is_superuser))
    return _key(who, get_language(), request.path, version)


def _key(who: tuple[Any, ...], language: str, path: str, version: str) -> str:
    parts = repr((who, language, path, version))
    return "sigap:dashboard:" + hashlib.sha256(parts.encode()).hexdigest()


def _pending_messages(request: HttpRequest) -> bool:
    """Messages waiting to be shown (counted without marking them read)."""
    return len(messages.get_messages(request)) > 0


def cached_for_leaders(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page to dashboard users from the cache (after ``login_required``)."""

    view._sigap_cached_page = True  # type: ignore[attr-defined]  # FastPageMiddleware serves its hits

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
        request._sigap_page_key = key  # type: ignore[attr-defined]  # FastPageMiddleware keeps the headers
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


# --- the fast path: a cached page for a known session in one statement -------------------------------
#
# A cached hit through the whole middleware stack costs three statements (the session, the user, the
# version) and ~1.3 ms of CPU, mostly the ORM loading the user (bench/dashboard.py: ~400 req/s, p99
# ~120 ms at 32 connections on 2 cores).  FastPageMiddleware answers the same hit before the session and
# authentication middleware, with ONE statement that reads the session row, the user, the profile and
# the page's version together, and then checks in Python exactly what those middleware check:
#
# - the session row exists and has not expired; its data decodes (signature checked) to this user id,
#   logged in through ModelBackend, with the session hash of the user's *current* password (Django's
#   ``get_user``), and the user is active;
# - the session has neither ended (idle or absolute limit, sigap.accounts.sessions) nor is due its
#   once-a-minute "last seen" write, and holds no message to show (session or cookie);
# - the visitor already has a valid CSRF cookie (the page gets a token masked from it);
# - the role may see the dashboard; the language is chosen as LocaleMiddleware chooses it;
# - the page AND the headers the full stack gave it (CSP, frame options, Vary, language...) are both
#   in the cache under the key the decorator uses.
#
# Anything else -- an unknown session, a first visit in this process, a stale "last seen", a message, a
# miss -- goes down the full stack unchanged, which answers and teaches this process the session's
# user id (kept per process: it only says which user row to read; the statement re-checks the rest).

_FLAGS_ACTIVE, _FLAGS_STAFF, _FLAGS_SUPER = 1, 2, 4
_SESSION, _PASSWORD, _ACCOUNT = "x", "y", "z"
_KNOWN_MAX = 20_000
_known: dict[str, int] = {}  # session key -> user id, learned from the full stack (per process)
_served: dict[str, bool] = {}  # path -> whether its view is cached_for_leaders


def _fast_sql() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    user = get_user_model()
    session, users = (
        connection.ops.quote_name(Session._meta.db_table),
        connection.ops.quote_name(user._meta.db_table),
    )

    def flag(column: str, bit: int) -> str:
        return f"CASE WHEN {column} THEN {bit} ELSE 0 END"

    flags = " + ".join(
        (flag("is_active", _FLAGS_ACTIVE), flag("is_staff", _FLAGS_STAFF), flag("is_superuser", _FLAGS_SUPER))
    )
    # table names from the models; the session key, the time and the user id are parameters
    extra = (
        f" UNION ALL SELECT '{_SESSION}', 0, session_data FROM {session}"  # noqa: S608
        " WHERE session_key = %s AND expire_date > %s"
        f" UNION ALL SELECT '{_PASSWORD}', id, password FROM {users} WHERE id = %s"
        f" UNION ALL SELECT '{_ACCOUNT}', {flags}, {user.USERNAME_FIELD} FROM {users} WHERE id = %s"
    )
    return _version_sql() + extra


@functools.cache
def _cached_fast_sql(vendor: str) -> str:
    return _fast_sql()


def _is_cached_page(path: str) -> bool:
    found = _served.get(path)
    if found is None:
        from django.urls import Resolver404, resolve

        try:
            found = bool(getattr(resolve(path).func, "_sigap_cached_page", False))
        except Resolver404:
            found = False
        if len(_served) < 1_000:
            _served[path] = found
    return found


@functools.cache
def _session_store() -> Any:
    """The configured engine's store class (its name is part of the signature's salt)."""
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore


def _learn(request: HttpRequest) -> None:
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    key = getattr(session, "session_key", None)
    if key and user is not None and user.is_authenticated:
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        _known[key] = user.pk


def _fast_answer(request: HttpRequest) -> HttpResponse | None:
    """The cached page for this request, or None when only the full stack may answer it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.session import SessionStorage
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.crypto import constant_time_compare
    from django.utils.translation import get_language_from_request

    from sigap.accounts.sessions import SEEN, SEEN_RESOLUTION, STARTED, ended

    if (
        request.method != "GET"
        or request.META.get("QUERY_STRING")
        or CookieStorage.cookie_name in request.COOKIES
    ):
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    user_id = _known.get(session_key or "")
    if user_id is None or not _is_cached_page(request.path_info):
        return None
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    with hotsql.cursor() as cursor:  # prepared on PostgreSQL
        cursor.execute(_cached_fast_sql(connection.vendor), [user_id, session_key, stamp, user_id, user_id])
        rows = sorted((str(a), int(b or 0), str(c)) for a, b, c in cursor.fetchall())
    by_kind = {a: (b, c) for a, b, c in rows}
    if not {_SESSION, _PASSWORD, _ACCOUNT, _WHO} <= by_kind.keys():
        return None
    data = _session_store()().decode(by_kind[_SESSION][1])  # {} when the signature does not match
    flags, username = by_kind[_ACCOUNT]
    account = get_user_model()(pk=user_id, password=by_kind[_PASSWORD][1])
    if not (
        data.get(SESSION_KEY) == str(user_id)
        and data.get(BACKEND_SESSION_KEY) == "django.contrib.auth.backends.ModelBackend"
        and data.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and flags & _FLAGS_ACTIVE
        and constant_time_compare(str(data.get(HASH_SESSION_KEY, "")), account.get_session_auth_hash())
    ):
        return None
    seen, started = data.get(SEEN), data.get(STARTED)
    if seen is None or started is None or ended(started, seen, now.timestamp()) is not None:
        return None
    if now.timestamp() - seen >= SEEN_RESOLUTION or SessionStorage.session_key in data:
        return None  # the full stack writes "last seen" / shows the message
    role, _, area = by_kind[_WHO][1].partition("|")
    if not (flags & _FLAGS_SUPER or role in DASHBOARD_ROLES):
        return None
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    if "CSRF_COOKIE" not in request.META or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None
    state = [r for r in rows if r[0] not in (_WHO, _SESSION, _PASSWORD, _ACCOUNT)]
    version = _digest(state)
    who = (user_id, username, role, area, bool(flags & _FLAGS_STAFF), bool(flags & _FLAGS_SUPER))
    key = _key(who, get_language_from_request(request), request.path, version)
    found = cache.get_many([key, key + ":headers"])
    if len(found) != 2:
        return None
    response = HttpResponse(found[key].replace(_MARKER, get_token(request)))
    for name, value in found[key + ":headers"]:
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(response.content))
    return response


_NOT_KEPT = {"set-cookie", "content-length"}


class FastPageMiddleware:
    """Serves a leaders' cached page in one statement (see above); place it before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = _fast_answer(request)
        if answer is not None:
            return answer
        response = self.get_response(request)
        key = getattr(request, "_sigap_page_key", None)
        if key is not None and response.status_code == 200 and not response.streaming:
            _learn(request)
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _NOT_KEPT]
            cache.set(key + ":headers", headers, PAGE_SECONDS)
        return response
