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
    from django.utils.translation import gettext as _

    labels = {
        "selected": _("Terpilih"),
        "waiting": _("Daftar tunggu"),
        "ineligible": _("Tidak memenuhi syarat"),
    }
    return labels.get(str(value), str(value))


@register.simple_tag(takes_context=True)
def nav_items(context: Any) -> list[tuple[str, str, str]]:
    """The menu for the current user (see sigap.web.access.nav_items)."""
    from sigap.web.access import nav_items as items

    request = context.get("request")
    return items(getattr(request, "user", None))
