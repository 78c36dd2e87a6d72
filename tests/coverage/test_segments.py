"""Existing segments (RT/RW, kader Posyandu, honorer...) imported as a programme with existing members:
checked like every import, replaced by a newer list (ADR 0020)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from programmes.helpers import programme_document
from sigap.audit.models import AuditEvent
from sigap.cli import cli

pytestmark = pytest.mark.django_db(transaction=True)

KEL = "3275011001"  # Bekasijaya, Bekasi Timur
RT_RW = "3275014505800001"  # chair of an RT: already funded by the RTRW segment
KADER = "3275015505800002"  # kader Posyandu, same segment list
FREE = "3275010202800003"  # nobody funds her yet


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def write_segment(path: Path, rows: list[list[str]], header: tuple[str, ...] = ()) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header or ("NIK", "Nama", "Segmen", "Kelurahan", "Mulai"))
        writer.writerows(rows)
    return path


def test_segment_import_keeps_good_rows_and_reports_the_others(runner: CliRunner, data_dir: Path) -> None:
    from sigap.coverage.models import SegmentList, SegmentMember
    from sigap.programmes.models import Programme

    path = write_segment(
        data_dir / "rtrw.csv",
        [
            [RT_RW, "Ahmad Fauzi", "RT/RW", KEL, "2026-01"],
            [KADER, "siti  rahmah", "Kader Posyandu", "bekasijaya", "01/2026"],
            ["3275019999", "Terlalu Pendek", "RT/RW", KEL, ""],  # NIK not 16 digits
            [RT_RW, "Ahmad Lagi", "RT/RW", KEL, ""],  # the same person twice
            ["3275016505800009", "Tanpa Kelurahan", "Linmas", "Antah Berantah", ""],  # unknown kelurahan
            ["3275016505800010", "Bulan Salah", "Linmas", KEL, "2027-02"],  # after the fiscal year
            ["3275016505800011", "", "Linmas", KEL, ""],  # no name
        ],
    )
    result = invoke(
        runner, "programme", "import-segment", str(path), "--code", "RTRW-2026", "--year", "2026",
        "--region", "3275", "--name", "RT/RW dan kader 2026", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["rows"], out["accepted"], out["rejected"]) == (7, 2, 5)
    assert out["segments"] == {"RT/RW": 1, "KADER POSYANDU": 1}
    report = Path(out["report"]).read_text(encoding="utf-8-sig")
    for code in ("nik_length", "nik_duplicate", "region_unknown", "month_after_year", "nama_missing"):
        assert code in report
    programme = Programme.objects.get(code="RTRW-2026")
    assert (programme.region, programme.fiscal_year, programme.funding) == ("3275", 2026, "APBD")
    members = {m.nik: m for m in SegmentMember.objects.filter(programme=programme)}
    assert set(members) == {RT_RW, KADER}
    assert members[KADER].kode_kelurahan == KEL and members[KADER].nama == "SITI RAHMAH"
    assert SegmentList.objects.get(programme=programme).rejected == 5
    event = AuditEvent.objects.get(action="segment.import")
    assert event.after["accepted"] == 2 and event.area_code == "3275"

    # a new list replaces the members; the earlier list stays recorded
    write_segment(path, [[RT_RW, "Ahmad Fauzi", "RT/RW", KEL, ""]])
    again = json.loads(invoke(
        runner, "programme", "import-segment", str(path), "--code", "RTRW-2026", "--year", "2026",
        "--region", "3275", "--json",
    ).output)  # fmt: skip
    assert (again["accepted"], again["replaced"]) == (1, 2)
    assert SegmentList.objects.filter(programme=programme).count() == 2
    assert list(SegmentMember.objects.filter(programme=programme).values_list("nik", flat=True)) == [RT_RW]


def test_a_segment_code_cannot_take_over_a_targeting_programme(runner: CliRunner, data_dir: Path) -> None:
    from sigap.programmes.actions import programme_apply

    programme_apply(document=programme_document(), source_name="t.toml")
    path = write_segment(data_dir / "s.csv", [[RT_RW, "Ahmad", "RT/RW", KEL, ""]])
    result = invoke(
        runner, "programme", "import-segment", str(path), "--code", "SIGAP-2026", "--year", "2026",
        "--region", "3275",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "sudah dipakai program penetapan sasaran" in result.output


def test_people_another_apbd_programme_already_funds_are_reported(runner: CliRunner, data_dir: Path) -> None:
    """Kept on the list (the region does fund them there), counted once, and shown to the officer."""
    first = write_segment(
        data_dir / "rtrw.csv", [[RT_RW, "Ahmad", "RT/RW", KEL, ""], [KADER, "Siti", "RT/RW", KEL, ""]]
    )
    assert invoke(
        runner, "programme", "import-segment", str(first), "--code", "RTRW-2026", "--year", "2026", "--region", "3275"
    ).exit_code == 0  # fmt: skip
    second = write_segment(
        data_dir / "linmas.csv", [[RT_RW, "Ahmad", "Linmas", KEL, ""], [FREE, "Rina", "Linmas", KEL, ""]]
    )
    args = (
        "programme",
        "import-segment",
        str(second),
        "--code",
        "LINMAS-2026",
        "--year",
        "2026",
        "--region",
        "3275",
    )
    out = json.loads(invoke(runner, *args, "--json").output)
    assert (out["accepted"], out["also_funded"]) == (2, {"RTRW-2026": 1})
    assert "1 orang juga dibiayai program RTRW-2026" in invoke(runner, *args).output
    # a segment of another fiscal year does not overlap
    third = write_segment(data_dir / "old.csv", [[RT_RW, "Ahmad", "RT/RW", KEL, ""]])
    old = json.loads(invoke(
        runner, "programme", "import-segment", str(third), "--code", "RTRW-2025", "--year", "2025", "--region", "3275", "--json"
    ).output)  # fmt: skip
    assert old["also_funded"] == {}
