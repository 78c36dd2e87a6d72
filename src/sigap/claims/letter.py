"""The claim follow-up letter (surat tindak lanjut klaim) as PDF (WeasyPrint).

Two addressees: the BPJS TK branch (asking for the follow-up of a claim, with the documents
received) and the member's family (listing the documents still to bring).  Pure rendering: the
view fetches the claim through the area-scoped queryset and audits the download.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from sigap.claims.models import Claim
from sigap.core.money import format_rupiah
from sigap.pdf import html_to_pdf
from sigap.reference import regions

ADDRESSEES = {"bpjs": _("BPJS Ketenagakerjaan"), "keluarga": _("Keluarga peserta")}


def _name(code: str) -> str:
    found = regions().get(code)
    return found.name if found is not None else code


def _date(day: dt.date | None) -> str:
    return formats.date_format(day, "j F Y") if day else "-"


def letter_context(claim: Claim, *, to: str, today: dt.date) -> dict[str, Any]:
    incident = claim.incident
    member = incident.member
    documents = list(claim.documents.all())
    region = member.programme.region
    return {
        "to": to,
        "region": _name(region),
        "number": f"{claim.pk:05d}/KLAIM-SIGAP/{today:%m}/{today:%Y}",
        "today": _date(today),
        "claim": claim,
        "incident": incident,
        "member": member,
        "kelurahan": _name(incident.kode_kelurahan),
        "kecamatan": _name(incident.kode_kelurahan[:6]),
        "incident_date": _date(incident.date),
        "deadline": _date(claim.deadline) if claim.deadline else "",
        "submitted_on": _date(claim.submitted_on) if claim.submitted_on else "",
        "expected": format_rupiah(claim.expected_amount) if claim.expected_amount is not None else "",
        "missing": [d for d in documents if d.required and not d.received],
        "received": [(d, _date(d.received_on)) for d in documents if d.received],
        "programme": member.programme,
    }


def render_html(context: dict[str, Any]) -> str:
    return render_to_string("claims/letter.html", context)


def render_pdf(context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(context))
