"""Login lockout: per username from any address, and per address for any username (django-axes).

- ``SIGAP_LOGIN_FAILURE_LIMIT`` (``AXES_FAILURE_LIMIT``, 5) failed logins for one username, from any
  number of addresses, lock that username: guessing one officer's password from many addresses fails.
- ``SIGAP_LOGIN_IP_FAILURE_LIMIT`` (10) failed logins from one address, for any usernames, lock that
  address: spraying a few guesses over many accounts fails.  Higher than the per-username limit since a
  kelurahan office's officers share one address.
- Each lock lasts ``AXES_COOLOFF_TIME`` after the last failure; an Admin Dinas (or ``sigap manage
  axes_reset_username NAME`` / ``axes_reset_ip ADDRESS``) can lift it earlier.
- A successful login clears that username's failures only: logging in to one's own account does not
  clear the failures of the address (an insider could otherwise reset the per-address count).

django-axes compares one number, :meth:`LockoutHandler.get_failures`, with ``AXES_FAILURE_LIMIT``; this
handler answers with the per-username count, or the limit itself once either lock holds.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

USERNAME, ADDRESS = "username", "ip_address"


def ip_failure_limit() -> int:
    return int(getattr(settings, "SIGAP_LOGIN_IP_FAILURE_LIMIT", 10))


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    def failure_counts(self, request: Any, credentials: dict[str, Any] | None = None) -> dict[str, int]:
        """Recent failures (within the cool-off time) per lockout parameter: username, ip_address."""
        counts: dict[str, int] = {}
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            name = parameter if isinstance(parameter, str) else "+".join(parameter)
            counts[name] = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return counts

    def locks(self, request: Any, credentials: dict[str, Any] | None = None) -> list[str]:
        """The locks that hold for this request: ``"username"`` and/or ``"ip_address"``."""
        counts = self.failure_counts(request, credentials)
        held = []
        if (
            get_client_username(request, credentials)
            and counts.get(USERNAME, 0) >= settings.AXES_FAILURE_LIMIT
        ):
            held.append(USERNAME)
        if counts.get(ADDRESS, 0) >= ip_failure_limit():
            held.append(ADDRESS)
        return held

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        limit = int(settings.AXES_FAILURE_LIMIT)
        if self.locks(request, credentials):
            return max(limit, self.failure_counts(request, credentials).get(USERNAME, 0))
        return min(limit - 1, self.failure_counts(request, credentials).get(USERNAME, 0))

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """After a successful login: the username's failures only (see the module docstring)."""
        from axes.models import AccessAttempt

        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The 429 page, saying which lock holds (in the visitor's language; Bahasa Indonesia by default)."""
    handler = LockoutHandler()
    locks = handler.locks(request, credentials) if hasattr(request, "axes_attempt_time") else []
    cool_off = get_cool_off(request)
    context = {
        "username_locked": USERNAME in locks or not locks,
        "address_locked": ADDRESS in locks,
        "username_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": ip_failure_limit(),
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else 0,
        "nav": "",
    }
    response = render(
        request, "sigap/login_locked.html", context, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
