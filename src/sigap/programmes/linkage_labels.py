"""The evidence of a roster link in words (``sigap.core.linkage.EVIDENCE_LEVELS`` codes), as the
officer's review queue, the CLI and the audit log show it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVIDENCE = {
    "nik_missing": _("NIK tidak ada di daftar BPJS TK"),
    "nik_same": _("NIK sama"),
    "nik_one_typo": _("NIK beda satu salah ketik (satu angka atau dua angka bertukar)"),
    "nik_two_typos": _("NIK beda dua salah ketik"),
    "nik_different": _("NIK berbeda"),
    "name_missing": _("nama kosong"),
    "name_same": _("nama sama setelah dibakukan (gelar, ejaan lama, spasi)"),
    "name_alike": _("nama sangat mirip"),
    "name_similar": _("nama agak mirip"),
    "name_different": _("nama berbeda"),
    "birth_missing": _("tanggal lahir tidak ada"),
    "birth_same": _("tanggal lahir sama"),
    "birth_swapped": _("tanggal dan bulan lahir tertukar"),
    "birth_close": _("tanggal lahir berselisih kurang dari setahun"),
    "birth_different": _("tanggal lahir berbeda"),
    "sex_unknown": _("jenis kelamin tidak diketahui"),
    "sex_same": _("jenis kelamin sama"),
    "sex_different": _("jenis kelamin berbeda"),
    "region_unknown": _("kecamatan tidak diketahui"),
    "region_same": _("NIK diterbitkan di kecamatan domisili"),
    "region_different": _("NIK diterbitkan di kecamatan lain"),
}

BANDS = {
    "nik": _("cocok: NIK sama"),
    "auto": _("cocok: peluang tinggi, tanpa calon lain"),
    "confirmed": _("cocok: dikonfirmasi petugas"),
    "review": _("menunggu keputusan petugas"),
    "rejected": _("bukan orang yang sama (keputusan petugas)"),
}


def evidence_words(codes: list[str]) -> list[str]:
    """Codes -> words (an unknown code as it is)."""
    return [str(EVIDENCE.get(code, code)) for code in codes]
