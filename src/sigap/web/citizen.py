"""Cek status SIGAP: a resident checks their own status with NIK + birth date (no login).

Only five answers exist: registered (covered since a month) or selected, waiting list, not eligible
(plain reasons), membership ended, or "not found" -- and "not found" is also the answer for a wrong birth date, so the page cannot be
used to learn whether a NIK exists.  Rate-limited per IP address and per NIK.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


class StatusForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digit, lihat KTP atau KK)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    tanggal_lahir = forms.DateField(
        label=_("Tanggal lahir"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
    )

    def clean_nik(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["nik"] if not ch.isspace() and ch not in ".-")
        if len(digits) != 16 or not digits.isdigit() or not digits.isascii():
            raise forms.ValidationError(_("NIK harus 16 digit angka."))
        return digits

    def clean_tanggal_lahir(self) -> dt.date:
        value: dt.date = self.cleaned_data["tanggal_lahir"]
        if value.year < 1900 or value > dt.date.today():
            raise forms.ValidationError(_("Tanggal lahir tidak masuk akal."))
        return value


def status_of(*, nik: str, birth_date: dt.date) -> list[dict[str, object]]:
    """One answer per programme that knows this NIK with this birth date.

    Reads only the precomputed status table (:mod:`sigap.status`): one indexed lookup on a keyed
    hash of NIK + birth date, so a wrong birth date finds nothing, exactly like an unknown NIK.
    """
    exit_labels = dict(MemberExit.REASONS)
    answers: list[dict[str, object]] = []
    for programme, status, reasons, since, exit_reason, office in citizen_answers(
        nik=nik, birth_date=birth_date
    ):
        answers.append(
            {
                "programme": programme,
                "status": status,
                "reasons": plain_reasons(reasons) if status == NOT_ELIGIBLE else [],
                "since": since,
                "exit_reason": exit_labels.get(exit_reason, "") if status == EXITED else "",
                "office": office,
            }
        )
    return answers


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "sigap/citizen_limited.html", {"nav": "citizen"}, status=429)
    response["Retry-After"] = str(settings.SIGAP_CITIZEN_CHECK_WINDOW)
    return response


@never_cache
@csrf_protect
def citizen_check(request: HttpRequest) -> HttpResponse:
    answers: list[dict[str, object]] | None = None
    if request.method == "POST":
        window = settings.SIGAP_CITIZEN_CHECK_WINDOW
        ip = ratelimit.client_ip(request)
        if not ratelimit.hit(
            scope="citizen-ip", value=ip, limit=settings.SIGAP_CITIZEN_CHECK_PER_IP, window=window
        ):
            return _limited(request)
        form = StatusForm(request.POST)
        if form.is_valid():
            nik = form.cleaned_data["nik"]
            if not ratelimit.hit(
                scope="citizen-nik", value=nik, limit=settings.SIGAP_CITIZEN_CHECK_PER_NIK, window=window
            ):
                return _limited(request)
            answers = status_of(nik=nik, birth_date=form.cleaned_data["tanggal_lahir"])
            form = StatusForm()  # do not echo the NIK back into the page
    else:
        form = StatusForm()
    context = {"form": form, "answers": answers, "checked": answers is not None, "nav": "citizen"}
    return render(request, "sigap/citizen_check.html", context)
