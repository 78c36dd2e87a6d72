"""The DTSEN-layout export of accepted requests: officer-typed text never runs as a formula."""

from __future__ import annotations

import csv
import io

from csv_hostile import HOSTILE, defused
from sigap.usulan import exports
from sigap.usulan.models import DataUpdateRequest

from .conftest import KEL_A2


def _request(i: int, value: str) -> DataUpdateRequest:
    proposed = {
        "alamat": value,
        "tempat_lahir": value,
        "pekerjaan": value,
        "rt": "-1",
        "rw": "+2",
        "desil": 2,
        "tanggal_meninggal": "",
    }
    return DataUpdateRequest(
        number=f"U-2026-{i:05d}",
        kind=DataUpdateRequest.ALAMAT,
        nik=f"327501450580{i:04d}",
        nama=value,
        kode_kelurahan=KEL_A2,
        proposed=proposed,
        note=value,
    )


def test_registry_csv_defuses_every_text_column() -> None:
    requests = [_request(i, value) for i, value in enumerate(HOSTILE)]
    data = exports.registry_csv(requests).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data, newline=""), delimiter="|"))
    assert list(rows[0]) == list(exports.REGISTRY_COLUMNS) and len(rows) == len(HOSTILE)
    for i, (row, value) in enumerate(zip(rows, HOSTILE, strict=True)):
        for column in ("nama", "alamat", "tempat_lahir", "pekerjaan", "keterangan"):
            assert row[column] == defused(value), column
        assert (row["rt"], row["rw"]) == ("'-1", "'+2")
        assert row["nomor_nik"] == f"327501450580{i:04d}" and row["desil"] == "2"
        assert row["kode_kelurahan"] == KEL_A2 and row["nomor_usulan"] == f"U-2026-{i:05d}"


def test_the_xlsx_keeps_values_as_typed_and_never_a_formula() -> None:
    """XLSX cells are written as strings (``write_string``): ``=1+1`` cannot run, so the value sent back
    to DTSEN is the officer's, with no quote added (the CSV rule of core.csvsafe is for CSV only)."""
    import io

    import openpyxl

    from sigap.usulan.exports import xlsx_bytes

    values = ["=1+1", "-5 RT 02", "+62 812", "@SUM(A1)", "JL. MAWAR"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(("alamat",), ([v] for v in values), "usulan")))
    sheet = book.active
    assert sheet is not None
    cells = [sheet.cell(row, 1) for row in range(2, 2 + len(values))]
    assert [c.value for c in cells] == values
    assert all(c.data_type == "s" for c in cells)
