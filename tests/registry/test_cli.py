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


def test_roster_import_with_duplicates(run, tmp_path: Path) -> None:
    rows = [
        roster_row(1),
        roster_row(2, segmen="Bukan Penerima Upah", status="non aktif"),
        roster_row(3, kpj=roster_row(1)["kpj"]),
        roster_row(4, nik=roster_row(2)["nik"]),
        roster_row(5, kpj=""),
        roster_row(6, segmen="MANDIRI"),
    ]
    path = write_roster_csv(tmp_path / "roster.csv", rows, delimiter=",")
    result = run("roster", "import", str(path), "--reference-date", "2026-01-01", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["rows"], out["accepted"], out["rejected"]) == (6, 2, 4)
    report = Path(out["report"]).read_text(encoding="utf-8-sig")
    assert "duplicate KPJ, first at row 2" in report and "duplicate NIK, first at row 3" in report
    assert "kpj_missing" in report and "segmen_invalid" in report

    import duckdb

    from sigap.core.schema import ROSTER_COLUMNS
    from sigap.registry.models import Snapshot

    snap = Snapshot.objects.get(pk=out["snapshot"])
    assert snap.kind == "roster"
    rel = duckdb.sql(f"SELECT * FROM '{snap.data_file}' ORDER BY source_row")
    assert rel.columns == [name for name, _ in ROSTER_COLUMNS]
    assert [r[4:6] for r in rel.fetchall()] == [("BPU", "AKTIF"), ("BPU", "NONAKTIF")]
