"""Login lockout per username (any address) and per address (any username); sessions that end when
idle and after a fixed number of hours.  Times are pinned (time-machine), never today's."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "sandi-rahasia-1"
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
USER_LOCK = "Nama pengguna ini dikunci sementara"
ADDRESS_LOCK = "Alamat jaringan Anda dikunci sementara"


@pytest.fixture
def at() -> Iterator[Any]:
    """``at(minutes)``: the clock stands still at START + minutes."""
    with time_machine.travel(START, tick=False) as traveller:
        yield lambda minutes: traveller.move_to(START + dt.timedelta(minutes=minutes))


@pytest.fixture
def officers() -> list[Any]:
    return [get_user_model().objects.create_user(f"petugas{i}", password=PASSWORD) for i in range(8)]


def _login(username: str, password: str, ip: str, **extra: Any) -> Any:
    return Client(REMOTE_ADDR=ip).post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def _signed_in(client: Client) -> bool:
    """A request to the home page: still logged in? (These users have no role: a 403 page, not the login.)"""
    response = client.get(reverse("web:home"))
    return bool(response.wsgi_request.user.is_authenticated and response.status_code != 302)


def test_one_username_from_twenty_addresses_is_locked(at: Any, officers: list[Any]) -> None:
    codes = [_login("petugas0", "salah", f"10.3.0.{i}").status_code for i in range(20)]
    assert codes[:4] == [200] * 4 and set(codes[4:]) == {429}
    refused = _login("petugas0", PASSWORD, "10.3.1.1")  # the right password, from a fresh address
    page = refused.content.decode()
    assert refused.status_code == 429 and USER_LOCK in page and ADDRESS_LOCK not in page
    assert "Coba lagi setelah 15 menit" in page and refused["Retry-After"] == "900"
    english = _login("petugas0", PASSWORD, "10.3.1.2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This username is locked for a while: 5 wrong passwords" in english
    # other officers are not affected, from those same addresses
    assert _login("petugas1", PASSWORD, "10.3.0.1").status_code == 302
    at(16)  # the cool-off has passed
    assert _login("petugas0", PASSWORD, "10.3.1.1").status_code == 302


def test_guesses_spread_over_many_usernames_lock_the_address(at: Any, officers: list[Any]) -> None:
    """14 guesses over 7 usernames (two each, under the per-username limit) from one address."""
    codes = [_login(f"petugas{i % 7}", "salah", "10.4.0.1").status_code for i in range(14)]
    assert codes[:9] == [200] * 9 and set(codes[9:]) == {429}
    refused = _login("petugas7", PASSWORD, "10.4.0.1")  # an untouched account, the right password
    page = refused.content.decode()
    assert refused.status_code == 429 and ADDRESS_LOCK in page and USER_LOCK not in page
    # the usernames themselves are not locked: their owners log in from elsewhere
    assert _login("petugas0", PASSWORD, "10.4.0.2").status_code == 302


def test_a_successful_login_clears_only_ones_own_failures(at: Any, officers: list[Any]) -> None:
    """A kelurahan office shares one address: an officer who mistyped and then logged in does not
    wipe what others (or an attacker) failed from that address."""
    for _ in range(4):
        assert _login("petugas1", "salah", "10.5.0.1").status_code == 200  # someone else, 4 failures
    for _ in range(3):
        assert _login("petugas2", "salah", "10.5.0.1").status_code == 200  # a typing officer
    assert _login("petugas2", PASSWORD, "10.5.0.1").status_code == 302  # 7 < 10: allowed; clears petugas2
    for _ in range(5):
        _login("petugas3", "salah", "10.5.0.1")
    # 4 (petugas1) + 5 (petugas3) = 9 from the address, petugas3 at its own limit
    assert USER_LOCK in _login("petugas3", PASSWORD, "10.5.0.2").content.decode()
    assert _login("petugas1", "salah", "10.5.0.1").status_code == 429  # the 10th: the address is locked
    assert ADDRESS_LOCK in _login("petugas4", PASSWORD, "10.5.0.1").content.decode()


def test_behind_a_trusted_proxy_the_citizen_address_counts(
    at: Any, officers: list[Any], settings: Any
) -> None:
    settings.SIGAP_TRUSTED_PROXIES = ["10.20.0.0/16"]
    for i in range(10):
        _login(f"petugas{i % 5}", "salah", "10.20.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert _login("petugas6", PASSWORD, "10.20.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # another office behind the same proxy is not locked out with it
    assert _login("petugas6", PASSWORD, "10.20.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_an_idle_session_ends(at: Any, officers: list[Any]) -> None:
    client = Client()
    assert (
        client.post(reverse("web:login"), {"username": "petugas0", "password": PASSWORD}).status_code == 302
    )
    at(29)
    assert _signed_in(client)
    at(29 + 29)
    assert _signed_in(client)  # 29 minutes since the last request: still in
    at(29 + 29 + 30)
    ended = client.get(reverse("web:home"), follow=True)
    assert ended.redirect_chain[0][0].startswith(reverse("web:login"))
    assert "tidak ada kegiatan selama 30 menit" in ended.content.decode()
    assert not ended.wsgi_request.user.is_authenticated


def test_a_busy_session_still_ends_after_its_hours(at: Any, officers: list[Any], settings: Any) -> None:
    settings.SIGAP_SESSION_MAX_HOURS = 2
    client = Client()
    assert (
        client.post(reverse("web:login"), {"username": "petugas0", "password": PASSWORD}).status_code == 302
    )
    for minutes in range(20, 120, 20):
        at(minutes)
        assert _signed_in(client)
    at(120)
    ended = client.get(reverse("web:home"), follow=True)
    assert "batas 2 jam sejak masuk" in ended.content.decode()
    assert not ended.wsgi_request.user.is_authenticated
    # logging in again starts a new session with its own hours
    assert (
        client.post(reverse("web:login"), {"username": "petugas0", "password": PASSWORD}).status_code == 302
    )
    at(121)
    assert _signed_in(client)


def test_session_settings() -> None:
    from django.conf import settings

    assert settings.SIGAP_SESSION_IDLE_MINUTES == 30 and settings.SIGAP_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
