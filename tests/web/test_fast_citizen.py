"""The status check in front of Django's request cycle (sigap.web.fastcheck, issue 12's p99 goal).

Driven through WSGI as gunicorn drives ``sigap.wsgi``: a second identical answer is served by the
fast path with the same page (but the visitor's own CSRF token) and the same headers as the whole
stack; every request the whole stack would refuse or treat differently goes to the whole stack; a
request is counted once against the rate limits on either path.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from sigap.web import citizen, fastcheck
from sigap.web.models import RateCounter

from .conftest import KK, KK_A, NIK_A, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db
URL = "/cek-status/"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VARYING = {"date", "expires", "set-cookie"}


@pytest.fixture
def app() -> Iterator[fastcheck.FastCitizenCheck]:
    """The production WSGI stack; the test transaction kept open as Django's test client keeps it."""
    citizen._PAGES.clear()
    fastcheck._headers.clear()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield fastcheck.FastCitizenCheck(WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class Browser:
    """One visitor: keeps its cookies, posts forms with the page's CSRF token."""

    def __init__(self, app: Any, ip: str = "10.0.0.1", language: str = "id") -> None:
        self.app, self.ip, self.language = app, ip, language
        self.cookies: dict[str, str] = {}
        self.token = ""

    def call(
        self, method: str, path: str = URL, body: str = "", **extra: str
    ) -> tuple[int, dict[str, str], list[str], str]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path.split("?")[0],
            "QUERY_STRING": path.partition("?")[2],
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": self.ip,
            "HTTP_ACCEPT_LANGUAGE": self.language,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body.encode()),
            "wsgi.errors": io.StringIO(),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body.encode())),
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        environ.update(extra)
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            seen["status"], seen["headers"] = status, headers

        page = b"".join(self.app(environ, start_response)).decode()
        cookies = [v for k, v in seen["headers"] if k.lower() == "set-cookie"]
        for cookie in cookies:
            name, _, rest = cookie.strip().partition("=")
            self.cookies[name] = rest.split(";")[0]
        found = _TOKEN.search(page)
        if found:
            self.token = found.group(1)
        headers = {k.lower(): v for k, v in seen["headers"] if k.lower() not in _VARYING}
        return int(seen["status"].split()[0]), headers, cookies, page

    def open(self) -> None:
        assert self.call("GET")[0] == 200 and self.token and "csrftoken" in self.cookies

    def check(
        self, nik: str, kk: str | None = None, **extra: str
    ) -> tuple[int, dict[str, str], list[str], str]:
        body = urllib.parse.urlencode({"nik": nik, "kk": kk or KK[nik], "csrfmiddlewaretoken": self.token})
        return self.call("POST", body=body, **extra)


def _without_token(page: str) -> str:
    return _TOKEN.sub("TOKEN", page)


def _counts() -> tuple[int, int]:
    return fastcheck.served["fast"], fastcheck.served["full"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_known_answer_is_served_fast_exactly_as_the_whole_stack_serves_it(
    app: Any, world: Any, language: str
) -> None:
    approve(world)
    for n, nik in enumerate((NIK_A, NIK_WAIT, NIK_POOR_FIT, "3275019999999999")):
        first, second = Browser(app, f"10.1.{n}.1", language), Browser(app, f"10.1.{n}.2", language)
        first.open()
        second.open()
        fast, full = _counts()
        status, headers, cookies, page = first.check(nik, KK.get(nik, KK_A))
        assert status == 200 and _counts() == (fast, full + 1)  # first of its kind: the whole stack
        status2, headers2, cookies2, page2 = second.check(nik, KK.get(nik, KK_A))
        assert status2 == 200 and _counts() == (fast + 1, full + 1)  # then the fast path
        assert _without_token(page2) == _without_token(page)
        assert second.token != first.token and second.token in page2  # the visitor's own token
        assert headers2 == headers
        # the CSRF cookie renewed with the same attributes (expiry, path, SameSite...)
        assert [c.strip().split("=")[0] for c in cookies2] == [c.strip().split("=")[0] for c in cookies]
        assert [c.strip().split("=")[0] for c in cookies] == ["csrftoken"]
        attributes = [re.sub(r"expires=[^;]+", "", c.split(";", 1)[1]) for c in (cookies[0], cookies2[0])]
        assert attributes[0] == attributes[1]
    words = "Terpilih sebagai calon peserta" if language == "id" else "Selected as a future member"
    browser = Browser(app, "10.1.9.9", language)
    browser.open()
    assert words in browser.check(NIK_A)[3]


def test_what_the_whole_stack_treats_differently_goes_to_it(app: Any, world: Any, settings: Any) -> None:
    approve(world)
    warm = Browser(app, "10.2.0.1")
    warm.open()
    assert warm.check(NIK_A)[0] == 200  # the answer's page and headers are now kept
    visitor = Browser(app, "10.2.0.2")
    visitor.open()

    def through_whole_stack(*expect: int, **call: Any) -> str:
        fast, full = _counts()
        status, _, _, page = call.pop("do")(**call)
        assert status in expect, (status, page[:300])
        assert _counts()[0] == fast  # not answered in front of Django
        return page

    # CSRF: no cookie, a wrong token
    stranger = Browser(app, "10.2.0.3")
    through_whole_stack(403, do=stranger.check, nik=NIK_A)
    forged = Browser(app, "10.2.0.4")
    forged.open()
    forged.token = "x" * 64
    through_whole_stack(403, do=forged.check, nik=NIK_A)
    # a cross-site origin, even with a valid token
    through_whole_stack(403, do=visitor.check, nik=NIK_A, HTTP_ORIGIN="https://evil.example")
    # an officer's session, a messages cookie, a query string
    officer = Browser(app, "10.2.0.5")
    officer.open()
    officer.cookies["sessionid"] = "abc"
    through_whole_stack(200, do=officer.check, nik=NIK_A)
    body = urllib.parse.urlencode({"nik": NIK_A, "kk": KK_A, "csrfmiddlewaretoken": visitor.token})
    through_whole_stack(200, do=visitor.call, method="POST", path=URL + "?x=1", body=body)
    # an invalid form (the whole stack shows the error), a host not allowed
    page = through_whole_stack(200, do=visitor.check, nik="12", kk=KK_A)
    assert "NIK harus 16 digit angka" in page
    through_whole_stack(400, do=visitor.check, nik=NIK_A, HTTP_HOST="evil.example")
    # the HTTPS redirect: plain http is redirected, never answered
    settings.SECURE_SSL_REDIRECT = True
    visitor.app = fastcheck.FastCitizenCheck(WSGIHandler())  # the middleware read the setting at start
    through_whole_stack(301, do=visitor.check, nik=NIK_A)
    settings.SECURE_SSL_REDIRECT = False
    visitor.app = app
    # CommonMiddleware's user-agent rule is the whole stack's
    settings.DISALLOWED_USER_AGENTS = [re.compile("evilbot")]
    through_whole_stack(403, do=visitor.check, nik=NIK_A, HTTP_USER_AGENT="evilbot/1.0")
    settings.DISALLOWED_USER_AGENTS = []
    fast, full = _counts()
    assert visitor.check(NIK_A)[0] == 200 and _counts() == (fast + 1, full)


def test_each_request_counts_once_against_the_limits(app: Any, world: Any, settings: Any) -> None:
    from sigap.web.ratelimit import _key

    settings.SIGAP_CITIZEN_CHECK_PER_NIK = 3
    approve(world)
    statuses = []
    for n in range(5):
        visitor = Browser(app, f"10.3.0.{n}")
        visitor.open()
        status, _, _, page = visitor.check(NIK_A)
        statuses.append(status)
    assert statuses == [200, 200, 200, 429, 429]
    assert fastcheck.served["fast"] >= 2  # the second and third were answered in front of Django
    counter = RateCounter.objects.get(bucket=_key("citizen-nik", NIK_A))
    assert counter.hits == 5  # five requests, five counts: a refused one is not counted twice


def test_typed_pair_accepts_exactly_what_the_form_accepts() -> None:
    """The fast path's check of the two fields is the form's, on typed and generated values."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    digits = st.text(alphabet="0123456789", min_size=14, max_size=18)
    typed = st.one_of(
        digits,
        digits.map(lambda d: f" {d[:4]}.{d[4:8]}-{d[8:]} "),
        st.text(alphabet="0123456789 .-\t", max_size=30),
        st.text(max_size=30),
        st.none(),
    )

    @settings(max_examples=400, deadline=None)
    @given(typed, typed)
    def same(nik: str | None, kk: str | None) -> None:
        data = {k: v for k, v in (("nik", nik), ("kk", kk)) if v is not None}
        form = citizen.StatusForm(data)
        expected = (form.cleaned_data["nik"], form.cleaned_data["kk"]) if form.is_valid() else None
        assert citizen.typed_pair(nik, kk) == expected

    same()
    assert citizen.typed_pair("3275 0145.0580-0001", "3275011706900011") == (
        "3275014505800001",
        "3275011706900011",
    )
    assert citizen.typed_pair("3275014505800001", "٣٢٧٥٠١١٧٠٦٩٠٠٠١١") is None  # Arabic-Indic digits


def test_the_fast_token_is_a_django_token_with_a_uniform_fresh_mask() -> None:
    """fastcheck.masked_token makes what Django's get_token makes: Django's own format check and
    unmasking accept it, the cookie is marked for renewal, and the mask is fresh and uniform."""
    from collections import Counter

    from django.middleware.csrf import (
        CSRF_ALLOWED_CHARS,
        _check_token_format,
        _does_token_match,
        _get_new_csrf_string,
        _unmask_cipher_token,
    )

    class Request:
        META: dict[str, Any]

    seen: Counter[str] = Counter()
    tokens = set()
    for _ in range(2000):
        request = Request()
        secret = _get_new_csrf_string()
        request.META = {"CSRF_COOKIE": secret}
        token = fastcheck.masked_token(request)  # type: ignore[arg-type]
        _check_token_format(token)
        assert _unmask_cipher_token(token) == secret and _does_token_match(token, secret)
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
        tokens.add(token)
        seen.update(token[:32])
    assert len(tokens) == 2000
    same = _get_new_csrf_string()
    again = set()
    for _ in range(50):  # one visitor, one secret: a fresh mask every time
        request = Request()
        request.META = {"CSRF_COOKIE": same}
        again.add(fastcheck.masked_token(request))  # type: ignore[arg-type]
    assert len(again) == 50 and {_unmask_cipher_token(t) for t in again} == {same}
    # 64,000 mask characters over 62 values: ~1,032 each; a bias of 5/248 (byte % 62) would put the
    # first eight characters near 1,290
    assert set(seen) == set(CSRF_ALLOWED_CHARS)
    assert max(seen.values()) < 1200 and min(seen.values()) > 870
