"""A data-update request's change in a few words, old -> new where the old value is known."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from sigap.usulan.models import DataUpdateRequest as R


def change_text(r: R, current: Any = None) -> str:
    """The change a request asks for, old -> new where the old value is known:
    ``desil 7 → 3``, ``BEKASIJAYA → MARGAHAYU``, ``meninggal dunia, 1 Maret 2026``."""
    from sigap.web.labels import local_date, place_name, sex_label

    new = r.proposed or {}
    if r.kind == R.DESIL:
        if current is None or current.desil is None:  # the old value is not known here (an export)
            return _("desil → %(new)s") % {"new": new.get("desil", "?")}
        return _("desil %(old)s → %(new)s") % {"old": current.desil, "new": new.get("desil", "?")}
    if r.kind == R.PEKERJAAN:
        old = current.pekerjaan if current is not None else None
        return f"{old} → {new.get('pekerjaan', '?')}" if old else f"→ {new.get('pekerjaan', '?')}"
    if r.kind == R.PINDAH:
        return f"{place_name(r.kode_kelurahan)} → {place_name(new.get('kode_kelurahan_baru', ''))}"
    if r.kind == R.ALAMAT:
        rt_rw = "/".join(v for v in (new.get("rt", ""), new.get("rw", "")) if v)
        return "→ " + " ".join(
            v for v in (str(new.get("alamat", "")), f"RT/RW {rt_rw}" if rt_rw else "") if v
        )
    if r.kind == R.MENINGGAL:
        died = new.get("tanggal_meninggal")
        day = local_date(dt.date.fromisoformat(died)) if died else "?"
        return _("hidup → meninggal dunia, %(day)s") % {"day": day}
    if r.kind == R.BARU:
        born = new.get("tanggal_lahir")
        parts = [sex_label(new.get("jenis_kelamin")) if new.get("jenis_kelamin") else ""]
        if born:
            parts.append(_("lahir %(day)s") % {"day": local_date(dt.date.fromisoformat(born))})
        return _("penduduk baru") + (": " + ", ".join(p for p in parts if p) if any(parts) else "")
    return "–"
