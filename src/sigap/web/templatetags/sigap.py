from __future__ import annotations

from typing import Any

from django import template

from sigap.core.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    """``2016000000`` -> ``Rp2.016.000.000`` (integers only; anything else shown as is)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return format_rupiah(value)


@register.filter
def ribuan(value: Any) -> str:
    """Thousands with dots, Indonesian style: ``9920`` -> ``9.920``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return f"{value:,}".replace(",", ".")


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register.filter
def decision_label(value: Any) -> str:
    """``selected`` -> ``Terpilih`` (translated); unknown values shown as they are."""
    from sigap.web.labels import decision_label as label

    return label(value)


@register.filter
def occupation_category(value: Any) -> str:
    """``not_working`` -> ``tidak bekerja (pelajar, ibu rumah tangga, pensiunan)`` (translated)."""
    from sigap.web.labels import category_label

    return category_label(value)


@register.filter
def wilayah(value: Any) -> str:
    """A region code as its name: ``3275011001`` -> ``BEKASIJAYA`` (the code when unknown)."""
    from sigap.web.labels import place_name

    return place_name(value)


@register.filter
def jenis_kelamin(value: Any) -> str:
    """``P`` -> ``Perempuan`` (translated)."""
    from sigap.web.labels import sex_label

    return sex_label(value) if value else ""


@register.simple_tag(takes_context=True)
def nav_items(context: Any) -> list[tuple[str, str, str]]:
    """The menu for the current user (see sigap.web.access.nav_items)."""
    from sigap.web.access import nav_items as items

    request = context.get("request")
    return items(getattr(request, "user", None))


@register.filter
def exit_detail(value: Any) -> str:
    """Exits-detection evidence in words: ``age 61 > 60 on 2026-12-05`` -> ``usia 61 tahun pada ...``."""
    from sigap.web.labels import exit_detail as words

    return words(value)


@register.filter
def tanggal(value: Any) -> str:
    """A date as ``5 Desember 2026`` (month in the active language); a datetime in local time."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.formats import date_format

    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y")
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


@register.filter
def ukuran(value: Any) -> str:
    """Bytes as ``2 GB`` / ``5 MB`` (never a count of bytes)."""
    from sigap.web.labels import size_text

    return size_text(int(value)) if isinstance(value, int) and not isinstance(value, bool) else ""
