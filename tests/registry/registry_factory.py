"""Hand-made extract files for the import tests (no dependency on the synthetic generator)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sigap.core.nik import make_nik
from sigap.core.schema import SOURCE_COLUMNS, SOURCE_ROSTER_COLUMNS

KEC, KEL = "327501", "3275011001"  # Kota Bekasi, Bekasi Timur, Bekasijaya


def person(serial: int, **overrides: Any) -> dict[str, Any]:
    """A valid registry row; NIK issued in Bekasi Timur, born 1990-07-05 (women: day + 40)."""
    sex = overrides.pop("sex", "P" if serial % 2 else "L")
    born = overrides.pop("born", dt.date(1990, 7, 5))
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
        "nama": f"warga nomor {serial}",
        "tanggal_lahir": born.isoformat(),
        "tempat_lahir": "BEKASI",
        "jenis_kelamin": sex,
        "nama_ibu_kandung": "IBU",
        "hubungan_keluarga": "KEPALA KELUARGA",
        "desil": str(1 + serial % 5),
        "pekerjaan": "BURUH HARIAN LEPAS",
    }
    row.update(overrides)
    return row


def roster_row(serial: int, **overrides: Any) -> dict[str, Any]:
    born = dt.date(1985, 3, 1)
    row = {
        "nik": make_nik(KEC, born, "L", serial),
        "kpj": f"2500{serial:07d}",
        "nama": f"peserta {serial}",
        "tanggal_lahir": born.isoformat(),
        "segmen": "BPU",
        "status": "AKTIF",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, Any]], *, delimiter: str = "|", columns: tuple[str, ...] = SOURCE_COLUMNS,
             header: list[str] | None = None) -> str:  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header or list(columns))
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8", **kwargs: Any) -> Path:
    path.write_bytes(csv_text(rows, **kwargs).encode(encoding))
    return path


def write_roster_csv(path: Path, rows: list[dict[str, Any]], **kwargs: Any) -> Path:
    return write_csv(path, rows, columns=SOURCE_ROSTER_COLUMNS, **kwargs)
