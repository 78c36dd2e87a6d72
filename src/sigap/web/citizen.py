"""Cek status SIGAP: a resident checks their own status with NIK + KK number (no login).

Only five answers exist: registered (covered since a month) or selected, waiting list, not eligible
(plain reasons), membership ended, or "not found" -- and "not found" is also the answer for a wrong KK
number, so the page cannot be used to learn whether a NIK exists.  The answers come from each
programme's list in force only.  Rate-limited per IP address and per NIK.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from sigap.enrolment.models import MemberExit
from sigap.status.models import CitizenStatus
from sigap.status.selectors import citizen_answers
from sigap.web import ratelimit
from sigap.web.citizen_reasons import plain_reasons

REGISTERED, CHOSEN, WAITING_LIST, NOT_ELIGIBLE, EXITED, NOT_FOUND = (
    CitizenStatus.REGISTERED,
    CitizenStatus.SELECTED,
    CitizenStatus.WAITING,
    CitizenStatus.INELIGIBLE,
    CitizenStatus.EXITED,
    "not_found",
)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace() and ch not in ".-")


FIELD_MAX = 24  # characters a NIK or KK field takes (spaces, dots and dashes allowed between digits)


def sixteen_digits(value: str) -> str | None:
    """The 16 digits of a typed NIK or KK number (spaces, dots, dashes dropped), or None."""
    digits = _digits(value)
    return digits if len(digits) == 16 and digits.isdigit() and digits.isascii() else None


def typed_pair(nik: str | None, kk: str | None) -> tuple[str, str] | None:
    """What :class:`StatusForm` accepts, without building the form (sigap.web.fastcheck): both fields
    given, stripped, at most FIELD_MAX characters, 16 digits each; None otherwise."""
    if nik is None or kk is None:
        return None
    nik, kk = nik.strip(), kk.strip()
    if len(nik) > FIELD_MAX or len(kk) > FIELD_MAX:
        return None
    nik_digits, kk_digits = sixteen_digits(nik), sixteen_digits(kk)
    return (nik_digits, kk_digits) if nik_digits is not None and kk_digits is not None else None


class StatusForm(forms.Form):
    """NIK + KK number: the NIK carries its holder's birth date, so a birth date proves nothing; the
    KK number is on the same family card and cannot be derived from the NIK (sigap.status.keys)."""

    nik = forms.CharField(
        label=_("NIK (16 digit, lihat KTP atau KK)"),
        max_length=FIELD_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    kk = forms.CharField(
        label=_("Nomor KK (16 digit, di bagian atas Kartu Keluarga)"),
        max_length=FIELD_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_nik(self) -> str:
        digits = sixteen_digits(self.cleaned_data["nik"])
        if digits is None:
            raise forms.ValidationError(_("NIK harus 16 digit angka."))
        return digits

    def clean_kk(self) -> str:
        digits = sixteen_digits(self.cleaned_data["kk"])
        if digits is None:
            raise forms.ValidationError(_("Nomor KK harus 16 digit angka."))
        return digits


def _answers(rows: Sequence[tuple[Any, ...]]) -> list[dict[str, object]]:
    # The citizen page says "Alasan: ..." itself: the year-end label loses its "berakhir:" prefix.
    exit_labels = {**dict(MemberExit.REASONS), MemberExit.FISCAL_YEAR_END: _("akhir tahun anggaran program")}
    return [
        {
            "programme": programme,
            "status": status,
            "reasons": plain_reasons(reasons) if status == NOT_ELIGIBLE else [],
            "since": since,
            "exit_reason": exit_labels.get(exit_reason, "") if status == EXITED else "",
            "office": office,
        }
        for programme, status, reasons, since, exit_reason, office in rows
    ]


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "sigap/citizen_limited.html", {"nav": "citizen"}, status=429)
    response["Retry-After"] = str(settings.SIGAP_CITIZEN_CHECK_WINDOW)
    return response


# Rendered pages for anonymous visitors, keyed by (language, path, answer rows), with the CSRF token
# replaced by a marker: the page around an answer is the same for everyone who gets that answer, so
# it is rendered once per process and only the visitor's own token is put back in.  The key holds no
# NIK or birth date (only what the page shows); the dict is emptied when full.
_PAGES: dict[tuple[Any, ...], bytes] = {}  # UTF-8: the page is sent as bytes, encoded once
_PAGES_MAX = 4096
#: The environ key under which the view names the cached page it answered with (read by
#: sigap.web.fastcheck, which keeps the headers the whole stack gave that page).
PAGE_KEY_ENVIRON = "sigap.citizen_page"
#: Set by sigap.web.fastcheck on a request it counted and found over a limit (no HTTP header can name
#: an environ key with a dot): the view shows the limited page without counting it again.
LIMITED_ENVIRON = "sigap.citizen_limited"
_MARKER = "__sigap_csrf_token__"
_MARKER_BYTES = _MARKER.encode()
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(
    request: HttpRequest, key: tuple[Any, ...] | None, context: Callable[[], dict[str, Any]]
) -> HttpResponse:
    if key is None or request.user.is_authenticated or request.GET:
        return render(request, "sigap/citizen_check.html", context())
    full_key = page_key(get_language(), request.path, key)
    page = _PAGES.get(full_key)
    if page is None:
        html = render_to_string("sigap/citizen_check.html", context(), request=request)
        found = _TOKEN.search(html)
        if found is None:  # pragma: no cover -- the template always has a CSRF token
            return HttpResponse(html)
        page = html.replace(found.group(1), _MARKER).encode()
        if len(_PAGES) >= _PAGES_MAX:
            _PAGES.clear()
        _PAGES[full_key] = page
    request.META[PAGE_KEY_ENVIRON] = full_key
    return HttpResponse(page_with_token(page, get_token(request)))


def page_key(language: str, path: str, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key a rendered page is kept under: language, path and what the page shows (``("form",)`` or
    :func:`answer_of` the rows).  No NIK or KK number."""
    return (language, path, *key)


def answer_of(rows: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    return ("answer", *rows)


def count_check(request: HttpRequest, nik: str | None) -> bool:
    """Count one posted check against the client address and, for a valid form, its NIK -- both counters
    in one statement (ratelimit.hit_all): the check's round trips are its cost under load.  False when
    over a limit."""
    counters = [("citizen-ip", ratelimit.client_bucket(request), settings.SIGAP_CITIZEN_CHECK_PER_IP)]
    if nik is not None:
        counters.append(("citizen-nik", nik, settings.SIGAP_CITIZEN_CHECK_PER_NIK))
    return ratelimit.hit_all(counters, window=settings.SIGAP_CITIZEN_CHECK_WINDOW)


def cached_page(key: tuple[Any, ...]) -> bytes | None:
    """The page kept for ``key`` (language, path, answer rows), its CSRF token a marker; None if none."""
    return _PAGES.get(key)


def page_with_token(page: bytes, token: str) -> bytes:
    return page.replace(_MARKER_BYTES, token.encode())


@never_cache
@csrf_protect
def citizen_check(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ("form",), lambda: {"form": StatusForm(), "checked": False, "nav": "citizen"})
    if request.META.get(LIMITED_ENVIRON) is True:
        return _limited(request)
    form = StatusForm(request.POST)
    if not form.is_valid():
        if not count_check(request, None):
            return _limited(request)
        return _page(request, None, lambda: {"form": form, "checked": False, "nav": "citizen"})
    nik = form.cleaned_data["nik"]
    if not count_check(request, nik):
        return _limited(request)
    rows = citizen_answers(nik=nik, kk=form.cleaned_data["kk"])
    return _page(
        request,
        answer_of(rows),
        # a fresh empty form: the NIK is never echoed back into the page
        lambda: {"form": StatusForm(), "answers": _answers(rows), "checked": True, "nav": "citizen"},
    )
