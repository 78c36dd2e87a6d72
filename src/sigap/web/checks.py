"""SIGAP's deployment checks (``sigap manage check --deploy``), next to Django's own.

Under ``--deploy``: the public default secret key or a weak one (errors), ALLOWED_HOSTS empty, ``*`` or
only this machine's names, HTTPS off, a status key shorter than the default derivation's strength, and
rate limits that a per-process cache would keep (warnings).  The default key outside ``--deploy`` is
not flagged: ``make demo`` and ``make test`` run on it; production (SIGAP_ENV=production) refuses it
before any check runs (settings.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from sigap.deploy import DEFAULT_SECRET_KEY, secret_key_problems

LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "[::1]"}
STATUS_KEY_MIN_LENGTH = 32


@register(Tags.security, deploy=True)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    key = str(settings.SECRET_KEY)
    if key == DEFAULT_SECRET_KEY:
        found.append(
            Error(
                "SECRET_KEY is SIGAP's public development key.",
                hint="Set SIGAP_SECRET_KEY to a random value of 50+ characters: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="sigap.E001",
            )
        )
    else:
        for problem in secret_key_problems(key):
            found.append(Error(problem, id="sigap.E002"))
    hosts = [str(h) for h in settings.ALLOWED_HOSTS]
    if not hosts or "*" in hosts or set(hosts) <= LOCAL_HOSTS:
        found.append(
            Warning(
                f"ALLOWED_HOSTS is {hosts!r}: set SIGAP_ALLOWED_HOSTS to the name(s) citizens and officers use.",
                hint="e.g. SIGAP_ALLOWED_HOSTS=sigap.bekasikota.go.id",
                id="sigap.W003",
            )
        )
    if not getattr(settings, "SIGAP_HTTPS", False):
        found.append(
            Warning(
                "SIGAP_HTTPS is off: passwords, session cookies and citizens' NIK travel in clear text.",
                hint="Serve SIGAP over HTTPS (usually a reverse proxy) and set SIGAP_HTTPS=1.",
                id="sigap.W004",
            )
        )
    status_key = str(getattr(settings, "SIGAP_STATUS_KEY", "") or "")
    if status_key and len(status_key) < STATUS_KEY_MIN_LENGTH:
        found.append(
            Warning(
                f"SIGAP_STATUS_KEY has {len(status_key)} characters; use at least {STATUS_KEY_MIN_LENGTH} "
                "(or leave it empty to derive it from SIGAP_SECRET_KEY).",
                id="sigap.W005",
            )
        )
    from sigap.web import ratelimit

    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if ratelimit.store() == "cache" and not backend.endswith("RedisCache"):
        found.append(
            Warning(
                "Rate limits count in a per-process cache: each web worker lets the whole limit through.",
                hint="Leave SIGAP_RATELIMIT_STORE unset (database), or set SIGAP_CACHE_URL=redis://...",
                id="sigap.W006",
            )
        )
    return found
