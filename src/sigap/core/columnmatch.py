"""Suggesting which column of an extract holds each SIGAP column (the browser's mapping step).

Pure: names in, suggestions out.  A name is normalised (lower case, accents and punctuation
dropped, common abbreviations spelled out: ``Tgl_Lahir`` -> ``tanggal lahir``) and compared with
each SIGAP column's name and its usual other names (``NIK``, ``No KK``, ``Sex``...).  Each file
column is suggested for at most one SIGAP column, the best-scoring pairs first.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

#: Abbreviations spelled out word by word before comparing.
_WORDS = {
    "no": "nomor",
    "nmr": "nomor",
    "nomer": "nomor",
    "num": "nomor",
    "number": "nomor",
    "tgl": "tanggal",
    "tg": "tanggal",
    "tmp": "tempat",
    "tpt": "tempat",
    "tmpt": "tempat",
    "kab": "kabupaten",
    "kota": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "desa": "kelurahan",
    "jk": "jenis kelamin",
    "lhr": "lahir",
    "nm": "nama",
    "prov": "provinsi",
    "propinsi": "provinsi",
    "hub": "hubungan",
    "kerja": "pekerjaan",
}

#: Other names a SIGAP column is often found under (after normalisation).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "nomor_nik": ("nik", "nomor induk kependudukan", "nik ktp", "nomor ktp", "ktp", "id number"),
    "nik": ("nomor nik", "nomor induk kependudukan", "nik ktp", "nomor ktp", "ktp", "id number"),
    "nomor_kk": ("kk", "nomor kartu keluarga", "kartu keluarga", "nokk"),
    "nama": ("nama lengkap", "nama anggota", "nama art", "full name", "name"),
    "tanggal_lahir": ("tanggal lahir", "tgl lahir", "birth date", "date of birth", "dob"),
    "tempat_lahir": ("tempat lahir", "birth place"),
    "jenis_kelamin": ("jenis kelamin", "kelamin", "sex", "gender", "l p"),
    "desil": ("desil kesejahteraan", "decile", "peringkat desil", "desil nasional"),
    "pekerjaan": ("pekerjaan utama", "jenis pekerjaan", "occupation", "job"),
    "kecamatan": ("kecamatan", "nama kecamatan", "district", "subdistrict"),
    "desa_kelurahan": ("kelurahan", "desa kelurahan", "nama kelurahan", "village"),
    "kabupaten_kota": ("kabupaten", "kabupaten kabupaten", "regency", "city"),
    "provinsi": ("provinsi", "province"),
    "nama_ibu_kandung": ("ibu kandung", "nama ibu", "mother name"),
    "hubungan_keluarga": ("hubungan keluarga", "hubungan dengan kepala keluarga", "shdk", "relationship"),
    "status_hidup": ("status hidup", "keterangan hidup", "alive", "meninggal"),
    "iddtks": ("id dtks", "iddtsen", "id dtsen", "id keluarga"),
    "kpj": ("nomor kpj", "kartu peserta jamsostek", "no peserta"),
    "segmen": ("segmen peserta", "segment", "jenis kepesertaan"),
    "status": ("status kepesertaan", "status peserta"),
}

#: The score of a file column whose words include all of a name's ("ALAMAT_RUMAH" for alamat).
CONTAINED = 0.8
#: Below this score a column is not suggested (the officer picks it).
THRESHOLD = 0.72


def normalise(name: object) -> str:
    """``"Tgl. Lahir "`` -> ``"tanggal lahir"``: lower case, no accents, words spelled out."""
    text = unicodedata.normalize("NFKD", str(name if name is not None else "").replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z]+|\d+", text)
    return " ".join(_WORDS.get(w, w) for w in words)


def _names(ours: str) -> list[str]:
    return [normalise(ours), *(normalise(s) for s in SYNONYMS.get(ours, ()))]


def score(ours: str, theirs: str) -> float:
    """How much the file's column ``theirs`` looks like our column ``ours`` (0..1)."""
    found = normalise(theirs)
    if not found:
        return 0.0
    best = 0.0
    for name in _names(ours):
        if found == name:
            return 1.0
        if found.replace(" ", "") == name.replace(" ", ""):
            best = max(best, 0.97)
            continue
        if set(name.split()) <= set(found.split()):
            best = max(best, CONTAINED)  # "alamat" in "alamat rumah"
        best = max(best, SequenceMatcher(None, found, name).ratio())
    return best


def suggest(header: Sequence[str], ours: Iterable[str], *, threshold: float = THRESHOLD) -> dict[str, str]:
    """Our column -> the file column suggested for it (each file column used once, best pairs first)."""
    pairs = sorted(
        ((score(o, h), o, i) for o in ours for i, h in enumerate(header) if str(h).strip()),
        key=lambda p: (-p[0], p[2]),
    )
    taken_ours: set[str] = set()
    taken_cols: set[int] = set()
    out: dict[str, str] = {}
    for value, o, i in pairs:
        if value < threshold:
            break
        if o in taken_ours or i in taken_cols:
            continue
        out[o] = str(header[i])
        taken_ours.add(o)
        taken_cols.add(i)
    return out


def header_signature(header: Sequence[object]) -> str:
    """A hash of a header's column names (normalised, in order): the same layout -> the same value."""
    names = [normalise(h) for h in header]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256(json.dumps(names, ensure_ascii=False).encode("utf-8")).hexdigest()
