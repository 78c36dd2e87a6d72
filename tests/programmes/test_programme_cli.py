"""The CLI as an officer uses it: template -> apply -> targeting run -> show; bad files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sigap.audit.models import AuditEvent
from sigap.cli import _register, cli
from sigap.core.programme import ProgrammeSpec
from sigap.programmes.models import Programme, TargetingRun

from .helpers import bulk_people_sql, person, write_people, write_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def runner() -> CliRunner:
    _register()
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def write_template(runner: CliRunner, path: Path, replace: dict[str, str] | None = None) -> Path:
    result = invoke(runner, "programme", "template")
    assert result.exit_code == 0
    text = result.output
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_template_parses_and_explains_the_tariff(runner: CliRunner) -> None:
    text = invoke(runner, "programme", "template").output
    spec = ProgrammeSpec.from_dict(tomllib.loads(text))
    assert (spec.region, spec.budget, spec.funding, str(spec.coverage_start)) == (
        "3275",
        2_000_000_000,
        "APBD",
        "2026-01",
    )
    assert spec.cost_per_person() == 201_600
    for words in ("Rp16.800", "Rp16,800", "PP 50/2025", "JKM Rp6.800", "1%"):
        assert words in text


def test_apply_creates_then_is_idempotent_then_versions(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    path = write_template(runner, tmp_path / "p.toml")
    first = json.loads(invoke(runner, "programme", "apply", str(path), "--json").output)
    assert first | {"id": 0, "spec_sha256": ""} == {
        "programme": "SIGAP-2026",
        "id": 0,
        "version": 1,
        "created": True,
        "changed": True,
        "spec_sha256": "",
    }
    again = json.loads(invoke(runner, "programme", "apply", str(path), "--json").output)
    assert (again["created"], again["changed"], again["version"]) == (False, False, 1)
    # A comment change is not a spec change.
    path.write_text("# catatan\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert json.loads(invoke(runner, "programme", "apply", str(path), "--json").output)["changed"] is False
    write_template(runner, path, {"budget = 2_000_000_000": 'budget = "Rp3.000.000.000"'})
    third = json.loads(invoke(runner, "programme", "apply", str(path), "--json").output)
    assert (third["changed"], third["version"]) == (True, 2)
    assert Programme.objects.get(code="SIGAP-2026").budget == 3_000_000_000
    events = AuditEvent.objects.filter(action="programme.apply").order_by("id")
    assert events.count() == 2
    assert events[1].before["spec"]["programme"]["budget"] == 2_000_000_000
    assert events[1].after["spec"]["programme"]["budget"] == 3_000_000_000
    listing = json.loads(invoke(runner, "programme", "list", "--json").output)
    assert [(p["code"], p["region_name"], p["version"]) for p in listing["programmes"]] == [
        ("SIGAP-2026", "Kota Bekasi", 2)
    ]


def test_toml_syntax_error_names_file_and_line(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[programme]\ncode = "X"\nbudget = 2_000_000_000 000\n', encoding="utf-8")
    result = invoke(runner, "programme", "apply", str(path))
    assert result.exit_code == 2
    assert str(path) in result.output and "line 3" in result.output
    assert Programme.objects.count() == 0


def test_spec_problems_are_all_listed(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    path = write_template(
        runner,
        tmp_path / "bad.toml",
        {
            'region = "3275"': 'region = "3299"',
            'coverage_start = "2026-01"': 'coverage_start = "2027-01"',
            "desil_max = 5": "desil_max = 11",
            '"age_desc"]': '"tallest"]',
        },
    )
    result = invoke(runner, "programme", "apply", str(path), "--json")
    assert result.exit_code == 2
    error = json.loads(result.output)
    assert str(path) in error["error"] and "4 masalah" in error["error"]
    joined = "\n".join(error["details"])
    for key in ("programme.region", "programme.coverage_start", "eligibility.desil_max", "priority.order"):
        assert key in joined
    missing = invoke(runner, "programme", "apply", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "nope.toml" in missing.output


def test_targeting_run_and_show(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    path = write_template(runner, tmp_path / "p.toml", {"budget = 2_000_000_000": "budget = 100_000_000"})
    invoke(runner, "programme", "apply", str(path))
    no_data = invoke(runner, "targeting", "run", "--programme", "SIGAP-2026", "--json")
    assert no_data.exit_code == 2 and "impor registri dulu" in json.loads(no_data.output)["error"]

    snapshot = write_snapshot(data_dir, bulk_people_sql(1_000))
    out_dir = tmp_path / "out"
    result = invoke(
        runner, "targeting", "run", "--programme", "SIGAP-2026", "--export-dir", str(out_dir), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = {"run", "programme", "snapshot", "people", "eligible", "selected", "waiting", "ineligible"}
    assert expected | {"cost_per_person", "cost", "budget", "remaining", "exports"} <= set(data)
    assert data["snapshot"] == snapshot.pk and data["people"] == 1_000
    assert data["selected"] == 100_000_000 // 201_600 == 496
    assert data["cost"] + data["remaining"] == data["budget"] == 100_000_000
    assert set(data["exports"]) == {
        "beneficiaries.xlsx",
        "beneficiaries.csv",
        "waiting_list.xlsx",
        "waiting_list.csv",
        "beneficiaries.parquet",
        "waiting_list.parquet",
        "summary.xlsx",
    }
    assert all(Path(p).parent == out_dir and Path(p).is_file() for p in data["exports"].values())
    assert AuditEvent.objects.filter(action="targeting.export").count() == 1

    shown = json.loads(invoke(runner, "targeting", "show", str(data["run"]), "--json").output)
    assert shown["selected"] == 496 and shown["summary"]["per_kecamatan"]
    human = invoke(runner, "targeting", "show", str(data["run"]))
    assert "Rp99.993.600" in human.output and "Rp6.400" in human.output
    missing = invoke(runner, "targeting", "show", "999")
    assert missing.exit_code == 2 and "#999" in missing.output
    wrong = invoke(runner, "targeting", "run", "--programme", "NOPE")
    assert wrong.exit_code == 2


def test_exports_add_up(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    path = write_template(runner, tmp_path / "p.toml", {"budget = 2_000_000_000": "budget = 300_000_000"})
    invoke(runner, "programme", "apply", str(path))
    rows = [person(f"3275000000{i:06d}", kode_kelurahan=k) for i, k in enumerate(["3216011007"] * 3)]
    snapshot = write_snapshot(data_dir, bulk_people_sql(3_000))
    write_people(data_dir, rows)  # newest snapshot: only three outsiders -> nobody selected
    empty = json.loads(invoke(runner, "targeting", "run", "--programme", "SIGAP-2026", "--json").output)
    assert (empty["selected"], empty["remaining"]) == (0, 300_000_000)

    data = json.loads(
        invoke(
            runner, "targeting", "run", "--programme", "SIGAP-2026", "--snapshot", str(snapshot.pk), "--json"
        ).output
    )
    run = TargetingRun.objects.get(pk=data["run"])
    workbook = openpyxl.load_workbook(Path(data["exports"]["summary.xlsx"]), read_only=True)
    assert workbook.sheetnames == [
        "Ringkasan",
        "Per kecamatan",
        "Per kelurahan",
        "Per desil",
        "Per pekerjaan",
    ]
    overview = {r[0]: r[1] for r in workbook["Ringkasan"].iter_rows(values_only=True)}
    assert overview["Anggaran (Rp)"] == 300_000_000
    assert overview["Biaya per orang (Rp)"] == 201_600
    assert overview["Terpilih"] == run.selected == 1_488
    assert overview["Biaya (Rp)"] + overview["Sisa anggaran (Rp)"] == overview["Anggaran (Rp)"]
    for sheet in ("Per kecamatan", "Per kelurahan", "Per desil", "Per pekerjaan"):
        table = list(workbook[sheet].iter_rows(values_only=True))
        header, body, total = table[0], table[1:-1], table[-1]
        selected, cost = header.index("Terpilih"), header.index("Biaya (Rp)")
        assert sum(r[selected] for r in body) == total[selected] == run.selected, sheet
        assert sum(r[cost] for r in body) == total[cost] == run.cost, sheet
    kec = list(workbook["Per kecamatan"].iter_rows(values_only=True))
    assert len(kec) == 1 + 12 + 1 and kec[1][:2] == ("327501", "Bekasi Timur")

    beneficiaries = openpyxl.load_workbook(Path(data["exports"]["beneficiaries.xlsx"]), read_only=True)
    sheet = list(beneficiaries["Penerima"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("Peringkat", "NIK", "Nama") and len(sheet) == 1 + run.selected
    assert [r[0] for r in sheet[1:]] == list(range(1, run.selected + 1))
    assert sum(r[-1] for r in sheet[1:]) == run.cost
    assert isinstance(sheet[1][1], str) and len(sheet[1][1]) == 16
    csv_lines = Path(data["exports"]["waiting_list.csv"]).read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + run.waiting and csv_lines[1].startswith("1,")


def test_a_key_typo_is_refused_and_names_the_closest_key(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    """``desil_mx = 3`` used to leave desil_max at 5 (wider eligibility) silently."""
    path = write_template(
        runner,
        tmp_path / "typo.toml",
        {"desil_max = 5": "desil_mx = 3", "[priority]": "[prioritas]"},
    )
    result = invoke(runner, "programme", "apply", str(path), "--json")
    assert result.exit_code == 2
    error = json.loads(result.output)
    assert str(path) in error["error"] and "2 masalah" in error["error"]
    assert error["details"] == [
        "[eligibility] desil_mx: unknown key, did you mean desil_max?",
        "[prioritas]: unknown table, did you mean [priority]?",
    ]
    human = invoke(runner, "programme", "apply", str(path))  # brackets printed as written, not as markup
    assert "  - [eligibility] desil_mx: unknown key, did you mean desil_max?" in human.output
    assert "  - [prioritas]: unknown table, did you mean [priority]?" in human.output
    assert Programme.objects.count() == 0


def test_template_apply_spec_keeps_every_key_and_the_estimate(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    """The template with its optional lines switched on: every key it documents is stored and used."""
    from sigap.core.programme import SECTIONS
    from sigap.status.actions import estimate_of

    choice = '# occupations_included = ["informal", "MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA"]'
    path = write_template(
        runner,
        tmp_path / "p.toml",
        {
            "# estimated_vulnerable_workers = 200_000": "estimated_vulnerable_workers = 200_000",
            'occupations_included = "informal"\n' + choice: choice[2:],
            '# tie_break_seed = "SK-2026-017"': 'tie_break_seed = "SK-2026-017"',
            "include_jht = false": "include_jht = true",
        },
    )
    result = invoke(runner, "programme", "apply", str(path), "--json")
    assert result.exit_code == 0, result.output
    programme = Programme.objects.get(code="SIGAP-2026")
    assert {(t, k) for t, table in programme.spec.items() for k in table} == {
        (t, k) for t, keys in SECTIONS.items() for k in keys
    }
    spec = programme.to_spec()
    assert spec.estimated_vulnerable_workers == 200_000 == estimate_of(programme)
    assert {"MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA"} <= set(spec.eligibility.occupations_included)
    assert spec.priority.tie_break_seed == "SK-2026-017"
    assert spec.include_jht and spec.cost_per_person() == 441_600  # JKK + JKM + JHT, 12 months
    # Without the optional line the stored definition (and its digest) has no estimate key.
    plain = write_template(runner, tmp_path / "plain.toml", {'code = "SIGAP-2026"': 'code = "SIGAP-2026B"'})
    assert invoke(runner, "programme", "apply", str(plain)).exit_code == 0
    other = Programme.objects.get(code="SIGAP-2026B")
    assert "estimated_vulnerable_workers" not in other.spec["programme"] and estimate_of(other) is None
    assert "tie_break_seed" not in other.spec["priority"] and other.to_spec().priority.tie_break_seed is None
    assert "include_jht" not in other.spec["tariff"] and other.to_spec().cost_per_person() == 201_600


def test_a_run_is_reproduced_from_its_seed(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    """ADR 0014: the run shows its tie-break seed; giving it again gives the same decisions."""
    path = write_template(runner, tmp_path / "p.toml", {"budget = 2_000_000_000": "budget = 100_000_000"})
    invoke(runner, "programme", "apply", str(path))
    write_snapshot(data_dir, bulk_people_sql(1_000))
    first = json.loads(invoke(runner, "targeting", "run", "--programme", "SIGAP-2026", "--json").output)
    tie = first["tie_break"]
    assert (tie["rule"], tie["seed_source"]) == ("sha256-seed-nik", "random") and len(tie["seed"]) == 32
    assert tie["text"] == f"hash SHA-256 dari benih + NIK, terkecil dulu; benih: {tie['seed']}"
    again = json.loads(
        invoke(
            runner, "targeting", "run", "--programme", "SIGAP-2026", "--tie-break-seed", tie["seed"], "--json"
        ).output
    )
    assert again["run"] != first["run"] and again["decisions_sha256"] == first["decisions_sha256"]
    assert again["tie_break"] == {**tie, "seed_source": "given"}
    human = invoke(runner, "targeting", "show", str(first["run"]))
    assert f"Urutan seri: hash SHA-256 dari benih + NIK, terkecil dulu; benih: {tie['seed']}" in (
        human.output.replace("\n", "")
    )
    bad = invoke(
        runner, "targeting", "run", "--programme", "SIGAP-2026", "--tie-break-seed", "=1+1", "--json"
    )
    assert bad.exit_code == 2 and "tie-break seed" in json.loads(bad.output)["error"]
    assert TargetingRun.objects.count() == 2
