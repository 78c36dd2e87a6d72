"""One truth for each programme (issue 7, ADR 0013): the list in force drives every screen.

The scenario seen in wave 1: an approved and enrolled list, then a new registry and a new run that the
Kepala Dinas returns.  Leaders' figures, citizens' answers, operators' person search and the usulan
links must be exactly those of the approved state before and after.  Approving a replacement is the
only thing that switches them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from programmes.helpers import person, write_people
from sigap.core.money import Month
from sigap.status.actions import dashboard_refresh
from sigap.status.selectors import citizen_answers, dashboard_figures
from web.conftest import KEL_A, KK, KK_A, NIK_A, NIK_B, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db(transaction=True)
NIK_NEW = "3275010404800005"  # appears only in the updated registry
KK_NEW = "3275011706900055"


def _enrol(world: Any, tmp_path: Path) -> None:
    """Approve the run and send it to BPJS TK: NIK_A accepted from January 2026, NIK_B rejected."""
    from sigap.enrolment.actions import batch_export, response_import

    approve(world)
    admin = world.users["admin_dinas"]
    batch = batch_export(programme=world.programme, acting_user=admin, today=dt.date(2025, 12, 10))
    answer = tmp_path / "jawaban.csv"
    answer.write_text(
        f"NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n{NIK_A},26000000001,DITERIMA,,2026-01-05\n{NIK_B},,DITOLAK,x,\n",
        encoding="utf-8",
    )
    response_import(batch=batch, path=answer, acting_user=admin, today=dt.date(2026, 1, 20))


def _updated_registry(data_dir: Path) -> Any:
    """A newer registry: the waiting person is now desil 1, the rich one poorer, and one newcomer."""
    return write_people(
        data_dir,
        [
            person(NIK_A, no_kk=KK_A, nama="SITI AMINAH", jenis_kelamin="P", kode_kelurahan=KEL_A),
            person(NIK_WAIT, no_kk=KK[NIK_WAIT], nama="SITI RAHAYU", desil=1, kode_kelurahan=KEL_A),
            person(NIK_POOR_FIT, no_kk=KK[NIK_POOR_FIT], nama="AHMAD KAYA", desil=2, kode_kelurahan=KEL_A),
            person(NIK_NEW, no_kk=KK_NEW, nama="DEDI BARU", desil=1, kode_kelurahan=KEL_A),
        ],
    )


def _seen(world: Any) -> dict[str, Any]:
    """Everything the scenario compares: figures, answers, operator pages, the usulan form."""
    dashboard_refresh(programme=world.programme, on=dt.date(2026, 6, 15))
    leaders = dashboard_figures(world.programme)
    assert leaders is not None
    answers = {
        nik: citizen_answers(nik=nik, kk=kk)
        for nik, kk in (
            (NIK_A, KK_A),
            (NIK_WAIT, KK[NIK_WAIT]),
            (NIK_POOR_FIT, KK[NIK_POOR_FIT]),
            (NIK_NEW, KK_NEW),
        )
    }
    boss, operator = Client(), Client()
    boss.force_login(world.users["pimpinan"])
    operator.force_login(world.users["operator_kelurahan"])
    home = boss.get(reverse("web:home")).content.decode()
    search = operator.get(reverse("web:person-search"), {"q": NIK_WAIT})
    usulan = operator.get(reverse("web:usulan:create"), {"nik": NIK_WAIT})
    return {
        "totals": leaders["totals"],
        "covered_share": leaders["covered_share"],
        "run": leaders["figures"].run_id,
        "answers": answers,
        "home_run": home.split('id="prog-', 1)[1].split('"', 1)[0],
        "search_run": search.context["run"].pk,
        "usulan": usulan.status_code,
    }


def test_a_returned_run_changes_nothing_anyone_sees(
    world: Any, data_dir: Path, tmp_path: Path, clock: Any
) -> None:
    from sigap.enrolment.actions import run_return, run_submit
    from sigap.enrolment.lifecycle import replacement_run

    clock(dt.date(2026, 6, 15))
    _enrol(world, tmp_path)
    before = _seen(world)
    assert before["run"] == world.run.pk and before["search_run"] == world.run.pk
    assert before["totals"]["covered"] == 1 and before["covered_share"] == "33,33"
    assert [a[1] for a in before["answers"][NIK_A]] == ["registered"]
    assert [a[1] for a in before["answers"][NIK_WAIT]] == ["waiting"]
    assert before["answers"][NIK_NEW] == [] and before["usulan"] == 200

    snapshot = _updated_registry(data_dir)
    with TestCase.captureOnCommitCallbacks(execute=True):
        preview = replacement_run(
            programme=world.programme, start=Month(2026, 7), on=dt.date(2026, 6, 15), snapshot=snapshot
        )
        assert preview.selected >= 1
        run_submit(run=preview, acting_user=world.users["admin_dinas"])
        run_return(run=preview, acting_user=world.users["kepala_dinas"], reason="cek ulang data")
    assert _seen(world) == before

    # The preview is visible on its own page: a banner, the next step and what approving would change.
    admin = Client()
    admin.force_login(world.users["admin_dinas"])
    page = admin.get(reverse("web:run-detail", args=[preview.pk])).content.decode()
    assert "Pratinjau, belum berlaku." in page and "cek ulang data" in page
    assert f"(penetapan #{world.run.pk})" in page
    assert 'data-figure="members-now">1<' in page  # NIK_A covered; NIK_B was rejected by BPJS TK
    assert f'data-figure="enters">{preview.selected}<' in page and 'data-figure="leaves">0<' in page
    assert f'data-figure="members-after">{1 + preview.selected}<' in page
    in_force = admin.get(reverse("web:run-detail", args=[world.run.pk])).content.decode()
    assert "Daftar yang berlaku." in in_force and "Pratinjau" not in in_force


def test_approving_a_replacement_switches_every_screen(
    world: Any, data_dir: Path, tmp_path: Path, clock: Any
) -> None:
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.enrolment.lifecycle import replacement_run

    clock(dt.date(2026, 6, 15))
    _enrol(world, tmp_path)
    before = _seen(world)
    snapshot = _updated_registry(data_dir)
    with TestCase.captureOnCommitCallbacks(execute=True):
        replacement = replacement_run(
            programme=world.programme, start=Month(2026, 7), on=dt.date(2026, 6, 15), snapshot=snapshot
        )
        run_submit(run=replacement, acting_user=world.users["admin_dinas"])
        run_approve(run=replacement, acting_user=world.users["kepala_dinas"])
    after = _seen(world)
    assert after["run"] == after["search_run"] == replacement.pk != before["run"]
    assert after["home_run"] == str(replacement.pk)
    assert [a[1] for a in after["answers"][NIK_A]] == ["registered"]  # members keep their live state
    assert after["answers"][NIK_NEW] != [] and after["totals"]["members"] > before["totals"]["members"]
    totals = after["totals"]
    assert totals["covered"] <= totals["members"] <= totals["eligible"]  # a share never tops 100%
    # The header names the replacement's own figures as an addition, not as the whole list.
    boss = Client()
    boss.force_login(world.users["pimpinan"])
    home = boss.get(reverse("web:home")).content.decode()
    assert f"penggantian: {replacement.selected} orang ditambahkan" in home
