"""The public status check answered in front of Django's request cycle (issue 12: p99 <= 50 ms at 32
connections on 2 cores).

A check costs two statements and a point look-up; around them Django's handler, fourteen middleware,
URL resolution and the view took ~1.3 ms of CPU, so 32 citizens at once waited ~86 ms at p99.  This
WSGI wrapper (``sigap.wsgi``) answers the common case itself and gives everything else to Django:

- only ``POST /cek-status/`` of a url-encoded form of at most 4 KiB with a declared length, without
  query string, session cookie or messages cookie (an anonymous visitor; an officer's session takes
  the whole stack); the body is read once and handed on to the whole stack when it answers;
- the request is Django's own ``WSGIRequest``; the checks are Django's own code, called as the whole
  stack calls them: the trusted-proxy scheme (:func:`sigap.web.middleware.adopt_forwarded_scheme`), the
  host (``ALLOWED_HOSTS``), the HTTPS redirect (a request that would be redirected is not answered
  here), CSRF (``CsrfViewMiddleware``'s own checks: origin, referer over HTTPS, token; a rejected
  request goes to the whole stack, which answers 403 and logs it), the language as ``LocaleMiddleware`` chooses it, the form
  (``citizen.typed_pair``: what ``StatusForm`` accepts, tested against it), the two rate limits (``citizen.count_check``, as the view counts; over a limit, the whole stack shows the
  limited page without counting again) and the answer (``citizen_answers``);
- the page is the one the view keeps for exactly these answer rows and language, with the visitor's
  own CSRF token, and the headers are those the whole stack gave that page (CSP, frame options, Vary,
  language, cache control), with a fresh ``Expires`` and the CSRF cookie renewed by Django's
  ``process_response``.  A page or headers not kept yet (a first answer of its kind in this process)
  go to the whole stack, which renders and keeps them -- before any counter is touched here.

``request_started``/``request_finished`` are sent as Django sends them (database connections are
checked and closed by their receivers).  An error here is logged and the whole stack answers.
tests/web/test_fast_citizen.py drives both paths through WSGI and compares them.
"""

from __future__ import annotations

import io
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware, RejectRequest
from django.utils import translation
from django.utils.http import http_date

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_BODY_MAX = 4096  # a NIK, a KK number and a CSRF token are ~150 bytes
_NOT_KEPT = {"set-cookie", "content-length", "expires", "date", "server"}
_HEADERS_MAX = 4096
_headers: dict[tuple[Any, ...], list[tuple[str, str]]] = {}  # page key -> the whole stack's headers
served = {"fast": 0, "full": 0}  # per process, for tests and curiosity


def _no_response(request: Any) -> HttpResponse:  # pragma: no cover -- never called
    return HttpResponse()


def _check_path() -> str:
    from django.urls import reverse

    return reverse("web:citizen-check")


class FastCitizenCheck:
    """WSGI wrapper: the public status check in front of ``app`` (see the module's text)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.path: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING"):
            return self.app(environ, start_response)
        if self.path is None:
            self.path = _check_path()
        if environ.get("PATH_INFO") != self.path or not _small_form(environ):
            return self.app(environ, start_response)
        # the body is read here once; the whole stack reads the same bytes again if it answers
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))  # a shorter body than declared: what was read
        try:
            answer = _answer(environ)
        except Exception:  # noqa: BLE001 -- the whole stack answers (and reports) whatever went wrong
            logger.exception("fast status check failed; the whole stack answers")
            answer = None
        if answer is not None:
            served["fast"] += 1
            status, headers, body = answer
            start_response(status, headers)
            return [body]
        served["full"] += 1
        environ["wsgi.input"] = io.BytesIO(body)  # unread, for the whole stack
        seen: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, keep)
        key = environ.get(_page_key_environ())
        if key is not None and str(seen.get("status", "")).startswith("200"):
            if len(_headers) >= _HEADERS_MAX:
                _headers.clear()
            _headers[key] = [(k, v) for k, v in seen.get("headers", ()) if k.lower() not in _NOT_KEPT]
        return result


def _small_form(environ: dict[str, Any]) -> bool:
    """A url-encoded form with a declared length the size of a status check (else: the whole stack)."""
    length = str(environ.get("CONTENT_LENGTH") or "")
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    return (
        length.isdigit() and int(length) <= _BODY_MAX and content_type == "application/x-www-form-urlencoded"
    )


def _page_key_environ() -> str:
    from sigap.web.citizen import PAGE_KEY_ENVIRON

    return PAGE_KEY_ENVIRON


def _answer(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
    signals.request_started.send(sender=FastCitizenCheck, environ=environ)
    try:
        response = _response(WSGIRequest(environ))
    finally:
        signals.request_finished.send(sender=FastCitizenCheck)
    if response is None:
        return None
    headers = [
        *response.items(),
        *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()),  # as Django,
    ]
    return f"{response.status_code} {response.reason_phrase}", headers, response.content


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: i for i, char in enumerate(_CHARS)}
_UNBIASED = 256 - 256 % len(_CHARS)  # bytes below it fall evenly on the 62 characters


def masked_token(request: WSGIRequest) -> str:
    """Django's ``get_token`` for a request that carries a CSRF cookie: the secret, masked by a fresh
    uniformly random mask (the mask, then each secret character shifted by its mask character), and the
    cookie marked for renewal.  Django draws the 32 mask characters with one ``secrets.choice`` (one
    urandom call) each, ~7 % of a check's CPU; this draws them from one read of random bytes, rejecting
    bytes >= 248 so no character is likelier than another.  Django's own ``_unmask_cipher_token`` reads
    the result (tests/web/test_fast_citizen.py)."""
    secret = request.META["CSRF_COOKIE"]
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(byte % len(_CHARS) for byte in secrets.token_bytes(48) if byte < _UNBIASED)
    mask = mask[:CSRF_SECRET_LENGTH]
    shifted = (_CHARS[(_INDEX[char] + m) % len(_CHARS)] for char, m in zip(secret, mask, strict=True))
    return "".join(_CHARS[m] for m in mask) + "".join(shifted)


_now: tuple[int, str] = (0, "")


def _http_now() -> str:
    """``http_date(time.time())``, formatted once a second (email.utils' formatting is ~2 % of a check)."""
    global _now
    second = int(time.time())
    if _now[0] != second:
        _now = (second, http_date(second))
    return _now[1]


def _csrf_passes(csrf: Any, request: WSGIRequest) -> bool:  # Any: private methods, not in the stubs
    """``CsrfViewMiddleware.process_view``'s checks for a POST (Django 5.2, pinned), without its log
    line: a request refused here goes to the whole stack, which refuses and logs it."""
    try:
        if "HTTP_ORIGIN" in request.META:
            if not csrf._origin_verified(request):
                return False
        elif request.is_secure():
            csrf._check_referer(request)
        csrf._check_token(request)
    except RejectRequest:
        return False
    return True


def _response(request: WSGIRequest) -> HttpResponse | None:
    from sigap.status.selectors import citizen_answers
    from sigap.web.citizen import (
        LIMITED_ENVIRON,
        answer_of,
        cached_page,
        count_check,
        page_key,
        page_with_token,
        typed_pair,
    )
    from sigap.web.middleware import adopt_forwarded_scheme

    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return None
    if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
        return None  # CommonMiddleware's rules, not repeated here: the whole stack applies them
    adopt_forwarded_scheme(request)
    try:
        request.get_host()
    except DisallowedHost:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    csrf = CsrfViewMiddleware(_no_response)
    csrf.process_request(request)
    if "CSRF_COOKIE" not in request.META:
        return None  # no cookie: the whole stack rejects it (403)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if not _csrf_passes(csrf, request):
            return None  # the whole stack rejects it (403) and logs it, once
        typed = typed_pair(request.POST.get("nik"), request.POST.get("kk"))  # what StatusForm accepts
        if typed is None:
            return None  # the whole stack shows the form's errors
        nik, kk = typed
        key = page_key(language, request.path, answer_of(citizen_answers(nik=nik, kk=kk)))
        page, headers = cached_page(key), _headers.get(key)
        if page is None or headers is None:
            return None
        if not count_check(request, nik):
            request.META[LIMITED_ENVIRON] = True  # counted: the whole stack shows the limited page only
            return None
        response = HttpResponse(page_with_token(page, masked_token(request)))
        for name, value in headers:
            response.headers[name] = value
        # the kept headers hold never_cache's Cache-Control; its Expires is "now"
        response.headers["Expires"] = _http_now()
        csrf.process_response(request, response)  # the CSRF cookie renewed, as the whole stack does
        response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware sets it
        return response
