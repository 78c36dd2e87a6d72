"""A segment programme is never targeted itself (ADR 0020)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from programmes.helpers import person, write_people

from .test_segments import FREE, KEL, RT_RW, invoke, write_segment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_segment_programme_is_never_targeted(runner: CliRunner, data_dir: Path) -> None:
    from sigap.errors import UserError
    from sigap.programmes.actions import targeting_run
    from sigap.programmes.models import Programme

    write_people(data_dir, [person(FREE, kode_kelurahan=KEL)])
    path = write_segment(data_dir / "s.csv", [[RT_RW, "Ahmad", "RT/RW", KEL, ""]])
    assert invoke(
        runner, "programme", "import-segment", str(path), "--code", "RTRW-2026", "--year", "2026",
        "--region", "3275",
    ).exit_code == 0  # fmt: skip
    with pytest.raises(UserError, match="segmen"):
        targeting_run(programme=Programme.objects.get(code="RTRW-2026"), export=False)
