"""``sigap registry import|list`` and ``sigap roster import`` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from registry_factory import person, roster_row, write_csv, write_roster_csv

from sigap.cli import _register, cli
from sigap.core.schema import SOURCE_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(data_dir: Path):
    _register()
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_registry_import_with_mapping_file_json(run, tmp_path: Path) -> None:
    theirs = {"nomor_nik": "NIK", "nama": "Nama Lengkap", "nomor_kk": "No KK", "desa_kelurahan": "KELURAHAN"}
    header = [theirs.get(c, c.upper()) for c in SOURCE_COLUMNS]
    path = write_csv(tmp_path / "ekspor.csv", [person(1), person(2)], delimiter=";", header=header)
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        "[columns]\n" + "".join(f'{ours} = "{name}"\n' for ours, name in theirs.items()), encoding="utf-8"
    )
    result = run(
        "registry", "import", str(path), "--mapping", str(mapping), "--reference-date", "2026-01-01", "--json"
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["created"] is True and (out["rows"], out["accepted"], out["rejected"]) == (2, 2, 0)
    assert out["report"].endswith("rejections.csv") and Path(out["report"]).is_file()

    again = json.loads(run("registry", "import", str(path), "--mapping", str(mapping), "--json").output)
    assert again["snapshot"] == out["snapshot"] and again["created"] is False

    listed = json.loads(run("registry", "list", "--json").output)
    assert [s["id"] for s in listed["snapshots"]] == [out["snapshot"]]
    assert listed["snapshots"][0]["region_codes"] == ["3275"]


def test_registry_import_human_output(run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, desil="abc")])
    result = run("registry", "import", str(path), "--reference-date", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "Snapshot #" in result.output and "rejections.csv" in result.output
    assert "Traceback" not in result.output


def test_missing_columns_exit_2(run, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("NIK|NAMA\n3275014507900001|SITI\n", encoding="utf-8")
    result = run("registry", "import", str(path), "--json")
    assert result.exit_code == 2
    error = json.loads(result.output)["error"]
    assert "x.csv: kolom wajib tidak ada" in error and "Kolom yang ditemukan: NIK, NAMA" in error


def test_malformed_xlsx_exit_2(run, tmp_path: Path) -> None:
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00garbage" * 20)
    result = run("registry", "import", str(path))
    assert result.exit_code == 2 and "rusak.xlsx: bukan berkas XLSX yang sah" in result.output
    assert "Traceback" not in result.output


def test_roster_import_keeps_every_row(run, tmp_path: Path) -> None:
    """Issue 8: a roster row is never thrown away; what makes it unusable as it is is a warning."""
    rows = [
        roster_row(1),
        roster_row(2, segmen="Bukan Penerima Upah", status="non aktif"),
        roster_row(3, kpj=roster_row(1)["kpj"]),
        roster_row(4, nik=roster_row(2)["nik"]),
        roster_row(5, kpj=""),
        roster_row(6, segmen="MANDIRI"),
        roster_row(7, nik=""),
        roster_row(8, nik="3275019902850008"),  # a typo: day 99 is no birth date
        roster_row(9, nik="", nama=""),
    ]
    path = write_roster_csv(tmp_path / "roster.csv", rows, delimiter=",")
    result = run("roster", "import", str(path), "--reference-date", "2026-01-01", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["rows"], out["accepted"], out["rejected"]) == (9, 9, 0)
    report = Path(out["report"]).read_text(encoding="utf-8-sig")
    assert "KPJ repeated, first at row 2" in report and "NIK repeated, first at row 3" in report
    assert "kpj_missing" in report and "segmen_invalid" in report
    assert "nik_missing" in report and "nik_birth_date" in report and "roster_row_unusable" in report
    assert "error" not in report

    import duckdb

    from sigap.core.schema import ROSTER_COLUMNS
    from sigap.registry.models import Snapshot

    snap = Snapshot.objects.get(pk=out["snapshot"])
    assert snap.kind == "roster"
    rel = duckdb.sql(f"SELECT * FROM '{snap.data_file}' ORDER BY source_row")
    assert rel.columns == [name for name, _ in ROSTER_COLUMNS]
    got = rel.fetchall()
    assert [r[4:6] for r in got[:2]] == [("BPU", "AKTIF"), ("BPU", "NONAKTIF")]
    assert got[5][4] is None  # MANDIRI: kept, the segment unknown
    # an invalid NIK is no NIK, but its digits stay for the linkage
    assert (got[7][0], got[7][7]) == (None, "3275019902850008")
    assert (got[6][0], got[6][7]) == (None, None)
