"""Row-level checks: each problem is a report line naming row, column, value and reason."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest
from registry_factory import person, write_csv

from csv_hostile import HOSTILE, defused
from sigap.core.nik import make_nik
from sigap.registry.actions import snapshot_import

REF = dt.date(2026, 1, 1)
pytestmark = pytest.mark.django_db


def run(tmp_path: Path, rows: list[dict], **kwargs):
    path = write_csv(tmp_path / "dtsen.csv", rows, **kwargs)
    result = snapshot_import(path=path, reference_date=REF)
    with open(result.report_path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{result.snapshot.data_file}') ORDER BY source_row")
    people = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    return result, lines, people


def codes_at(lines: list[dict], row: int) -> set[str]:
    return {line["code"] for line in lines if line["row"] == str(row)}


def test_scientific_nik_rejected_with_row_and_reason(data_dir: Path, tmp_path: Path) -> None:
    result, lines, people = run(tmp_path, [person(1), person(2, nomor_nik="3.27501E+15")])
    assert (result.accepted, result.rejected) == (1, 1)
    (line,) = lines
    assert line["row"] == "3" and line["column"] == "nomor_nik" and line["value"] == "3.27501E+15"
    assert line["severity"] == "error" and line["code"] == "nik_scientific"
    assert "scientific notation" in line["reason"] and line["file"] == "dtsen.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-07-05", dt.date(1990, 7, 5)),
        ("05-07-1990", dt.date(1990, 7, 5)),
        ("5/7/1990", dt.date(1990, 7, 5)),
        ("05.07.1990", dt.date(1990, 7, 5)),
        ("19900705", dt.date(1990, 7, 5)),
        ("33059", dt.date(1990, 7, 5)),  # Excel serial, 1900 date system
        ("32874", dt.date(1990, 1, 1)),
    ],
)
def test_birth_date_spellings(data_dir: Path, tmp_path: Path, text: str, expected: dt.date) -> None:
    result, lines, people = run(tmp_path, [person(1, born=expected, tanggal_lahir=text)])
    assert result.accepted == 1 and people[0]["tanggal_lahir"] == expected
    assert lines == []


def test_bad_and_mismatched_birth_dates(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        person(1, tanggal_lahir="31-02-1990"),
        person(2, tanggal_lahir="2027-01-01"),
        person(3, tanggal_lahir="kemarin"),
        person(4, tanggal_lahir="1991-07-05"),  # valid but not the NIK's date: warning only
    ]
    result, lines, people = run(tmp_path, rows)
    assert codes_at(lines, 2) == {"birth_date_invalid"}
    assert codes_at(lines, 3) == {"birth_date_future"}
    assert codes_at(lines, 4) == {"birth_date_invalid"}
    assert codes_at(lines, 5) == {"birth_date_nik_mismatch"}
    assert [p["source_row"] for p in people] == [5] and result.warnings == 1


def test_sex_spellings_and_mismatch(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        person(1, jenis_kelamin="PEREMPUAN"),
        person(2, jenis_kelamin="laki-laki"),
        person(3, jenis_kelamin="2"),
        person(4, jenis_kelamin="F"),  # NIK says male (even serial): warning
        person(5, jenis_kelamin="X"),
    ]
    result, lines, people = run(tmp_path, rows)
    assert [p["jenis_kelamin"] for p in people] == ["P", "L", "P", "P"]
    assert codes_at(lines, 5) == {"sex_nik_mismatch"}
    assert codes_at(lines, 6) == {"sex_invalid"}


def test_desil_kk_nama_occupation_and_status(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        person(1, desil="03", pekerjaan="  petani ", status_hidup="Meninggal"),
        person(2, desil="0"),
        person(3, nomor_kk="3275-0101-0100-0003", pekerjaan="Tukang  Ojek Pangkalan"),
        person(4, nomor_kk="32750101"),
        person(5, nama="   "),
        person(6, pekerjaan="buruh / nelayan"),
    ]
    columns = (*person(1).keys(), "status_hidup")
    result, lines, people = run(tmp_path, rows, columns=tuple(dict.fromkeys(columns)))
    by_row = {p["source_row"]: p for p in people}
    assert by_row[2]["desil"] == 3 and by_row[2]["pekerjaan"] == "PETANI/PEKEBUN" and by_row[2]["meninggal"]
    assert by_row[4]["no_kk"] == "3275010101000003" and by_row[4]["pekerjaan"] == "TUKANG OJEK PANGKALAN"
    assert not by_row[4]["meninggal"]
    assert by_row[7]["pekerjaan"] == "BURUH/NELAYAN"
    assert codes_at(lines, 3) == {"desil_invalid"}
    assert codes_at(lines, 5) == {"kk_invalid"}
    assert codes_at(lines, 6) == {"nama_missing"}


def test_region_names_instead_of_codes(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        person(1, provinsi="Jawa Barat", kabupaten_kota="KOTA BEKASI", kecamatan="Pondok Gede",
               desa_kelurahan="jati waringin"),
        person(2, provinsi="", kabupaten_kota="", kecamatan="32.75.01", desa_kelurahan="Bekasi Jaya"),
        person(3, provinsi="", kabupaten_kota="", kecamatan="Cibitung", desa_kelurahan="Wanasari"),
        person(4, provinsi="", kabupaten_kota="Kabupaten Bekasi", kecamatan="Cibitung", desa_kelurahan="Wanasari"),
        person(5, kecamatan="Bekasi Timur", desa_kelurahan="Kampung Antah"),
        person(6, kecamatan="327501", desa_kelurahan="3275021001"),
        person(7, kecamatan="", desa_kelurahan="3275011001"),
    ]  # fmt: skip
    result, lines, people = run(tmp_path, rows)
    by_row = {p["source_row"]: p for p in people}
    assert by_row[2]["kode_kelurahan"] == "3275081001" and by_row[2]["kode_kecamatan"] == "327508"
    assert by_row[3]["kode_kelurahan"] == "3275011001"
    assert by_row[5]["kode_kelurahan"].startswith("321607")
    # the NIK prefix (327501) never decides the domicile
    assert by_row[2]["nik"].startswith("327501")
    reasons = {int(line["row"]): line for line in lines if line["severity"] == "error"}
    assert reasons[4]["code"] == "region_ambiguous" and "'Cibitung'" in reasons[4]["reason"]
    assert reasons[4]["column"] == "kecamatan"
    assert reasons[6]["code"] == "region_unknown" and "'Kampung Antah'" in reasons[6]["reason"]
    assert reasons[7]["code"] == "region_mismatch" and reasons[7]["column"] == "desa_kelurahan"
    assert reasons[8]["code"] == "region_missing"
    assert result.snapshot.region_codes == ["3216", "3275"]


def test_unknown_nik_kecamatan_is_a_warning(data_dir: Path, tmp_path: Path) -> None:
    nik = make_nik("327599", dt.date(1990, 7, 5), "L", 2)
    result, lines, people = run(tmp_path, [person(2, nomor_nik=nik)])
    assert result.accepted == 1
    assert [(line["severity"], line["code"]) for line in lines] == [("warning", "nik_kecamatan_unknown")]


def test_invalid_niks(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        person(1, nomor_nik="3275014507900000"),  # serial 0000
        person(2, nomor_nik="3275017207900002"),  # day 72-40 = 32
        person(3, nomor_nik="9975010507900003"),  # province 99
        person(4, nomor_nik="32750105079000"),  # 14 digits
        person(5, nomor_nik="3275 0145 0790 0005"),  # spaces are fine
        person(6, nomor_nik=""),
    ]
    result, lines, people = run(tmp_path, rows)
    assert [p["nik"] for p in people] == ["3275014507900005"]
    got = {int(line["row"]): line["code"] for line in lines}
    assert got == {2: "nik_serial", 3: "nik_birth_date", 4: "nik_province", 5: "nik_length", 7: "nik_missing"}


def test_duplicate_niks_keep_first(data_dir: Path, tmp_path: Path) -> None:
    first = person(1)
    rows = [
        first,
        person(2),
        dict(first, nama="KEMBAR"),
        dict(first, nomor_nik=first["nomor_nik"][:4] + "-" + first["nomor_nik"][4:]),
    ]
    result, lines, people = run(tmp_path, rows)
    assert [p["source_row"] for p in people] == [2, 3]
    dup = [line for line in lines if line["code"] == "nik_duplicate"]
    assert [line["row"] for line in dup] == ["4", "5"]
    assert all(line["reason"] == "duplicate NIK, first at row 2" for line in dup)
    assert result.snapshot.stats["errors_by_code"] == {"nik_duplicate": 2}


def test_report_xlsx_mirrors_csv(data_dir: Path, tmp_path: Path) -> None:
    result, lines, _ = run(tmp_path, [person(1, desil="11"), person(2, nomor_nik="=cmd|' /C calc'!A0")])
    book = openpyxl.load_workbook(result.report_path.with_suffix(".xlsx"), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    # the Excel report is read by the officer: Indonesian headings, severity and reason in words
    assert rows[0] == ("Berkas", "Baris", "Kolom", "Nilai", "Tingkat", "Kode", "Alasan", "Keterangan")
    assert rows[1][4:7] == ("ditolak", "desil_invalid", "desil bukan angka 1 sampai 10")
    assert len(rows) - 1 == len(lines) == 2
    assert rows[2][3] == "=cmd|' /C calc'!A0"  # stored as text in XLSX
    assert lines[1]["value"].startswith("'=")  # defused in CSV


def test_report_csv_defuses_values_and_the_file_name(data_dir: Path, tmp_path: Path) -> None:
    """Uploaded values (and the upload's name) that a spreadsheet would run start with ' in the CSV."""
    # the hand-made extract is written by Python 3.11's csv with a "\n" terminator: a bare CR would
    # split its row, so the CR case is covered by the core tests of the SQL rule
    values = [v for v in HOSTILE if not v.startswith("\r")]
    rows = [person(i + 1, nomor_nik=value, desil=value) for i, value in enumerate(values)]
    path = write_csv(tmp_path / "=HYPERLINK(1).csv", rows)
    result = snapshot_import(path=path, reference_date=REF)
    with open(result.report_path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    assert {line["file"] for line in lines} == {"'=HYPERLINK(1).csv"}
    for i, value in enumerate(values):
        found = {line["column"]: line for line in lines if line["row"] == str(i + 2)}
        assert found["nomor_nik"]["value"] == found["desil"]["value"] == defused(value)
        assert found["nomor_nik"]["code"] == "nik_not_digits" and found["desil"]["code"] == "desil_invalid"
    assert not [cell for line in lines for cell in line.values() if cell[:1] in tuple("=+-@\t\r")]
    xlsx = openpyxl.load_workbook(result.report_path.with_suffix(".xlsx"), read_only=True)
    assert next(xlsx.active.iter_rows(min_row=2, max_row=2, values_only=True))[0] == "=HYPERLINK(1).csv"
