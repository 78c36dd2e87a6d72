"""The holiday calendar moves premium due dates (and so lapses) to the next working day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from billing.factories import make_members, make_programme
from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue
from sigap.billing.selectors import member_months
from sigap.cli import _register, cli
from sigap.core.money import Month
from sigap.errors import UserError
from sigap.holidays.actions import holidays_import
from sigap.holidays.models import Holiday

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "libur.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_invoice_due_date_skips_a_listed_holiday(tmp_path: Path) -> None:
    # 15 April 2026 is a Wednesday; pretend it is a holiday, and the 16th cuti bersama
    holidays_import(path=_csv(tmp_path, "date,name\n2026-04-15,Libur uji\n2026-04-16,Cuti bersama uji\n"))
    programme = make_programme()
    make_members(programme, 2)
    april = invoice_issue(programme=programme, month=Month(2026, 4))
    assert april.due_date == dt.date(2026, 4, 17)
    may = invoice_issue(programme=programme, month=Month(2026, 5))
    assert may.due_date == dt.date(2026, 5, 15)  # a Friday, not listed
    member = programme.members.first()
    ledger = member_months(member=member, on=dt.date(2026, 4, 16))
    april_row = next(m for m in ledger.months if m.month == Month(2026, 4))
    assert april_row.due_date == dt.date(2026, 4, 17)


def test_import_is_all_or_nothing_with_row_and_column(tmp_path: Path) -> None:
    Holiday.objects.create(date=dt.date(2026, 1, 1), name="Tahun Baru Masehi")
    bad = _csv(
        tmp_path, "tanggal;nama\n2026-03-20;Idulfitri\n20/03/2026;Idulfitri\n2026-03-21;\n2026-03-20;lagi\n"
    )
    with pytest.raises(UserError) as info:
        holidays_import(path=bad)
    assert "nothing was saved" in info.value.message
    assert info.value.details == [
        "row 3, column tanggal: '20/03/2026' is not a date as YYYY-MM-DD",
        "row 4, column nama: the name is empty",
        "row 5, column tanggal: 2026-03-20 already listed at row 2",
    ]
    assert list(Holiday.objects.values_list("name", flat=True)) == ["Tahun Baru Masehi"]
    with pytest.raises(UserError, match="row 1: the header must start with date,name"):
        holidays_import(path=_csv(tmp_path, "x,y\n2026-01-01,a\n"))


def test_reimport_updates_and_is_audited(tmp_path: Path) -> None:
    path = _csv(tmp_path, "date,name,legal_reference\n2026-08-17,Hari Kemerdekaan,SKB 2025\n")
    first = holidays_import(path=path)
    again = holidays_import(path=path)
    changed = holidays_import(path=_csv(tmp_path, "date,name\n2026-08-17,HUT RI\n"))
    assert (first.added, again.unchanged, changed.updated) == (1, 1, 1)
    assert Holiday.objects.get().name == "HUT RI"
    assert AuditEvent.objects.filter(action="holidays.import").count() == 3


def test_cli(tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    path = _csv(tmp_path, "date,name\n2026-12-25,Hari Raya Natal\n2027-01-01,Tahun Baru\n")
    done = runner.invoke(cli, ["holiday", "import", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output.strip().splitlines()[-1])["added"] == 2
    listed = runner.invoke(cli, ["holiday", "list", "--year", "2026", "--json"])
    assert [h["name"] for h in json.loads(listed.output.strip().splitlines()[-1])["holidays"]] == [
        "Hari Raya Natal"
    ]
    bad = runner.invoke(cli, ["holiday", "import", str(_csv(tmp_path, "date,name\nkemarin,x\n")), "--json"])
    assert bad.exit_code == 2 and "kemarin" in bad.output
