"""Roster review: selected people probably already insured under another NIK or a name variant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from programmes.helpers import person, write_people, write_roster
from sigap.audit.models import AuditEvent
from sigap.errors import UserError
from sigap.programmes.actions import targeting_run
from sigap.programmes.roster_review import roster_review, write_xlsx

BORN = dt.date(1980, 5, 5)


def test_review_finds_typo_and_name_variant_not_twins(
    data_dir: Path, make_programme: Any, tmp_path: Path
) -> None:
    write_people(
        data_dir,
        [
            person("3275014505800001", nama="SITI AMINAH", jenis_kelamin="P", tanggal_lahir=BORN),
            person("3275014505800002", nama="SITI RAHMAWATI", jenis_kelamin="P", tanggal_lahir=BORN),
            person("3275010101800003", nama="MOCH. DJOKO SOETJIPTO", tanggal_lahir=dt.date(1980, 1, 1)),
            person("3275010202800004", nama="BUDI", tanggal_lahir=dt.date(1980, 2, 2)),
        ],
    )
    write_roster(
        data_dir,
        [
            # a typo of Siti Aminah's NIK (last two digits swapped), name with a title
            {"nik": "3275014505800010", "kpj": "11111111111", "nama": "HJ. SITI AMINAH",
             "tanggal_lahir": BORN, "segmen": "PU", "status": "AKTIF"},
            # Djoko under a NIK from another region, modern spelling
            {"nik": "3216010101800999", "kpj": "22222222222", "nama": "MUHAMMAD JOKO SUCIPTO",
             "tanggal_lahir": dt.date(1980, 1, 1), "segmen": "BPU", "status": "AKTIF"},
            # Budi's namesake, but not active any more
            {"nik": "3216010202800998", "kpj": "33333333333", "nama": "BUDI",
             "tanggal_lahir": dt.date(1980, 2, 2), "segmen": "BPU", "status": "NONAKTIF"},
        ],
    )  # fmt: skip
    run = targeting_run(programme=make_programme(), export=False)
    assert run.selected == 4

    found = roster_review(run=run)
    assert sorted((m.nik, m.rule, m.kpj) for m in found) == [
        ("3275010101800003", "same_name", "22222222222"),
        ("3275014505800001", "nik_typo", "11111111111"),
    ]
    typo = next(m for m in found if m.rule == "nik_typo")
    assert "3275014505800010" in typo.reason and typo.segmen == "PU" and typo.decision == "selected"
    event = AuditEvent.objects.get(action="run.roster_review")
    assert event.after["matches"] == 2

    path = write_xlsx(found, tmp_path / "review.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "NIK" and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"3275014505800001", "3275010101800003"}  # NIKs kept as text


def test_review_without_roster_is_a_clear_error(data_dir: Path, make_programme: Any) -> None:
    write_people(data_dir, [person("3275014505800001", tanggal_lahir=BORN)])
    run = targeting_run(programme=make_programme(), export=False)
    with pytest.raises(UserError, match="tanpa daftar peserta BPJS TK"):
        roster_review(run=run)


def test_cli_roster_check(data_dir: Path, make_programme: Any, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from sigap.cli import _register, cli

    write_people(
        data_dir, [person("3275014505800001", nama="SITI AMINAH", jenis_kelamin="P", tanggal_lahir=BORN)]
    )
    write_roster(
        data_dir,
        [{"nik": "3275014505800010", "kpj": "11111111111", "nama": "SITI AMINAH", "tanggal_lahir": BORN,
          "segmen": "BPU", "status": "AKTIF"}],
    )  # fmt: skip
    run = targeting_run(programme=make_programme(), export=False)
    out = tmp_path / "cek.xlsx"
    _register()
    result = CliRunner().invoke(cli, ["run", "roster-check", str(run.pk), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output.strip().splitlines()[-1])
    assert (answer["matches"], answer["people"]) == (1, 1) and out.is_file()
    assert answer["found"][0]["rule"] == "nik_typo"
