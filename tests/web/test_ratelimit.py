"""Rate limits: counted where every process sees them, per client address as a trusted proxy reports it,
and a per-IP ceiling a kelurahan help desk does not reach while the per-NIK limit stops enumeration.

The two-process test is tests/ops/test_concurrency.py::test_rate_limit_is_shared_by_two_processes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import RequestFactory

from sigap.web import ratelimit
from sigap.web.models import RateCounter

from .conftest import KK_A, NIK_A, approve

pytestmark = pytest.mark.django_db
URL = "/cek-status/"
PROXY = "10.20.0.5"


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.SIGAP_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert ratelimit.client_ip(_request("")) == "unknown"


def test_a_trusted_proxy_names_the_client(settings: Any) -> None:
    settings.SIGAP_TRUSTED_PROXIES = ["10.20.0.0/16", "fd00::/8"]
    assert ratelimit.client_ip(_request(PROXY, "198.51.100.1")) == "198.51.100.1"
    # what the client wrote itself sits left of what the proxy appended: never believed
    assert ratelimit.client_ip(_request(PROXY, "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    # two trusted proxies in a row (a load balancer before nginx)
    assert ratelimit.client_ip(_request(PROXY, "1.2.3.4, 198.51.100.1, 10.20.9.9")) == "198.51.100.1"
    # a proxy that adds ports, IPv6 and IPv4-mapped forms
    assert ratelimit.client_ip(_request(PROXY, "198.51.100.1:51234")) == "198.51.100.1"
    assert ratelimit.client_ip(_request(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"
    assert ratelimit.client_ip(_request("::ffff:10.20.0.5", "198.51.100.2")) == "198.51.100.2"
    # no header, or garbage only: the proxy itself
    assert ratelimit.client_ip(_request(PROXY)) == PROXY
    assert ratelimit.client_ip(_request(PROXY, "not-an-ip")) == PROXY
    # an untrusted peer's header is ignored
    assert ratelimit.client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    # a long chain (not kept in the address cache) reads the same way
    long_chain = ", ".join(["1.2.3.4"] * 60 + ["198.51.100.3", "10.20.9.9"])
    assert ratelimit.client_ip(_request(PROXY, long_chain)) == "198.51.100.3"
    # the answers are cached by (peer, header, trusted proxies): a changed setting is a new answer
    settings.SIGAP_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(_request(PROXY, "198.51.100.1")) == PROXY


def test_ipv6_clients_count_per_64(settings: Any) -> None:
    settings.SIGAP_TRUSTED_PROXIES = []
    one = ratelimit.client_bucket(_request("2001:db8:1:2::1"))
    assert one == ratelimit.client_bucket(_request("2001:db8:1:2:ffff::9")) == "2001:db8:1:2::/64"
    assert ratelimit.client_bucket(_request("198.51.100.1")) == "198.51.100.1"


def test_database_counter_limit_and_window(settings: Any) -> None:
    assert ratelimit.store() == "database"  # the embedded default: no per-process memory
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert [ratelimit.hit(scope="t", value="v", limit=3, window=60) for _ in range(4)] == [True] * 3 + [
            False
        ]
        assert ratelimit.hit(scope="t", value="other", limit=3, window=60)
        clock.shift(59)
        assert not ratelimit.hit(scope="t", value="v", limit=3, window=60)
        clock.shift(1)  # the window opened at the first hit has ended: a new one starts
        assert ratelimit.hit(scope="t", value="v", limit=3, window=60)
    stored = list(RateCounter.objects.values_list("bucket", flat=True))
    assert len(stored) == 2 and all(b.startswith("sigap:rl:t:") and len(b) == 43 for b in stored)  # hashed


def test_redis_store_when_configured(settings: Any) -> None:
    pytest.importorskip("redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"no Redis: {e}")
    assert ratelimit.store() == "cache"
    assert [ratelimit.hit(scope="t", value="r", limit=2, window=60) for _ in range(3)] == [True, True, False]
    assert not RateCounter.objects.exists()
    cache.clear()


def test_a_help_desk_is_not_the_enumeration_it_guards_against(client: Any, world: Any, settings: Any) -> None:
    """One kelurahan counter checks 40 visitors in a minute from one address: all answered.  One NIK
    tried with six KK numbers from six addresses: the sixth is refused."""
    assert settings.SIGAP_CITIZEN_CHECK_PER_IP >= 120 and settings.SIGAP_CITIZEN_CHECK_PER_NIK == 5
    approve(world)
    codes = {
        client.post(URL, {"nik": f"32750199999900{i:02d}", "kk": KK_A}, REMOTE_ADDR="10.50.0.1").status_code
        for i in range(40)
    }
    assert codes == {200}
    guesses = [
        client.post(
            URL, {"nik": NIK_A, "kk": f"32750117069000{d:02d}"}, REMOTE_ADDR=f"10.1.1.{d}"
        ).status_code
        for d in range(1, 7)
    ]
    assert guesses == [200] * 5 + [429]


def test_clients_behind_a_trusted_proxy_are_counted_apart(client: Any, world: Any, settings: Any) -> None:
    settings.SIGAP_TRUSTED_PROXIES = ["10.20.0.0/16"]
    settings.SIGAP_CITIZEN_CHECK_PER_IP = 2

    def check(i: int, forwarded: str, remote: str = PROXY) -> int:
        data = {"nik": f"32750199999901{i:02d}", "kk": KK_A}
        return client.post(URL, data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [check(i, "198.51.100.1") for i in range(3)] == [200, 200, 429]
    assert check(3, "198.51.100.2") == 200  # another citizen through the same proxy
    # a client reaching the app directly cannot pick a new address with the header
    assert [check(10 + i, f"192.0.2.{i}", remote="203.0.113.9") for i in range(3)] == [200, 200, 429]


def test_https_from_a_trusted_proxy_only(client: Any, world: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SIGAP_TRUSTED_PROXIES = ["10.20.0.0/16"]
    behind = client.get(URL, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert behind.status_code == 200
    spoofed = client.get(URL, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301 and spoofed["Location"].startswith("https://")
