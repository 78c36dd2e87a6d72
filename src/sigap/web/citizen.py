"""Cek status SIGAP: a resident checks their own status with NIK + birth date (no login).

Only four answers exist: selected/registered, waiting list, not eligible (plain reasons), or
"not found" -- and "not found" is also the answer for a wrong birth date, so the page cannot be
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

from sigap.core.selection import INELIGIBLE, SELECTED, WAITING
from sigap.programmes.models import Programme, TargetingRun
from sigap.web import ratelimit
from sigap.web.citizen_reasons import plain_reasons
from sigap.web.selectors import person_check

REGISTERED, CHOSEN, WAITING_LIST, NOT_ELIGIBLE, NOT_FOUND = (
    "registered",
    "selected",
    "waiting",
    "ineligible",
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
    """One answer per programme whose newest run holds this NIK with this birth date."""
    answers: list[dict[str, object]] = []
    for programme in Programme.objects.all():
        run = TargetingRun.objects.filter(programme=programme).order_by("-id").first()
        if run is None or not run.decisions_file.is_file():
            continue
        person = person_check(run=run, nik=nik, birth_date=birth_date)
        if person is None:
            continue
        if person.decision == SELECTED:
            status = REGISTERED if run.state == TargetingRun.ENROLLED else CHOSEN
            answers.append({"programme": programme.name, "status": status, "reasons": []})
        elif person.decision == WAITING:
            answers.append({"programme": programme.name, "status": WAITING_LIST, "reasons": []})
        elif person.decision == INELIGIBLE:
            answers.append(
                {
                    "programme": programme.name,
                    "status": NOT_ELIGIBLE,
                    "reasons": plain_reasons(person.reasons),
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
