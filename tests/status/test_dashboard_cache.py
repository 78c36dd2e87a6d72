"""The leaders' dashboard from the page cache (sigap.web.pagecache): as fresh as a render, per user.

Each test compares what the cache serves with what the view renders at that moment (CSRF tokens aside):
after a payment, an approval or a programme edit the cached page is never the old one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from sigap.web import pagecache, views
from web.conftest import approve

pytestmark = pytest.mark.django_db
HOME = "/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found is not None, f"no {name} on the page"
    return found.group(1)


def _fresh(user: Any) -> str:
    """The page the view renders now, without the cache (what the cache must equal)."""
    request = RequestFactory().get(HOME)
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = SessionStorage(request)  # type: ignore[attr-defined]
    raw = views.home.__wrapped__.__wrapped__  # type: ignore[attr-defined]
    return str(raw(request).content.decode())


def _same(a: str, b: str) -> bool:
    return TOKEN.sub("TOKEN", a) == TOKEN.sub("TOKEN", b)


@pytest.fixture
def renders(monkeypatch: Any) -> list[Any]:
    """Every time the view really builds a dashboard (a cache miss)."""
    calls: list[Any] = []
    real = views.dashboard_panel

    def counting(run: Any) -> Any:
        calls.append(run.pk)
        return real(run)

    monkeypatch.setattr(views, "dashboard_panel", counting)
    return calls


def _enrol(world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    from sigap.enrolment.actions import batch_export, response_import

    approve(world)
    admin = world.users["admin_dinas"]
    batch = batch_export(programme=world.programme, acting_user=admin, today=dt.date(2025, 12, 10))
    answer = tmp_path / "jawaban.csv"
    answer.write_text(_answer(world), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        response_import(batch=batch, path=answer, acting_user=admin, today=dt.date(2026, 1, 20))


def _answer(world: Any) -> str:
    from sigap.enrolment.models import Member

    niks = Member.objects.filter(programme=world.programme).order_by("nik").values_list("nik", flat=True)
    rows = [f"{nik},2600000000{i},DITERIMA,,2026-01-05" for i, nik in enumerate(niks)]
    return "NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n" + "\n".join(rows) + "\n"


def test_after_a_payment_the_page_shows_the_new_figure(
    client: Any, world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any, clock: Any, renders: Any
) -> None:
    from sigap.billing.actions import invoice_issue, payment_record
    from sigap.core.money import Month

    clock(dt.date(2026, 3, 5))
    _enrol(world, tmp_path, django_capture_on_commit_callbacks)
    admin, leader = world.users["admin_dinas"], world.users["pimpinan"]
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(programme=world.programme, month=Month(2026, 1), acting_user=admin)
    client.force_login(leader)
    first = client.get(HOME).content.decode()
    again = client.get(HOME).content.decode()
    assert len(renders) == 1, "the second request is served from the cache"
    assert _same(first, again) and _same(again, _fresh(leader))  # _fresh renders: 2
    assert _figure(again, "premiums-paid") == "Rp0"

    with django_capture_on_commit_callbacks(execute=True) as refreshes:  # dashboard_refresh after commit
        payment_record(
            programme=world.programme,
            sp2d_number="SP2D-001",
            sp2d_date=dt.date(2026, 2, 10),
            amount=invoice.total,
            acting_user=admin,
        )
    assert len(refreshes) == 1
    after = client.get(HOME).content.decode()
    assert len(renders) == 3, "the payment made a new version: rendered again"
    assert _figure(after, "premiums-paid") == f"Rp{invoice.total:,}".replace(",", ".") != "Rp0"
    assert _same(client.get(HOME).content.decode(), after) and len(renders) == 3
    assert _same(after, _fresh(leader))


def test_users_of_two_areas_never_see_each_others_page(world: Any, renders: Any) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    approve(world)
    bekasi = world.users["pimpinan"]
    bogor = user_create(
        username="pimpinan.bogor", password="sandi-rahasia-1", role=roles.PIMPINAN, area_code="3201"
    )
    second_bekasi = user_create(
        username="pimpinan.bekasi.2", password="sandi-rahasia-1", role=roles.PIMPINAN, area_code="3275"
    )
    pages: dict[str, list[str]] = {}
    for user in (bekasi, bogor, second_bekasi, bogor, bekasi, second_bekasi):
        client = Client()
        client.force_login(user)
        pages.setdefault(user.username, []).append(client.get(HOME).content.decode())
    name = world.programme.name
    for page in pages["pimpinan.bogor"]:
        assert name not in page and "pimpinan.bogor" in page and "pimpinan ·" not in page
    for username in ("pimpinan", "pimpinan.bekasi.2"):
        first, cached = pages[username]
        assert name in first and _same(first, cached) and f">{username} ·" in cached
    assert pages["pimpinan"][0] != pages["pimpinan.bekasi.2"][0], "the header names its own user"
    assert len(renders) == 2, "one render per Bekasi user, then the cache; Bogor has no list to render"


def test_the_role_is_checked_on_every_request(client: Any, world: Any) -> None:
    approve(world)
    leader = world.users["pimpinan"]
    client.force_login(leader)
    assert client.get(HOME).status_code == 200
    leader.profile.role = "auditor"
    leader.profile.save()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("web:audit-log")
    leader.is_active = False
    leader.save()
    assert client.get(HOME)["Location"].startswith(reverse("web:login"))


def test_each_visitor_gets_a_working_csrf_token_of_their_own(world: Any, renders: Any) -> None:
    approve(world)
    leader = world.users["pimpinan"]
    tokens = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(leader)
        page = client.get(HOME).content.decode()
        (token,) = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        assert "__sigap_csrf_token__" not in page
        tokens.append(token)
        assert client.post(reverse("web:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert tokens[0] != tokens[1] and len(renders) == 1


def test_a_message_is_shown_not_swallowed_by_the_cache(client: Any, world: Any, renders: Any) -> None:
    approve(world)
    client.force_login(world.users["pimpinan"])
    client.get(HOME)
    storage = CookieStorage(RequestFactory().get(HOME))
    storage.add(constants.SUCCESS, "Program disimpan.")
    carrier = HttpResponse()
    storage.update(carrier)  # what the message middleware does after the request that adds one
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    assert "Program disimpan." in client.get(HOME).content.decode()
    assert "Program disimpan." not in client.get(HOME).content.decode()
    assert len(renders) == 2, "the page with the message was rendered, and not kept"


def test_the_version_follows_what_the_page_shows(world: Any) -> None:
    from sigap.status.actions import dashboard_refresh

    seen = {pagecache.dashboard_version()}

    def changed() -> bool:
        version = pagecache.dashboard_version()
        new = version not in seen
        seen.add(version)
        return new

    assert not changed(), "reading changes nothing"
    approve(world)  # a list comes into force (run state)
    assert changed()
    dashboard_refresh(programme=world.programme)  # aggregates rebuilt
    assert changed()
    world.programme.name = "SIGAP 2026 (perubahan)"
    world.programme.save()
    assert changed()
