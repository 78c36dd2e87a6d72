"""Kelurahan a user may pick in a form (their area, bounded by the programmes' regions)."""

from __future__ import annotations

from sigap.programmes.models import Programme
from sigap.reference import regions


def programme_regions() -> list[str]:
    codes = sorted({p.region for p in Programme.objects.all()})
    # Drop regions nested in another one (a kota programme next to a kecamatan pilot).
    return [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]


def kelurahan_choices(prefix: str) -> list[tuple[str, str]]:
    """``(code, "NAME (kecamatan)")`` for every kelurahan/desa under ``prefix``.

    An empty prefix (superuser, public page) means "every programme region", never all of
    Indonesia.
    """
    index = regions()
    roots = [prefix] if prefix else programme_regions()
    out = []
    for root in roots:
        for region in index.descendants(root, "desa_kelurahan"):
            kecamatan = index.get(region.code[:6])
            out.append((region.code, f"{region.name} — {kecamatan.name if kecamatan else region.code[:6]}"))
    return out


def place(code: str) -> str:
    found = regions().get(code) if code else None
    return f"{found.name} ({code})" if found is not None else code
