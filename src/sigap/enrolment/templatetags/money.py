"""Tags of the member/enrolment/billing pages: the programme's tabs for this user, Indonesian months."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from sigap.core.money import Month

register = template.Library()

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@register.simple_tag(takes_context=True)
def programme_tabs(context: Any, programme: Any) -> list[tuple[str, str, str]]:
    """``(url, label, key)`` of the programme pages the current user may open."""
    from django.utils.translation import gettext as _

    from sigap.web.access import FINANCE_ROLES, MEMBER_ROLES, MONEY_WRITE_ROLES, REALISATION_ROLES, allowed

    user = getattr(context.get("request"), "user", None)
    tabs = []
    pages = [
        (MEMBER_ROLES, "web:member-list", _("Peserta"), "members"),
        (FINANCE_ROLES, "web:batch-list", _("Batch pendaftaran"), "batches"),
        (FINANCE_ROLES, "web:invoice-list", _("Tagihan"), "invoices"),
        (FINANCE_ROLES, "web:payment-list", _("Pembayaran"), "payments"),
        (REALISATION_ROLES, "web:realisation", _("Realisasi anggaran"), "realisation"),
        (MONEY_WRITE_ROLES, "web:exits", _("Keluar & pengganti"), "exits"),
    ]
    for roles, name, label, key in pages:
        if allowed(user, roles):
            tabs.append((reverse(name, args=[programme.pk]), label, key))
    return tabs


@register.filter
def bulan(value: Any) -> str:
    """A month (``Month``, a date or ``"2026-01"``) as ``Januari 2026``."""
    try:
        month = (
            value
            if isinstance(value, Month)
            else Month.parse(value)
            if isinstance(value, str)
            else Month.of(value)
        )
    except (TypeError, ValueError, AttributeError):
        return "" if value is None else str(value)
    return f"{BULAN[month.month - 1]} {month.year}"


@register.filter
def month_status(value: Any) -> str:
    """``paid`` -> ``Lunas`` (translated): the status of one member-month."""
    from django.utils.translation import gettext as _

    labels = {
        "paid": _("Lunas"),
        "not_yet_due": _("Belum jatuh tempo"),
        "arrears": _("Menunggak"),
        "unpaid": _("Tidak dibayar (batas tunggakan lewat)"),
        "paid_late": _("Dibayar setelah batas tunggakan (tidak melindungi)"),
        "not_covered": _("Tidak dilindungi"),
    }
    return labels.get(str(value), str(value))


@register.filter
def exit_reason(value: Any) -> str:
    """An exit-detection reason code as its label (``missing``: not found in the snapshot)."""
    from django.utils.translation import gettext as _

    from sigap.enrolment.models import MemberExit

    if value == "missing":
        return _("Tidak ditemukan di snapshot (periksa manual)")
    return str(dict(MemberExit.REASONS).get(str(value), value))
