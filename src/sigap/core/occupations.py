"""Occupations as written on the KTP (Dukcapil list), their category and accident risk.

Category decides default eligibility: ``informal`` workers are the programme's target;
``formal`` workers are covered by their employer (PU); ``aparat`` (ASN/TNI/Polri and
state officials) are always excluded; ``not_working`` covers pupils, homemakers, retirees
and the unemployed.  ``risk`` orders priority: 1 high (fishing, construction, transport,
day labour), 2 medium, 3 low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INFORMAL, FORMAL, APARAT, NOT_WORKING, UNKNOWN = "informal", "formal", "aparat", "not_working", "unknown"


@dataclass(frozen=True)
class Occupation:
    name: str
    category: str
    risk: int = 3


def _occ(names: str, category: str, risk: int = 3) -> list[Occupation]:
    return [Occupation(n.strip(), category, risk) for n in names.split(";") if n.strip()]


OCCUPATIONS: tuple[Occupation, ...] = tuple(
    _occ("BELUM/TIDAK BEKERJA; MENGURUS RUMAH TANGGA; PELAJAR/MAHASISWA; PENSIUNAN", NOT_WORKING)
    + _occ(
        "PEGAWAI NEGERI SIPIL; TENTARA NASIONAL INDONESIA; KEPOLISIAN RI; PRESIDEN; WAKIL PRESIDEN; "
        "ANGGOTA DPR-RI; ANGGOTA DPD; ANGGOTA BPK; MENTERI; DUTA BESAR; GUBERNUR; WAKIL GUBERNUR; "
        "BUPATI; WAKIL BUPATI; WALIKOTA; WAKIL WALIKOTA; ANGGOTA DPRD PROVINSI; "
        "ANGGOTA DPRD KABUPATEN/KOTA; ANGGOTA MAHKAMAH KONSTITUSI; ANGGOTA KABINET KEMENTERIAN",
        APARAT,
    )
    + _occ(
        "KARYAWAN SWASTA; KARYAWAN BUMN; KARYAWAN BUMD; KARYAWAN HONORER; INDUSTRI; DOSEN; GURU; "
        "DOKTER; BIDAN; PERAWAT; APOTEKER; PILOT; PENGACARA; NOTARIS; ARSITEK; AKUNTAN; KONSULTAN; "
        "WARTAWAN; PENELITI; PERANGKAT DESA; KEPALA DESA; PENYIAR RADIO; PENYIAR TELEVISI; "
        "PELAUT; PSIKIATER/PSIKOLOG; JURU MASAK",
        FORMAL,
    )
    + _occ(
        "NELAYAN/PERIKANAN; BURUH NELAYAN/PERIKANAN; BURUH HARIAN LEPAS; KONSTRUKSI; TRANSPORTASI; "
        "SOPIR; TUKANG BATU; TUKANG KAYU; TUKANG LAS/PANDAI BESI; TUKANG LISTRIK; BURUH TANI/PERKEBUNAN; "
        "BURUH PETERNAKAN",
        INFORMAL,
        1,
    )
    + _occ(
        "PETANI/PEKEBUN; PETERNAK; MEKANIK; TUKANG SOL SEPATU; TUKANG JAHIT; TUKANG CUKUR; "
        "TUKANG GIGI; PENATA RAMBUT; PENATA RIAS; PENATA BUSANA; PEMBANTU RUMAH TANGGA; "
        "TUKANG KEBUN; PARAJI; PERANCANG BUSANA",
        INFORMAL,
        2,
    )
    + _occ(
        "PEDAGANG; PERDAGANGAN; WIRASWASTA; SENIMAN; TABIB; USTADZ/MUBALIGH; IMAM MESJID; "
        "PENDETA; PASTOR; WAYANG; BIARAWATI; PENTERJEMAH; PROMOTOR ACARA; LAINNYA",
        INFORMAL,
        3,
    )
)

_BY_NAME = {o.name: o for o in OCCUPATIONS}
_SPACES = re.compile(r"\s+")
_ALIASES = {
    "PETANI": "PETANI/PEKEBUN",
    "PEKEBUN": "PETANI/PEKEBUN",
    "NELAYAN": "NELAYAN/PERIKANAN",
    "BURUH": "BURUH HARIAN LEPAS",
    "BURUH HARIAN": "BURUH HARIAN LEPAS",
    "PNS": "PEGAWAI NEGERI SIPIL",
    "ASN": "PEGAWAI NEGERI SIPIL",
    "TNI": "TENTARA NASIONAL INDONESIA",
    "POLRI": "KEPOLISIAN RI",
    "POLISI": "KEPOLISIAN RI",
    "IRT": "MENGURUS RUMAH TANGGA",
    "IBU RUMAH TANGGA": "MENGURUS RUMAH TANGGA",
    "PELAJAR": "PELAJAR/MAHASISWA",
    "MAHASISWA": "PELAJAR/MAHASISWA",
    "TIDAK BEKERJA": "BELUM/TIDAK BEKERJA",
    "BELUM BEKERJA": "BELUM/TIDAK BEKERJA",
    "SUPIR": "SOPIR",
    "DRIVER OJOL": "SOPIR",
    "OJEK": "SOPIR",
    "PKL": "PEDAGANG",
    "PEDAGANG KAKI LIMA": "PEDAGANG",
    "KULI BANGUNAN": "TUKANG BATU",
    "PEMULUNG": "BURUH HARIAN LEPAS",
    "SWASTA": "KARYAWAN SWASTA",
}


def normalise_occupation(raw: str | None) -> str:
    """Upper-case, single spaces, ``/`` without spaces, common aliases mapped."""
    text = _SPACES.sub(" ", (raw or "").strip().upper()).replace(" / ", "/")
    return _ALIASES.get(text, text)


def lookup(raw: str | None) -> Occupation:
    name = normalise_occupation(raw)
    return _BY_NAME.get(name, Occupation(name, UNKNOWN, 3))


def names_in(category: str) -> list[str]:
    return [o.name for o in OCCUPATIONS if o.category == category]
