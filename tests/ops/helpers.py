"""Small registry extracts for the Admin Dinas screens (the default DTSEN layout, pipe-delimited)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sigap.core.nik import make_nik
from sigap.core.schema import SOURCE_COLUMNS

KEC, KEL = "327501", "3275011001"  # Kota Bekasi, Bekasi Timur, Bekasijaya


def person(serial: int, **overrides: Any) -> dict[str, Any]:
    born = dt.date(1985, 7, 5)
    sex = "L" if serial % 2 else "P"
    row = {
        "iddtks": f"ID{serial:05d}",
        "provinsi": "32",
        "kabupaten_kota": "3275",
        "kecamatan": KEC,
        "desa_kelurahan": KEL,
        "alamat": "JL. MAWAR NO. 1",
        "dusun": "",
        "rt": "001",
        "rw": "002",
        "nomor_kk": f"3275010101{serial:06d}",
        "nomor_nik": make_nik(KEC, born, sex, serial),
        "nama": f"WARGA NOMOR {serial}",
        "tanggal_lahir": born.isoformat(),
        "tempat_lahir": "BEKASI",
        "jenis_kelamin": sex,
        "nama_ibu_kandung": "IBU",
        "hubungan_keluarga": "KEPALA KELUARGA",
        "desil": str(1 + serial % 5),
        "pekerjaan": "PEDAGANG",
    }
    row.update(overrides)
    return row


def registry_csv(rows: list[dict[str, Any]], *, columns: tuple[str, ...] = SOURCE_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="|", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def good_rows(n: int = 6) -> list[dict[str, Any]]:
    """``n`` valid people plus two rejected rows (a bad desil, a duplicate NIK)."""
    rows = [person(i) for i in range(1, n + 1)]
    rows.append(person(900, desil="abc"))
    rows.append(person(1, iddtks="DUP"))
    return rows
