"""The SIGAP columns of an extract in words, for the column-mapping step (the codes stay in files)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sigap.registry.ingest.mapping import expected_columns

LABELS = {
    "iddtks": _("ID DTSEN/DTKS"),
    "provinsi": _("Provinsi"),
    "kabupaten_kota": _("Kabupaten/kota"),
    "kecamatan": _("Kecamatan"),
    "desa_kelurahan": _("Desa/kelurahan"),
    "alamat": _("Alamat"),
    "dusun": _("Dusun"),
    "rt": _("RT"),
    "rw": _("RW"),
    "nomor_kk": _("Nomor KK"),
    "nomor_nik": _("NIK"),
    "nama": _("Nama"),
    "tanggal_lahir": _("Tanggal lahir"),
    "tempat_lahir": _("Tempat lahir"),
    "jenis_kelamin": _("Jenis kelamin"),
    "nama_ibu_kandung": _("Nama ibu kandung"),
    "hubungan_keluarga": _("Hubungan keluarga"),
    "desil": _("Desil"),
    "pekerjaan": _("Pekerjaan"),
    "status_hidup": _("Status hidup"),
    "nik": _("NIK"),
    "kpj": _("Nomor KPJ"),
    "segmen": _("Segmen kepesertaan"),
    "status": _("Status kepesertaan"),
}


def column_label(column: str) -> str:
    return str(LABELS.get(column, column))


def columns_in_order(kind: str) -> list[tuple[str, bool]]:
    """``(our column, required)``: the required columns first, each group in the layout's order."""
    known, required = expected_columns(kind)
    return [(c, True) for c in known if c in required] + [(c, False) for c in known if c not in required]
