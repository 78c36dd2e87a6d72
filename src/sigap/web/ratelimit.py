"""Rate limits shared by every process serving SIGAP, and the client address they count.

Counters live where all gunicorn workers (and all servers) see them: in Redis when ``SIGAP_CACHE_URL``
names one, in the database otherwise (table ``web_ratecounter``, one atomic upsert per hit, on SQLite and
PostgreSQL alike).  Never in a per-process memory cache: with N workers that let N times the limit through.
``SIGAP_RATELIMIT_STORE`` (auto, database, cache) overrides the choice.

Each counter's window opens at the first request and lasts ``window`` seconds; a hit after the window
starts a new one.  Unlike windows aligned to the clock, a burst cannot straddle a boundary and get twice
the limit.

The client address is REMOTE_ADDR, unless the peer is one of ``SIGAP_TRUSTED_PROXIES``: then the
X-Forwarded-For chain is read from the right, skipping trusted proxies, and the first address that is
not one of them is the client.  Addresses a client writes into the header itself sit to the left of
that and are never believed.  IPv6 clients are counted per /64 (one subscriber's whole prefix).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import random
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from sigap import hotsql
from sigap.deploy import Network, parse_networks

#: One hit in this many also deletes expired counters (the table stays as small as the live windows).
PRUNE_ONE_IN = 200


def _key(scope: str, value: str) -> str:
    # Values (IP addresses, NIKs) are hashed with the secret key: the store holds no personal data.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:32]
    return f"sigap:rl:{scope}:{digest}"


def store() -> str:
    """``"cache"`` (Redis) or ``"database"``: where the counters are kept."""
    chosen = getattr(settings, "SIGAP_RATELIMIT_STORE", "auto")
    if chosen != "auto":
        return str(chosen)
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    return "cache" if backend.endswith("RedisCache") else "database"


def hit(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one request for ``value``; False when it is over ``limit`` in the current window."""
    return hit_all([(scope, value, limit)], window=window)


def hit_all(counters: list[tuple[str, str, int]], *, window: int) -> bool:
    """Count one request on each ``(scope, value, limit)`` counter at once (in the database: one
    statement, one round trip); False when any of them is over its limit in its window."""
    keys = [_key(scope, value) for scope, value, _ in counters]
    if store() == "cache":
        counts = [_hit_cache(key, window) for key in keys]
    else:
        counts = _hit_database_many(keys, window)
    return all(count <= limit for count, (_, _, limit) in zip(counts, counters, strict=True))


def _hit_cache(key: str, window: int) -> int:
    # Redis: ADD (SET NX EX) then INCR, both atomic; INCR keeps the expiry.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _hit_database(key: str, window: int) -> int:
    return _hit_database_many([key], window)[0]


@functools.cache
def _upsert_sql(table: str, rows: int) -> str:
    # One statement: insert each counter, or increment it, or restart it when its window has ended.
    # Atomic on SQLite (one writer at a time) and PostgreSQL (each row is locked by ON CONFLICT).  The
    # window's end is compared with excluded.window_ends - window (= now) so that every row has the
    # same two parameters.
    values = ", ".join(["(%s, 1, %s)"] * rows)
    return (
        f"INSERT INTO {table} (bucket, hits, window_ends) VALUES {values} "  # noqa: S608 -- our table name
        f"ON CONFLICT (bucket) DO UPDATE SET "
        f"hits = CASE WHEN {table}.window_ends <= %s THEN 1 ELSE {table}.hits + 1 END, "
        f"window_ends = CASE WHEN {table}.window_ends <= %s THEN excluded.window_ends "
        f"ELSE {table}.window_ends END "
        f"RETURNING bucket, hits"
    )


def _hit_database_many(keys: list[str], window: int) -> list[int]:
    from sigap.web.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    now = time.time()
    params: list[Any] = [p for key in keys for p in (key, now + window)] + [now, now]
    with hotsql.cursor() as cursor:  # prepared on PostgreSQL: every request runs it
        cursor.execute(_upsert_sql(table, len(keys)), params)
        counts = {str(bucket): int(hits) for bucket, hits in cursor.fetchall()}
        if random.randrange(PRUNE_ONE_IN) == 0:  # noqa: S311 -- housekeeping, not security
            cursor.execute(f"DELETE FROM {table} WHERE window_ends < %s", [now])  # noqa: S608
    return [counts[key] for key in keys]


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(parse_networks(",".join(spec)))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def axes_client_ip(request: Any) -> str | None:
    """:func:`client_ip` for django-axes, whose logs keep a real IP address or none (a request made in
    a test or a management command has no address: ``"unknown"`` is not storable on PostgreSQL)."""
    address = client_ip(request)
    return None if address == "unknown" else address


def client_ip(request: Any) -> str:
    """The client's address (see the module docstring); ``"unknown"`` when there is none."""
    meta = getattr(request, "META", {})
    peer = str(meta.get("REMOTE_ADDR") or "")
    trusted = tuple(getattr(settings, "SIGAP_TRUSTED_PROXIES", ()))
    # the header is read (and is part of the cache key) only from a trusted proxy: a client talking to
    # SIGAP directly cannot fill the cache with headers of its own
    forwarded = (
        str(meta.get("HTTP_X_FORWARDED_FOR") or "") if trusted and _peer_trusted(peer, trusted) else ""
    )
    if len(forwarded) > _CACHED_FORWARDED_MAX:  # a long chain is parsed, not kept: the cache stays small
        return _client_ip.__wrapped__(peer, forwarded, trusted)
    return _client_ip(peer, forwarded, trusted)


@functools.lru_cache(maxsize=4096)
def _peer_trusted(remote_addr: str, trusted_spec: tuple[str, ...]) -> bool:
    peer = _address(remote_addr)
    return peer is not None and any(peer in net for net in _networks(trusted_spec))


_CACHED_FORWARDED_MAX = 256


@functools.lru_cache(maxsize=4096)  # the public check asks on every request: parsing is ~10 us
def _client_ip(remote_addr: str, forwarded_for: str, trusted_spec: tuple[str, ...]) -> str:
    peer = _address(remote_addr)
    if peer is None:
        return "unknown"
    if not _peer_trusted(remote_addr, trusted_spec):
        return str(peer)
    trusted = _networks(trusted_spec)
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage: nothing further left can be believed
        client = address
        if not any(address in net for net in trusted):
            break
    return str(client)


def client_bucket(request: Any) -> str:
    """What a per-address limit counts: the address; for IPv6 its /64."""
    return _bucket(client_ip(request))


@functools.lru_cache(maxsize=4096)
def _bucket(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return ip


def is_trusted_proxy(request: Any) -> bool:
    peer = str(getattr(request, "META", {}).get("REMOTE_ADDR") or "")
    return _peer_trusted(peer, tuple(getattr(settings, "SIGAP_TRUSTED_PROXIES", ())))
