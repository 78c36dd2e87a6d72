"""The citizen-status lookup key: a keyed hash of NIK and birth date.

The status table stores neither value in clear.  Both must match for a row to be found, and without
the key (``SIGAP_STATUS_KEY``, default derived from ``SECRET_KEY``) a copy of the table cannot be
searched by NIK.  Changing the key needs ``sigap manage status_refresh``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings

KEY_LENGTH = 32  # hex characters: 128 bits


def _secret() -> bytes:
    configured = getattr(settings, "SIGAP_STATUS_KEY", "") or f"sigap.status:{settings.SECRET_KEY}"
    return str(configured).encode()


def hasher() -> Callable[[str, dt.date], str]:
    """A function ``(nik, birth date) -> key`` (the HMAC state is prepared once, copied per row)."""
    base = hmac.new(_secret(), digestmod=hashlib.sha256)

    def key(nik: str, birth_date: dt.date) -> str:
        h = base.copy()
        h.update(f"{nik}|{birth_date.isoformat()}".encode())
        return h.hexdigest()[:KEY_LENGTH]

    return key


def status_key(nik: str, birth_date: dt.date) -> str:
    return hasher()(nik, birth_date)
