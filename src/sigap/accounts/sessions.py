"""Officers' sessions end when left idle and, whatever the activity, some hours after the login.

- Idle: no request for ``SIGAP_SESSION_IDLE_MINUTES`` (30) -- a screen left open at a kelurahan
  counter is not an open door for the next visitor.
- Absolute: ``SIGAP_SESSION_MAX_HOURS`` (12) after the login, even when busy; the session cookie
  expires then too (``SESSION_COOKIE_AGE``).

The session holds two Unix times: when it logged in and when it was last seen.  "Last seen" is written
at most once a minute, so an active officer does not cause a session write per request.  An ended
session is logged out and the officer sees why on the login page (Bahasa Indonesia by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED = "sigap_login_at"
SEEN = "sigap_seen_at"
SEEN_RESOLUTION = 60  # seconds


def idle_seconds() -> int:
    return int(getattr(settings, "SIGAP_SESSION_IDLE_MINUTES", 30)) * 60


def max_seconds() -> int:
    return int(getattr(settings, "SIGAP_SESSION_MAX_HOURS", 12)) * 3600


def ended(started: float | None, seen: float | None, now: float) -> str | None:
    """``"idle"``, ``"absolute"`` or None (the session goes on)."""
    if started is not None and now - started >= max_seconds():
        return "absolute"
    if seen is not None and now - seen >= idle_seconds():
        return "idle"
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            why = ended(session.get(STARTED), session.get(SEEN), now)
            if why is not None:
                logout(request)
                if why == "idle":
                    text = _(
                        "Sesi Anda berakhir karena tidak ada kegiatan selama %(minutes)s menit. Silakan masuk lagi."
                    ) % {"minutes": idle_seconds() // 60}
                else:
                    text = _("Sesi Anda berakhir: batas %(hours)s jam sejak masuk. Silakan masuk lagi.") % {
                        "hours": max_seconds() // 3600
                    }
                messages.info(request, text)
            else:
                if STARTED not in session:
                    session[STARTED] = now  # a session from before this middleware: counted from now
                if now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
                    session[SEEN] = now
        return self.get_response(request)


def mark_login(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """``user_logged_in`` receiver: the absolute lifetime counts from each login."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STARTED] = session[SEEN] = time.time()
