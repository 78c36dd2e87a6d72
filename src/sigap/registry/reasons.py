"""Why an imported row was refused or flagged, in words: the codes the validation writes
(``nik_scientific``, ``region_unknown``) as the snapshot page and the rejection report show them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REASONS = {
    # NIK
    "nik_missing": _("NIK kosong"),
    "nik_scientific": _(
        "NIK tertulis dalam notasi ilmiah (mis. 3,27501E+15): digit terakhir hilang di Excel"
    ),
    "nik_not_digits": _("NIK memuat selain angka"),
    "nik_length": _("NIK tidak 16 digit"),
    "nik_province": _("kode provinsi di NIK tidak ada"),
    "nik_kabkota": _("kode kabupaten/kota di NIK tidak ada"),
    "nik_birth_date": _("tanggal lahir di NIK tidak mungkin"),
    "nik_serial": _("nomor urut NIK 0000 tidak pernah diterbitkan"),
    "nik_duplicate": _("NIK sama dengan baris sebelumnya"),
    "nik_kecamatan_unknown": _("kode kecamatan di NIK tidak dikenal (baris tetap diterima)"),
    # family card
    "kk_missing": _("nomor KK kosong"),
    "kk_invalid": _("nomor KK tidak 16 digit angka"),
    "kk_scientific": _("nomor KK tertulis dalam notasi ilmiah: digit terakhir hilang di Excel"),
    # person
    "nama_missing": _("nama kosong"),
    "birth_date_missing": _("tanggal lahir kosong"),
    "birth_date_invalid": _("tanggal lahir tidak terbaca"),
    "birth_date_future": _("tanggal lahir sesudah tanggal acuan"),
    "birth_date_nik_mismatch": _("tanggal lahir berbeda dengan yang tersimpan di NIK"),
    "sex_missing": _("jenis kelamin kosong"),
    "sex_invalid": _("jenis kelamin bukan L atau P"),
    "sex_nik_mismatch": _("jenis kelamin berbeda dengan yang tersimpan di NIK"),
    "desil_missing": _("desil kosong"),
    "desil_invalid": _("desil bukan angka 1 sampai 10"),
    # address
    "region_missing": _("kode wilayah kosong"),
    "region_unknown": _("kode atau nama wilayah tidak dikenal"),
    "region_level": _("kode wilayah pada tingkat yang salah"),
    "region_mismatch": _("wilayah tidak berada di wilayah induknya"),
    "region_ambiguous": _("nama wilayah cocok dengan lebih dari satu wilayah"),
    # BPJS TK roster
    "kpj_missing": _("nomor KPJ kosong"),
    "kpj_duplicate": _("nomor KPJ sama dengan baris sebelumnya"),
    "segmen_invalid": _("segmen bukan PU atau BPU"),
    "status_invalid": _("status kepesertaan tidak dikenal"),
    "roster_nik_repeated": _(
        "NIK sama dengan baris sebelumnya: baris tetap disimpan; status orang ditentukan aturan"
        " (AKTIF menang, lalu baris terbaru)"
    ),
    "roster_kpj_repeated": _(
        "nomor KPJ sama dengan baris sebelumnya: baris tetap disimpan; status orang ditentukan aturan"
        " (AKTIF menang, lalu baris terbaru)"
    ),
    "roster_row_unusable": _(
        "tanpa NIK yang sah dan tanpa nama: baris disimpan tetapi tidak dapat dicocokkan"
    ),
    # the file itself
    "row_malformed": _("baris rusak (jumlah kolom tidak sesuai)"),
    "formula_without_value": _("sel berisi rumus Excel tanpa nilai tersimpan"),
    "text_too_long": _("isian terlalu panjang untuk kolomnya"),
}


def reason_label(code: str) -> str:
    """``nik_scientific`` -> its words (an unknown code is shown as it is)."""
    label = REASONS.get(code)
    return str(label) if label is not None else code
