"""An approval skips a person a segment imported after the run covers (ADR 0020)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from programmes.helpers import person, programme_document, write_people

from .test_segments import FREE, KEL, RT_RW, invoke, write_segment

pytestmark = pytest.mark.django_db(transaction=True)


def test_approval_skips_a_person_a_segment_imported_after_the_run_covers(
    runner: CliRunner, data_dir: Path
) -> None:
    from factories import make_user
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.enrolment.models import Member
    from sigap.programmes.actions import programme_apply, targeting_run

    write_people(
        data_dir, [person(RT_RW, kode_kelurahan=KEL), person(FREE, jenis_kelamin="P", kode_kelurahan=KEL)]
    )
    programme, _, _ = programme_apply(document=programme_document(), source_name="t.toml")
    run = targeting_run(programme=programme, export=False)
    assert run.selected == 2
    path = write_segment(data_dir / "rtrw.csv", [[RT_RW, "Ahmad", "RT/RW", KEL, "2026-03"]])
    assert invoke(
        runner, "programme", "import-segment", str(path), "--code", "RTRW-2026", "--year", "2026",
        "--region", "3275",
    ).exit_code == 0  # fmt: skip
    run_submit(run=run, acting_user=make_user("petugas"))
    result = run_approve(run=run, acting_user=make_user("kadis"))
    assert [(s.nik, s.reason) for s in result.skipped] == [
        (RT_RW, "covered by programme RTRW-2026 (2026-01..2026-12)")
    ]
    assert list(Member.objects.filter(programme=programme).values_list("nik", flat=True)) == [FREE]
