"""``sigap generate`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sigap.cli import _register, cli


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _read_csv(path: Path) -> pa.Table:
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split("|")
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter="|"),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
    )


def test_generate_csv_with_roster_json(runner: CliRunner, tmp_path: Path):
    out, roster = tmp_path / "dtsen.csv", tmp_path / "bpjs.csv"
    result = runner.invoke(
        cli, ["generate", str(out), "--people", "3000", "--seed", "2", "--roster", str(roster), "--json"]
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert {"file", "people", "families", "roster_file", "roster_rows", "seconds", "region"} <= set(info)
    assert (info["file"], info["people"], info["region"], info["roster_file"]) == (
        str(out),
        3000,
        "3275",
        str(roster),
    )
    table = _read_csv(out)
    assert table.num_rows == 3000
    assert len(set(table.column("nomor_kk").to_pylist())) == info["families"]
    assert _read_csv(roster).num_rows == info["roster_rows"] > 0


def test_generate_dirty_preset_and_explicit_rate(runner: CliRunner, tmp_path: Path):
    out = tmp_path / "dirty.parquet"
    result = runner.invoke(
        cli, ["generate", str(out), "--people", "4000", "--dirty", "--duplicate-rate", "0.05", "--json"]
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 4000 + 200  # explicit rate wins over the preset
    dates = table.column("tanggal_lahir").to_pylist()
    assert sum("-" not in d or d[2] == "-" for d in dates) > 50  # preset mixed dates present


def test_generate_other_region_human_output(runner: CliRunner, tmp_path: Path):
    out = tmp_path / "bogor.xlsx"
    result = runner.invoke(cli, ["generate", str(out), "--region", "3201", "--people", "300"])
    assert result.exit_code == 0, result.output
    assert "Kabupaten Bogor" in result.output
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "9999"], "Unknown region '9999'"),
        (["--region", "32"], "not a kabupaten/kota"),
        (["--region", "3275011001"], "not a kabupaten/kota"),
    ],
)
def test_bad_region_exit_2(runner: CliRunner, tmp_path: Path, args: list[str], message: str):
    out = tmp_path / "x.csv"
    result = runner.invoke(cli, ["generate", str(out), "--people", "10", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()
    result = runner.invoke(cli, ["generate", str(out), "--people", "10", *args, "--json"])
    assert result.exit_code == 2 and message in json.loads(result.stdout)["error"]


def test_refuses_big_xlsx_and_unknown_suffix_before_work(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["generate", str(tmp_path / "big.xlsx"), "--people", "250000"])
    assert result.exit_code == 2 and "too many for Excel" in " ".join(result.output.split())
    result = runner.invoke(cli, ["generate", str(tmp_path / "x.json"), "--people", "10"])
    assert result.exit_code == 2 and ".parquet" in result.output
    result = runner.invoke(cli, ["generate", str(tmp_path / "x.csv"), "--typo-rate", "2"])
    assert result.exit_code == 2  # click's own usage error
    assert list(tmp_path.iterdir()) == []
