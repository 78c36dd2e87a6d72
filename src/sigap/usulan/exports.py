"""Exports of data-update requests: the list (XLSX) and the accepted, not-yet-applied requests
in the DTSEN extract column layout (:data:`sigap.core.schema.SOURCE_COLUMNS`) for the registry update.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sigap.core import csvsafe
from sigap.core.schema import SOURCE_COLUMNS
from sigap.reference import regions
from sigap.usulan.models import DataUpdateRequest

#: Extra columns after the DTSEN layout: what to change and why.
EXTRA_COLUMNS = (
    "status_hidup",
    "nomor_usulan",
    "jenis_usulan",
    "kode_kelurahan",
    "tanggal_meninggal",
    "keterangan",
)
REGISTRY_COLUMNS = (*SOURCE_COLUMNS, *EXTRA_COLUMNS)
#: The list for people (the DTSEN layout above is for the registry update: its names are fixed).
LIST_COLUMNS = (
    gettext_lazy("Nomor"),
    gettext_lazy("Jenis"),
    gettext_lazy("Status"),
    "NIK",
    gettext_lazy("Nama"),
    gettext_lazy("Kode kelurahan"),
    gettext_lazy("Kelurahan"),
    gettext_lazy("Diajukan"),
    gettext_lazy("Diterapkan"),
    gettext_lazy("Alasan penolakan"),
    gettext_lazy("Perubahan"),
)


def _names(code: str) -> dict[str, str]:
    index = regions()
    out = {}
    for width, column in ((2, "provinsi"), (4, "kabupaten_kota"), (6, "kecamatan"), (10, "desa_kelurahan")):
        found = index.get(code[:width]) if len(code) >= width else None
        out[column] = found.name if found is not None else ""
    return out


def registry_row(r: DataUpdateRequest) -> dict[str, Any]:
    """One request in the DTSEN layout: only the columns the request knows are filled."""
    p = r.proposed or {}
    kelurahan = p.get("kode_kelurahan_baru") or r.kode_kelurahan
    row: dict[str, Any] = dict.fromkeys(REGISTRY_COLUMNS, "")
    row.update(_names(kelurahan))
    row.update(
        {
            "alamat": p.get("alamat", ""),
            "rt": p.get("rt", ""),
            "rw": p.get("rw", ""),
            "nomor_kk": p.get("nomor_kk", ""),
            "nomor_nik": r.nik,
            "nama": r.nama,
            "tanggal_lahir": p.get("tanggal_lahir", ""),
            "tempat_lahir": p.get("tempat_lahir", ""),
            "jenis_kelamin": p.get("jenis_kelamin", ""),
            "desil": p.get("desil", ""),
            "pekerjaan": p.get("pekerjaan", ""),
            "status_hidup": "MENINGGAL" if r.kind == DataUpdateRequest.MENINGGAL else "",
            "nomor_usulan": r.number,
            "jenis_usulan": r.kind,
            "kode_kelurahan": kelurahan,
            "tanggal_meninggal": p.get("tanggal_meninggal", ""),
            "keterangan": r.note,
        }
    )
    return row


def registry_csv(requests: Iterable[DataUpdateRequest]) -> bytes:
    """Pipe-delimited, like the DTSEN extracts seen in local-government code (DOMAIN.md section 4)."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, delimiter="|", lineterminator="\n")
    writer.writerow(REGISTRY_COLUMNS)
    for r in requests:
        row = registry_row(r)
        writer.writerow([row[c] for c in REGISTRY_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(columns: tuple[str, ...], rows: Iterable[list[Any]], sheet: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    for c, name in enumerate(columns):
        ws.write_string(0, c, name, bold)
    for i, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(i, c, value)
            else:
                ws.write_string(
                    i, c, str(value) if value is not None else "", text
                )  # write_string: never a formula
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def registry_xlsx(requests: Iterable[DataUpdateRequest]) -> bytes:
    return xlsx_bytes(
        REGISTRY_COLUMNS,
        ([registry_row(r)[c] for c in REGISTRY_COLUMNS] for r in requests),
        "usulan_diterima",
    )


def list_xlsx(requests: Iterable[DataUpdateRequest]) -> bytes:
    def row(r: DataUpdateRequest) -> list[Any]:
        found = regions().get(r.kode_kelurahan)
        return [
            r.number,
            r.get_kind_display(),
            r.get_state_display(),
            r.nik,
            r.nama,
            r.kode_kelurahan,
            found.name if found else "",
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(r.applied_at).strftime("%Y-%m-%d %H:%M") if r.applied_at else "",
            r.reason,
            change_text(r),
        ]

    from sigap.usulan.changes import change_text

    return xlsx_bytes(
        tuple(str(c) for c in LIST_COLUMNS), (row(r) for r in requests), str(gettext_lazy("usulan"))
    )
