"""A leader's cached dashboard answered in one statement (sigap.web.pagecache.FastPageMiddleware).

The fast path skips the session and authentication middleware, so each test shows that it still refuses
exactly what they refuse -- an ended, changed or foreign session, an inactive user, a role that may not
see the page -- and that what it serves is the full stack's page with the full stack's headers.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sigap.accounts.sessions import SEEN
from sigap.web import pagecache
from web.conftest import approve

pytestmark = pytest.mark.django_db
HOME = "/"


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    pagecache._known.clear()


def _leader(world: Any) -> Client:
    approve(world)
    client = Client()
    client.force_login(world.users["pimpinan"])
    assert client.get(HOME).status_code == 200  # the full stack: renders, keeps page and headers
    return client


def _statements(client: Client) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(HOME)
    return response, [q["sql"] for q in seen.captured_queries]


def test_a_hit_is_one_statement_with_the_full_stacks_page_and_headers(world: Any) -> None:
    client = _leader(world)
    with CaptureQueriesContext(connection):
        full = client.get(HOME)  # a hit through the whole stack (the process learnt the session meanwhile)
    pagecache._known.clear()
    slow, slow_sql = _statements(client)
    fast, fast_sql = _statements(client)
    assert len(slow_sql) == 3 and len(fast_sql) == 1, fast_sql
    assert "django_session" in fast_sql[0] and "auth_user" in fast_sql[0]
    assert fast.status_code == 200 and world.programme.name in fast.content.decode()
    token = 'name="csrfmiddlewaretoken" value="'
    assert fast.content.split(token.encode())[0] == full.content.split(token.encode())[0]
    for name in ("Content-Security-Policy", "X-Frame-Options", "Vary", "Content-Language", "Content-Type",
                 "Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):  # fmt: skip
        assert fast.headers.get(name) == slow.headers.get(name), name
    assert "Set-Cookie" not in fast.headers and int(fast["Content-Length"]) == len(fast.content)


def test_a_logged_out_session_is_not_served(world: Any) -> None:
    client = _leader(world)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).delete()  # logout in another gunicorn process
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_a_changed_password_ends_the_session(world: Any) -> None:
    client = _leader(world)
    leader = world.users["pimpinan"]
    leader.set_password("kata-sandi-baru-yang-panjang-7")
    leader.save()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_another_users_session_key_is_not_taken_for_this_user(world: Any) -> None:
    client = _leader(world)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    pagecache._known[key] = world.users["admin_dinas"].pk  # a wrong hint must not open anything
    response = client.get(HOME)
    assert response.status_code == 200 and "admin_dinas ·" not in response.content.decode()
    assert f">{world.users['pimpinan'].username} ·" in response.content.decode()


def test_an_inactive_user_or_a_role_without_the_dashboard_is_refused(world: Any) -> None:
    client = _leader(world)
    leader = world.users["pimpinan"]
    leader.profile.role = "auditor"
    leader.profile.save()
    assert client.get(HOME)["Location"] == reverse("web:audit-log")
    leader.profile.role = "pimpinan"
    leader.profile.save()
    assert client.get(HOME).status_code == 200
    leader.is_active = False
    leader.save()
    assert client.get(HOME)["Location"].startswith(reverse("web:login"))


def test_an_idle_session_ends_and_last_seen_is_still_written(world: Any) -> None:
    client = _leader(world)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def set_seen(seconds_ago: float) -> None:
        store = Session.objects.get(session_key=key).get_decoded()
        store[SEEN] = time.time() - seconds_ago
        Session.objects.filter(session_key=key).update(session_data=Session.objects.encode(store))

    set_seen(120)  # due its once-a-minute write: the full stack answers and writes it
    response, sql = _statements(client)
    assert response.status_code == 200 and len(sql) > 1
    assert time.time() - Session.objects.get(session_key=key).get_decoded()[SEEN] < 5
    assert len(_statements(client)[1]) == 1
    set_seen(settings.SIGAP_SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_a_visitor_without_a_csrf_cookie_or_with_a_query_goes_the_full_way(world: Any) -> None:
    client = _leader(world)
    del client.cookies[settings.CSRF_COOKIE_NAME]
    response, sql = _statements(client)
    assert response.status_code == 200 and len(sql) > 1 and settings.CSRF_COOKIE_NAME in response.cookies
    assert len(_statements(client)[1]) == 1
    with CaptureQueriesContext(connection) as seen:
        assert client.get(HOME + "?x=1").status_code == 200
    assert len(seen.captured_queries) > 1
