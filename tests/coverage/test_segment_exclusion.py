"""APBD programmes exclude each other, segments included: a targeting run leaves out the people a
segment the region already funds covers, with the reason every APBD programme gives (ADR 0020); a
segment programme is never targeted itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from programmes.helpers import person, programme_document, write_people

from .test_segments import FREE, KADER, KEL, RT_RW, invoke, write_segment

pytestmark = pytest.mark.django_db(transaction=True)


def test_targeting_excludes_people_a_segment_already_funds(runner: CliRunner, data_dir: Path) -> None:
    from sigap.engine import default_engine
    from sigap.programmes.actions import programme_apply, targeting_run
    from sigap.programmes.selectors import decisions_relation

    write_people(
        data_dir,
        [
            person(RT_RW, kode_kelurahan=KEL),
            person(KADER, jenis_kelamin="P", kode_kelurahan=KEL),
            person(FREE, jenis_kelamin="P", kode_kelurahan=KEL),
        ],
    )
    path = write_segment(
        data_dir / "rtrw.csv",
        [[RT_RW, "Ahmad", "RT/RW", KEL, "2026-01"], [KADER, "Siti", "Kader Posyandu", KEL, "2026-01"]],
    )
    assert invoke(
        runner, "programme", "import-segment", str(path), "--code", "RTRW-2026", "--year", "2026",
        "--region", "3275",
    ).exit_code == 0  # fmt: skip
    programme, _, _ = programme_apply(document=programme_document(), source_name="t.toml")
    run = targeting_run(programme=programme, export=False)
    assert (run.selected, run.ineligible) == (1, 2)
    with default_engine() as engine:
        rows = dict(engine.fetch(f"SELECT nik, reasons FROM {decisions_relation(run)} AS d"))
        words = dict(engine.fetch(f"SELECT nik, reasons FROM {decisions_relation(run, language='id')} AS d"))
    assert rows[RT_RW] == "covered by programme RTRW-2026 (2026-01..2026-12)"
    assert words[KADER] == "sudah dibiayai program RTRW-2026 (2026-01..2026-12)"
    assert words[FREE].startswith("terpilih")
    # the public status check says it in plain words, naming no other programme
    from sigap.web.citizen_reasons import plain_reasons

    assert plain_reasons(rows[RT_RW]) == ["sudah dibiayai program lain dari APBD daerah"]
