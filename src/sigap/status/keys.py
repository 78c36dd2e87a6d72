"""The citizen-status lookup key: a keyed hash of NIK and KK number (nomor Kartu Keluarga).

Why the KK number: a NIK carries its holder's birth date (digits 7-12, day + 40 for women) and region,
so "NIK + birth date" is the NIK alone.  The KK number is printed on the same family card the citizen
holds, and its issue date and serial cannot be derived from the NIK.

The status table and the per-run status files store neither value in clear, and without the key
(``SIGAP_STATUS_KEY``, default derived from ``SECRET_KEY``) they cannot be searched by NIK.  The key is
a nested keyed SHA-256, ``sha256(outer || sha256(inner || nik "|" kk))`` with two secrets derived from
the configured key, written so that the engine's SQL (``sha256`` over text) and Python compute the same
value: the status files of millions of people are made set-based by the engine (:func:`lookup_sql`),
members' rows in Python (:func:`hasher`).  Changing the key needs ``sigap manage status_refresh``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings

KEY_LENGTH = 32  # hex characters: 128 bits


def _secrets() -> tuple[str, str]:
    return _derived(getattr(settings, "SIGAP_STATUS_KEY", "") or f"sigap.status:{settings.SECRET_KEY}")


@functools.lru_cache(maxsize=4)
def _derived(configured: str) -> tuple[str, str]:
    inner = hashlib.sha256(f"inner|{configured}".encode()).hexdigest()
    outer = hashlib.sha256(f"outer|{configured}".encode()).hexdigest()
    return inner, outer


def fingerprint() -> str:
    """A short public name of the key in use (status files are named with it)."""
    return _fingerprint(_secrets())


@functools.lru_cache(maxsize=4)
def _fingerprint(secrets: tuple[str, str]) -> str:
    return hashlib.sha256("|".join(secrets).encode()).hexdigest()[:12]


def hasher() -> Callable[[str, str], str]:
    """A function ``(nik, kk) -> key`` (the secrets are derived once)."""
    inner, outer = _secrets()
    inner_b, outer_b = inner.encode(), outer.encode()

    def key(nik: str, kk: str) -> str:
        digest = hashlib.sha256(inner_b + f"{nik}|{kk}".encode()).hexdigest()
        return hashlib.sha256(outer_b + digest.encode()).hexdigest()[:KEY_LENGTH]

    return key


def status_key(nik: str, kk: str) -> str:
    return hasher()(nik, kk)


def lookup_sql(nik: str, kk: str) -> str:
    """The same key as a DuckDB expression over the columns ``nik`` and ``kk`` (trusted SQL names)."""
    inner, outer = _secrets()  # hex digits only: safe inside a SQL literal
    return f"left(sha256('{outer}' || sha256('{inner}' || {nik} || '|' || {kk})), {KEY_LENGTH})"
