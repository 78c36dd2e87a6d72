"""Plain-words reasons for the citizen status page (no codes, no numbers about other people)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def plain_reasons(reasons: str | None) -> list[str]:
    """Turn the targeting reasons (``"desil 7 > 5; age 67 > 60"``) into plain sentences."""
    out: list[str] = []
    for part in (reasons or "").split(";"):
        text = part.strip()
        if not text:
            continue
        if text == "domicile unknown":
            plain = _("alamat domisili belum tercatat di data kependudukan")
        elif text.startswith("domicile "):
            plain = _("alamat domisili (KTP/KK) tidak berada di wilayah program")
        elif text == "desil unknown":
            plain = _("peringkat kesejahteraan (desil DTSEN) belum tercatat")
        elif text.startswith("desil "):
            plain = _("peringkat kesejahteraan (desil DTSEN) di atas batas program")
        elif text == "birth date unknown":
            plain = _("tanggal lahir belum tercatat")
        elif text.startswith("age "):
            plain = _("usia di luar batas usia program")
        elif text == "occupation missing":
            plain = _("pekerjaan belum tercatat")
        elif text.startswith("occupation ") and text.endswith("(ASN/TNI/Polri)"):
            plain = _("pekerjaan tercatat sebagai ASN/TNI/Polri")
        elif text.startswith("occupation "):
            plain = _("pekerjaan yang tercatat tidak termasuk pekerja informal sasaran program")
        elif text == "deceased":
            plain = _("tercatat meninggal dunia")
        elif text.startswith("covered by programme"):
            plain = _("sudah dibiayai program lain dari APBD daerah")
        elif text.startswith("already insured"):
            plain = _("sudah terdaftar sebagai peserta BPJS Ketenagakerjaan")
        else:
            plain = _("tidak memenuhi ketentuan program")
        if plain not in out:
            out.append(plain)
    return out or [_("tidak memenuhi ketentuan program")]
