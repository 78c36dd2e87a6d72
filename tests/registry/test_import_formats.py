"""Reading CSV / XLSX / Parquet extracts, encodings, delimiters and bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from registry_factory import csv_text, person, write_csv

from sigap.audit.models import AuditEvent
from sigap.core.schema import PERSON_COLUMNS, SOURCE_COLUMNS
from sigap.errors import UserError
from sigap.registry.actions import snapshot_import

REF = dt.date(2026, 1, 1)
pytestmark = pytest.mark.django_db


def people_of(result) -> list[dict]:
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{result.snapshot.data_file}') ORDER BY source_row")
    return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def report_lines(result) -> list[list[str]]:
    import csv

    with open(result.report_path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


def test_pipe_csv_happy_path(data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(i) for i in range(1, 4)])
    result = snapshot_import(path=path, reference_date=REF)

    assert result.created and (result.rows, result.accepted, result.rejected) == (3, 3, 0)
    snap = result.snapshot
    assert snap.data_file.is_file() and snap.data_file.is_relative_to(data_dir)
    assert snap.region_codes == ["3275"]
    assert snap.stats["encoding"] == "utf-8" and snap.stats["delimiter"] == "pipe"
    schema = duckdb.sql(f"DESCRIBE SELECT * FROM '{snap.data_file}'").fetchall()
    assert [(r[0], r[1]) for r in schema] == list(PERSON_COLUMNS)
    rows = people_of(result)
    assert rows[0]["nama"] == "WARGA NOMOR 1"
    assert rows[0]["kode_kelurahan"] == "3275011001" and rows[0]["kode_kecamatan"] == "327501"
    assert rows[0]["tanggal_lahir"] == dt.date(1990, 7, 5)
    assert [r["source_row"] for r in rows] == [2, 3, 4]
    assert report_lines(result) == []
    assert (snap.report_file.parent / "rejections.xlsx").is_file()
    event = AuditEvent.objects.get(action="snapshot.import")
    assert event.object_id == str(snap.pk) and event.after["accepted"] == 3


def test_xlsx_with_typed_cells(data_dir: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(SOURCE_COLUMNS))
    a, b = person(1), person(2)
    row_a = [a[c] for c in SOURCE_COLUMNS]
    row_a[SOURCE_COLUMNS.index("tanggal_lahir")] = dt.datetime(1990, 7, 5)  # a real Excel date
    row_a[SOURCE_COLUMNS.index("desil")] = 2  # a number
    ws.append(row_a)
    ws.append([])  # blank rows are skipped, numbering follows Excel
    row_b = [b[c] for c in SOURCE_COLUMNS]
    row_b[SOURCE_COLUMNS.index("tanggal_lahir")] = 33059  # Excel serial for 1990-07-05
    row_b[SOURCE_COLUMNS.index("nomor_nik")] = "3.27501E+15"
    ws.append(row_b)
    wb.save(tmp_path / "dtsen.xlsx")

    result = snapshot_import(path=tmp_path / "dtsen.xlsx", reference_date=REF)
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1)
    (person_a,) = people_of(result)
    assert person_a["tanggal_lahir"] == dt.date(1990, 7, 5) and person_a["desil"] == 2
    assert person_a["source_row"] == 2
    (line,) = report_lines(result)
    assert line[:3] == ["dtsen.xlsx", "4", "nomor_nik"] and line[5] == "nik_scientific"
    assert result.snapshot.stats["format"] == "xlsx"


def test_xlsx_formula_without_cached_value_is_rejected(data_dir: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(SOURCE_COLUMNS))
    for i in (1, 2):
        ws.append([person(i)[c] for c in SOURCE_COLUMNS])
    ws.cell(row=3, column=SOURCE_COLUMNS.index("desil") + 1, value="=1+1")  # openpyxl stores no value
    wb.save(tmp_path / "f.xlsx")

    result = snapshot_import(path=tmp_path / "f.xlsx", reference_date=REF)
    assert (result.accepted, result.rejected) == (1, 1)
    formula = [line for line in report_lines(result) if line[5] == "formula_without_value"]
    assert formula and formula[0][1] == "3" and formula[0][2] == "desil"
    assert "formula without a value" in formula[0][6]


def test_parquet_source(data_dir: Path, tmp_path: Path) -> None:
    rows = [person(i) for i in range(1, 3)]
    table = pa.table({c: [r[c] for r in rows] for c in SOURCE_COLUMNS})
    pq.write_table(table, tmp_path / "dtsen.parquet")
    result = snapshot_import(path=tmp_path / "dtsen.parquet", reference_date=REF)
    assert (result.rows, result.accepted) == (2, 2)
    assert result.snapshot.stats["format"] == "parquet"


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), (",", "comma"), ("\t", "tab")])
def test_delimiters_detected_from_header(data_dir: Path, tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [person(1, alamat=f"JL. A{delimiter} RT 1"), person(2, nama='ADI "KECIL"')]
    path = write_csv(tmp_path / "x.csv", rows, delimiter=delimiter)
    result = snapshot_import(path=path, reference_date=REF)
    assert result.accepted == 2 and result.snapshot.stats["delimiter"] == name
    assert [r["alamat"] for r in people_of(result)][0] == f"JL. A{delimiter} RT 1"
    assert people_of(result)[1]["nama"] == 'ADI "KECIL"'


def test_windows_1252_file_is_transcoded(data_dir: Path, tmp_path: Path) -> None:
    rows = [person(1, nama="RENÉ SÉPTIAN"), person(2, nama="JOSÉ", alamat="GG. Š")]
    path = write_csv(tmp_path / "ansi.csv", rows, encoding="cp1252")
    result = snapshot_import(path=path, reference_date=REF)
    names = [r["nama"] for r in people_of(result)]
    assert names == ["RENÉ SÉPTIAN", "JOSÉ"]
    assert people_of(result)[1]["alamat"] == "GG. Š"
    assert result.snapshot.stats["encoding"] == "windows-1252"


def test_utf8_bom_and_crlf(data_dir: Path, tmp_path: Path) -> None:
    text = csv_text([person(1, nama="RENÉ")]).replace("\n", "\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = snapshot_import(path=path, reference_date=REF)
    assert result.accepted == 1 and people_of(result)[0]["nama"] == "RENÉ"
    assert people_of(result)[0]["pekerjaan"] == "BURUH HARIAN LEPAS"
    assert result.snapshot.stats["encoding"] == "utf-8-sig"


def test_missing_columns_named(data_dir: Path, tmp_path: Path) -> None:
    columns = tuple(c for c in SOURCE_COLUMNS if c not in ("desil", "nomor_kk"))
    path = write_csv(tmp_path / "short.csv", [person(1)], columns=columns)
    with pytest.raises(UserError) as info:
        snapshot_import(path=path, reference_date=REF)
    message = info.value.message
    assert "short.csv" in message and "nomor_kk" in message and "desil" in message
    assert "Kolom yang ditemukan: iddtks, provinsi" in message


def test_semicolon_file_with_wrong_columns_reports_found_header(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("NO;NAMA LENGKAP;ALAMAT\n1;BUDI;JL\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"Kolom yang ditemukan: NO, NAMA LENGKAP, ALAMAT"):
        snapshot_import(path=path, reference_date=REF)


@pytest.mark.parametrize("content", [b"", b"\n\n", "|".join(SOURCE_COLUMNS).encode() + b"\n"])
def test_empty_or_header_only(data_dir: Path, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(
        UserError, match="empty.csv: berkas (kosong|hanya berisi judul kolom, tanpa baris data)"
    ):
        snapshot_import(path=path, reference_date=REF)
    assert not any(p.is_file() for p in data_dir.rglob("*"))


@pytest.mark.parametrize("content", [b"PK\x03\x04 this is not a workbook", b"nomor_nik,nama\n1,2\n"])
def test_malformed_xlsx(data_dir: Path, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(UserError, match="broken.xlsx: bukan berkas XLSX yang sah"):
        snapshot_import(path=path, reference_date=REF)


def test_binary_file_refused(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(UserError, match="bukan berkas CSV, XLSX atau Parquet"):
        snapshot_import(path=path, reference_date=REF)


def _with_line(text: str, number: int, change) -> str:
    """``text`` with physical line ``number`` (header = 1) passed through ``change``."""
    lines = text.splitlines(keepends=True)
    lines[number - 1] = change(lines[number - 1])
    return "".join(lines)


@pytest.mark.parametrize("delimiter", ["|", ","])
def test_row_with_too_many_fields_is_one_rejected_row(data_dir: Path, tmp_path: Path, delimiter: str) -> None:
    # a comma inside an unquoted address is the classic: the row splits into one field too many
    text = csv_text([person(i) for i in range(1, 6)], delimiter=delimiter)
    text = _with_line(text, 3, lambda line: line.replace("JL. MAWAR NO. 1", f"JL. MAWAR{delimiter} NO. 1"))
    text = text.replace('"JL. MAWAR', "JL. MAWAR").replace(f'{delimiter} NO. 1"', f"{delimiter} NO. 1")
    path = tmp_path / "extra.csv"
    path.write_text(text, encoding="utf-8")
    result = snapshot_import(path=path, reference_date=REF)
    assert (result.rows, result.accepted, result.rejected) == (5, 4, 1)
    assert [r["source_row"] for r in people_of(result)] == [2, 4, 5, 6]
    (line,) = report_lines(result)
    assert line[:3] == ["extra.csv", "3", "(row)"] and line[5] == "row_malformed"
    assert "the row has 20 fields but the header has 19" in line[6]


def test_stray_quote_costs_one_row_not_the_rest_of_the_file(data_dir: Path, tmp_path: Path) -> None:
    text = csv_text([person(i) for i in range(1, 8)])
    text = _with_line(text, 3, lambda line: line.replace("JL. MAWAR", '"JL. MAWAR'))
    text = _with_line(text, 6, lambda line: line.replace("warga nomor 5", 'warga "nomor 5'))
    path = tmp_path / "quote.csv"
    path.write_text(text, encoding="utf-8")
    result = snapshot_import(path=path, reference_date=REF)
    # the two stray quotes do not pair up across lines 3..6: each costs its own row only
    assert (result.rows, result.accepted, result.rejected) == (7, 5, 2)
    assert [r["source_row"] for r in people_of(result)] == [2, 4, 5, 7, 8]
    assert [(line[1], line[5]) for line in report_lines(result)] == [
        ("3", "row_malformed"),
        ("6", "row_malformed"),
    ]
    assert all("never closed" in line[6] for line in report_lines(result))


def test_quoted_line_break_still_joins_one_record(data_dir: Path, tmp_path: Path) -> None:
    rows = [person(1, alamat="JL. MAWAR\nRT 1"), person(2, alamat="JL. A|B"), person(3)]
    text = csv_text(rows)
    text = _with_line(text, 5, lambda line: line.rstrip("\n") + "|EXTRA\n")  # record 4 (person 3) is bad
    path = tmp_path / "mixed.csv"
    path.write_text(text, encoding="utf-8")
    result = snapshot_import(path=path, reference_date=REF)
    assert (result.accepted, result.rejected) == (2, 1)
    assert [r["alamat"] for r in people_of(result)] == ["JL. MAWAR\nRT 1", "JL. A|B"]
    assert [line[1] for line in report_lines(result)] == ["4"]


def test_roster_row_with_too_many_fields_is_rejected(data_dir: Path, tmp_path: Path) -> None:
    from registry_factory import roster_row, write_roster_csv

    path = write_roster_csv(tmp_path / "bpjs.csv", [roster_row(i) for i in range(1, 4)])
    text = _with_line(path.read_text(encoding="utf-8"), 2, lambda line: line.rstrip("\n") + "|X|Y\n")
    path.write_text(text, encoding="utf-8")
    result = snapshot_import(path=path, kind="roster", reference_date=REF)
    assert (result.rows, result.accepted, result.rejected) == (3, 2, 1)
    assert [(line[1], line[5]) for line in report_lines(result)] == [("2", "row_malformed")]


def test_xlsx_title_rows_above_the_header(data_dir: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DAFTAR DTSEN KOTA BEKASI"])
    ws.append(["Per tanggal 1 Oktober 2026", None, "Dinas Sosial"])
    ws.append([])
    ws.append([c.upper() for c in SOURCE_COLUMNS])  # header on Excel row 4, in capitals
    for i in (1, 2):
        ws.append([person(i)[c] for c in SOURCE_COLUMNS])
    wb.save(tmp_path / "resmi.xlsx")

    result = snapshot_import(path=tmp_path / "resmi.xlsx", reference_date=REF)
    assert (result.rows, result.accepted) == (2, 2)
    assert [r["source_row"] for r in people_of(result)] == [5, 6]  # Excel's row numbers
    assert result.snapshot.stats["header_row"] == 4


def test_xlsx_without_a_header_names_the_first_row(data_dir: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NO", "NAMA LENGKAP", "ALAMAT"])
    for i in range(30):
        ws.append([i, f"WARGA {i}", "JL"])
    wb.save(tmp_path / "lain.xlsx")
    with pytest.raises(
        UserError, match=r"lain.xlsx: kolom wajib tidak ada: .*Kolom yang ditemukan: NO, NAMA LENGKAP, ALAMAT"
    ):
        snapshot_import(path=tmp_path / "lain.xlsx", reference_date=REF)
