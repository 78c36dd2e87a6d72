"""Deployment rules read by settings.py (before Django is set up) and by the system checks.

Pure functions, no Django: what counts as a usable secret key, and the trusted-proxy list.

"Production" is ``SIGAP_ENV=production``.  It is also the default when the app is served by a WSGI
server other than Django's development server (gunicorn, uWSGI, mod_wsgi: ``sigap.wsgi`` sets it when
the environment does not say), so ``gunicorn sigap.wsgi`` with the public default key refuses to
start.  ``sigap demo``, ``sigap manage runserver``, the CLI and the tests are development unless
``SIGAP_ENV=production`` is set: ``make demo`` and ``make test`` need no environment at all.
"""

from __future__ import annotations

import ipaddress

ENVIRONMENTS = ("development", "production")

#: The key in the public source: fine on a laptop, never on a server (every SIGAP install would share it).
DEFAULT_SECRET_KEY = "insecure-dev-key-change-me-" + "x" * 32

#: Django's own rule for a key worth the name (security.W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def secret_key_problems(key: str) -> list[str]:
    """What is wrong with ``key`` as a production secret (empty list: nothing)."""
    if key == DEFAULT_SECRET_KEY:
        return ["SIGAP_SECRET_KEY is not set: the public development key from SIGAP's source is in use"]
    problems = []
    if len(key) < SECRET_KEY_MIN_LENGTH:
        problems.append(f"SIGAP_SECRET_KEY has {len(key)} characters; use at least {SECRET_KEY_MIN_LENGTH}")
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        problems.append(
            f"SIGAP_SECRET_KEY has {len(set(key))} different characters; use at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} (a random key: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return problems


def parse_networks(text: str, *, name: str = "SIGAP_TRUSTED_PROXIES") -> list[Network]:
    """Comma-separated addresses or CIDR blocks (``10.0.0.5, 10.1.0.0/16, fd00::/8``)."""
    networks: list[Network] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{name}: {item!r} is not an IP address or CIDR block (e.g. 10.0.0.0/8)"
            ) from None
    return networks
