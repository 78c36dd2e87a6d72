"""Citizen answers and dashboard aggregates: the list in force only, refreshed at approval, read with
few queries (ADR 0013)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sigap.audit.models import AuditEvent
from sigap.core.money import Month
from sigap.status.actions import dashboard_refresh
from sigap.status.keys import status_key
from sigap.status.models import AreaCell, CitizenStatus, MonthFigure, ProgrammeFigures
from sigap.status.selectors import citizen_answers, dashboard_figures
from web.conftest import KEL_A, KEL_B, KK, KK_A, KK_B, NIK_A, NIK_B, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db
URL = "/cek-status/"


def _enrol(world: Any, tmp_path: Path) -> None:
    """Approve the run, send it to BPJS TK; NIK_A accepted from January 2026, NIK_B rejected."""
    from sigap.enrolment.actions import batch_export, response_import, run_approve, run_submit

    users = world.users
    run_submit(run=world.run, acting_user=users["admin_dinas"])
    run_approve(run=world.run, acting_user=users["kepala_dinas"])
    batch = batch_export(
        programme=world.programme, acting_user=users["admin_dinas"], today=dt.date(2025, 12, 10)
    )
    answer = tmp_path / "jawaban.csv"
    answer.write_text(
        f"NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF\n{NIK_A},26000000001,DITERIMA,,2026-01-05\n{NIK_B},,DITOLAK,x,\n",
        encoding="utf-8",
    )
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:  # the dashboard follows after commit
        response_import(
            batch=batch, path=answer, acting_user=users["admin_dinas"], today=dt.date(2026, 1, 20)
        )
    assert len(callbacks) == 1  # one refresh for the import, none for the exits it makes


def test_approval_writes_the_answers_without_personal_data(world: Any) -> None:
    from sigap.engine import default_engine
    from sigap.status.actions import status_file

    approve(world)
    members = list(CitizenStatus.objects.filter(programme=world.programme).values())
    assert len(members) == 2 and {r["status"] for r in members} == {"selected"}
    assert all(r["member_id"] and r["office"].startswith("Kelurahan ") for r in members)
    path = status_file(world.run)
    with default_engine() as engine:
        rows = engine.fetch(f"SELECT lookup, status, reasons, kode_kelurahan FROM read_parquet('{path}')")
    by_key = {r[0]: r for r in rows}
    assert [r[0] for r in rows] == sorted(by_key)  # sorted by key: a look-up reads one row group
    assert by_key[status_key(NIK_WAIT, KK[NIK_WAIT])][1] == "waiting"
    poor = by_key[status_key(NIK_POOR_FIT, KK[NIK_POOR_FIT])]
    assert poor[1] == "ineligible" and "desil" in poor[2]
    text = repr(rows) + repr(members) + path.read_bytes().decode("latin-1")
    for secret in (NIK_A, NIK_B, KK_A, KK_B, "1980-05-05", "SITI", "BUDI"):
        assert secret not in text


def test_a_targeting_run_changes_no_read_model(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sigap.programmes.actions import targeting_run

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        targeting_run(programme=world.programme)
    assert callbacks == [] and not ProgrammeFigures.objects.exists()
    assert not CitizenStatus.objects.exists() and citizen_answers(nik=NIK_WAIT, kk=KK[NIK_WAIT]) == []


def test_approval_refreshes_the_dashboard_after_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approve(world)
    assert len(callbacks) == 1
    figures = ProgrammeFigures.objects.get(programme=world.programme)
    assert figures.run == world.run and figures.totals["people"] == 4 and figures.totals["members"] == 2
    assert figures.statuses == 2 + 4  # members' rows + the status file of the list in force


def test_lookup_needs_nik_and_kk(world: Any) -> None:
    approve(world)
    assert [a[1] for a in citizen_answers(nik=NIK_A, kk=KK_A)] == ["selected"]
    assert [a[1] for a in citizen_answers(nik=NIK_WAIT, kk=KK[NIK_WAIT])] == ["waiting"]
    assert citizen_answers(nik=NIK_A, kk=KK_B) == []
    assert citizen_answers(nik=NIK_WAIT, kk=KK_A) == []


def test_key_is_the_same_in_python_and_in_the_engine(world: Any) -> None:
    from sigap.engine import default_engine
    from sigap.status.keys import lookup_sql

    with default_engine() as engine:
        found = engine.fetch(f"SELECT {lookup_sql('n', 'k')} FROM (SELECT '{NIK_A}' AS n, '{KK_A}' AS k)")
    assert found[0][0] == status_key(NIK_A, KK_A)


def test_key_depends_on_the_secret(world: Any, settings: Any) -> None:
    approve(world)
    before = status_key(NIK_A, KK_A)
    settings.SIGAP_STATUS_KEY = "another-secret-key-for-this-test"
    assert status_key(NIK_A, KK_A) != before and citizen_answers(nik=NIK_A, kk=KK_A) == []
    assert citizen_answers(nik=NIK_WAIT, kk=KK[NIK_WAIT]) == []  # the old file is not the new key's
    call_command("status_refresh", "--programme", world.programme.code)
    assert [a[1] for a in citizen_answers(nik=NIK_A, kk=KK_A)] == ["selected"]
    assert [a[1] for a in citizen_answers(nik=NIK_WAIT, kk=KK[NIK_WAIT])] == ["waiting"]
    event = AuditEvent.objects.get(action="status.refresh")
    assert event.after["statuses"] == 6


def test_refresh_command_rejects_an_unknown_programme(world: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command("status_refresh", "--programme", "NOPE")
    assert not AuditEvent.objects.filter(action="status.refresh").exists()


def test_citizen_check_is_two_statements_and_never_reads_the_decisions_file(client: Any, world: Any) -> None:
    approve(world)
    world.run.decisions_file.unlink()  # the page must not need it any more
    with CaptureQueriesContext(connection) as queries:
        selected = client.post(URL, {"nik": NIK_A, "kk": KK_A}, REMOTE_ADDR="10.2.0.1")
    assert "Terpilih sebagai calon peserta" in selected.content.decode()
    # the two rate-limit counters (per address, per NIK; shared by all processes: web_ratecounter) in one
    # statement, the answer (the member look-up and the lists in force) in one; now and then a prune
    counters = [q for q in queries if "web_ratecounter" in q["sql"] and "DELETE" not in q["sql"]]
    answer = [q for q in queries if "web_ratecounter" not in q["sql"]]
    assert len(answer) == 1 and "status_citizenstatus" in answer[0]["sql"]
    assert "programmes_targetingrun" in answer[0]["sql"]
    assert len(counters) == 1 and counters[0]["sql"].count("(%s, 1, %s)") in (0, 2)
    waiting = client.post(URL, {"nik": NIK_WAIT, "kk": KK[NIK_WAIT]}, REMOTE_ADDR="10.2.0.1")
    assert "Dalam daftar tunggu" in waiting.content.decode()


def test_aggregates_add_up_after_approval(world: Any) -> None:
    dashboard_refresh(programme=world.programme)
    draft = dashboard_figures(world.programme)
    assert draft is not None and draft["totals"]["people"] == 0  # a draft run is not shown
    approve(world)
    dashboard_refresh(programme=world.programme)
    leaders = dashboard_figures(world.programme)
    assert leaders is not None
    run = world.run
    for table in ("per_kecamatan", "per_kelurahan", "per_desil"):
        rows = leaders[table]
        assert sum(r["selected"] for r in rows) == run.selected, table
        assert sum(r["eligible"] for r in rows) == run.eligible, table
    assert sum(r["people"] for r in leaders["per_kelurahan"]) == run.people
    # no rows of zeros: desil 7 has one person, nobody eligible and no member
    assert [r["desil"] for r in leaders["per_desil"]] == [1, 3] and leaders["totals"]["people"] == run.people
    assert sum(r["selected"] for r in leaders["per_occupation"]) == run.selected
    kel = {r["code"]: r for r in leaders["per_kelurahan"]}
    assert kel[KEL_A]["selected"] == 1 and kel[KEL_A]["waiting"] == 1 and kel[KEL_B]["selected"] == 1
    summary = {r["code"]: r for r in run.summary["per_kelurahan"]}
    for code, row in kel.items():  # the same counts as the run's own summary
        assert (row["people"], row["selected"], row["waiting"]) == (
            summary[code]["people"],
            summary[code]["selected"],
            summary[code]["waiting"],
        )
    assert leaders["totals"]["members"] == 2 and leaders["claims_paid"] is None
    assert [m["month"] for m in leaders["months"]] == [Month(2026, m).first_day() for m in range(1, 13)]


def test_aggregates_follow_enrolment_invoices_and_payments(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    clock(dt.date(2026, 12, 5))  # payments and claims are counted up to today
    from sigap.billing.actions import invoice_issue, payment_record

    _enrol(world, tmp_path)
    leaders = dashboard_figures(world.programme)
    assert leaders is not None
    totals = leaders["totals"]
    # NIK_B was rejected by BPJS TK: "ditolak", never "keluar" (sigap.enrolment.figures)
    assert (totals["members"], totals["covered"], totals["exited"], totals["rejected"]) == (1, 1, 0, 1)
    kel = {r["code"]: r for r in leaders["per_kelurahan"]}
    assert kel[KEL_A]["covered"] == 1 and kel[KEL_B]["rejected"] == 1 and kel[KEL_B]["exited"] == 0
    assert [m["covered"] for m in leaders["months"]] == [1] * 12
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # billing refreshes after commit
        invoice = invoice_issue(
            programme=world.programme, month=Month(2026, 1), acting_user=world.users["admin_dinas"]
        )
        payment_record(
            programme=world.programme,
            sp2d_number="SP2D-001",
            sp2d_date=dt.date(2026, 1, 10),
            amount=16_800,
            acting_user=world.users["admin_dinas"],
        )
    assert invoice.total == 16_800 and len(callbacks) == 2
    leaders = dashboard_figures(world.programme)
    assert leaders is not None
    real = leaders["realisation"]
    january = leaders["months"][0]
    assert (january["invoiced"], january["paid"], january["committed"]) == (16_800, 16_800, 0)
    assert leaders["months_invoiced"] == real["invoiced"] == 16_800
    assert leaders["months_paid"] == real["paid"] == leaders["premiums_paid"] == 16_800
    assert leaders["months_committed"] == real["committed"] == 11 * 16_800
    assert real["allocated"] == real["paid"] + real["outstanding"] + real["committed"] + real["remaining"]
    assert MonthFigure.objects.filter(programme=world.programme).count() == 12
    assert AreaCell.objects.filter(programme=world.programme).exists()


def test_dashboard_shows_the_leaders_panel(client: Any, world: Any, tmp_path: Path) -> None:
    _enrol(world, tmp_path)
    client.force_login(world.users["pimpinan"])
    page = client.get(reverse("web:home")).content.decode()
    assert "Perlindungan peserta dan anggaran" in page
    assert 'data-figure="covered">1<' in page
    assert "Menuju target RPJMN 43,92% (2029)" in page
    # 1 covered of 3 eligible = 33.33%; 33.33 / 43.92 = 75.89% of the target
    assert 'data-figure="covered-share">33,33%' in page and 'data-figure="rpjmn">75,89%' in page
    assert "belum ada data klaim" in page and "Januari 2026" in page and "Desember 2026" in page
    for secret in (NIK_A, NIK_B, "SITI", "BUDI", "26000000001"):
        assert secret not in page


def test_estimate_is_the_coverage_base(client: Any, world: Any) -> None:
    approve(world)
    world.programme.spec = {**world.programme.spec, "estimated_vulnerable_workers": 200_000}
    world.programme.save(update_fields=["spec"])
    dashboard_refresh(programme=world.programme)
    leaders = dashboard_figures(world.programme)
    assert leaders is not None
    assert leaders["coverage_base"] == 200_000 and leaders["covered_share"] == "0,00"
    assert leaders["rpjmn_members"] == 87_840  # 43.92% of 200,000
    client.force_login(world.users["kepala_dinas"])
    page = client.get(reverse("web:home")).content.decode()
    assert "Cakupan dari perkiraan pekerja rentan" in page and "87.840 peserta" in page


@pytest.mark.parametrize(
    ("role", "status", "panel"),
    [
        ("pimpinan", 200, True),
        ("kepala_dinas", 200, True),
        ("admin_dinas", 200, True),
        ("superuser", 200, True),
        ("auditor", 302, False),
        ("operator_kecamatan", 302, False),
        ("operator_kelurahan", 302, False),
        ("no_profile", 403, False),
    ],
)
def test_dashboard_permission_matrix(client: Any, world: Any, role: str, status: int, panel: bool) -> None:
    approve(world)
    client.force_login(world.users[role])
    response = client.get(reverse("web:home"))
    assert response.status_code == status
    assert ("Perlindungan peserta dan anggaran" in response.content.decode()) is panel


def test_leader_of_another_area_sees_nothing_of_this_programme(client: Any, world: Any) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create

    other = user_create(
        username="pimpinan.bogor", password="sandi-rahasia-1", role=roles.PIMPINAN, area_code="3201"
    )
    client.force_login(other)
    page = client.get(reverse("web:home")).content.decode()
    assert world.programme.name not in page and "Perlindungan peserta dan anggaran" not in page


def test_table_names_match_the_hand_written_sql() -> None:
    from sigap.enrolment.models import CoveragePeriod, Member, MemberExit
    from sigap.programmes.models import Programme, TargetingRun
    from sigap.status import selectors

    for model in (CitizenStatus, Member, MemberExit, CoveragePeriod, TargetingRun, Programme):
        assert f"{model._meta.db_table} " in selectors._ANSWERS_SQL
    assert Member.ACTIVE == "active" and selectors._ENDED == (Member.EXITED, Member.REJECTED)
    columns = {f.column for f in CitizenStatus._meta.get_fields() if hasattr(f, "column")}
    assert {"programme_name", "status", "reasons", "office", "lookup", "member_id"} <= columns


def test_english_catalogue_covers_the_new_panels(client: Any, world: Any) -> None:
    approve(world)
    from django.conf import settings as django_settings

    dashboard_refresh(programme=world.programme)

    client.force_login(world.users["pimpinan"])
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("web:home")).content.decode()
    assert "Member protection and budget" in page and "no claims data yet" in page
    assert "Towards the RPJMN target 43,92% (2029)" in page
    client.logout()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = client.post(URL, {"nik": NIK_A, "kk": KK_A}, REMOTE_ADDR="10.3.0.1")
    assert "Office to contact:" in answer.content.decode()


def test_kelurahan_table_on_the_dashboard(client: Any, world: Any) -> None:
    approve(world)
    from sigap.reference import regions

    dashboard_refresh(programme=world.programme)
    client.force_login(world.users["pimpinan"])
    page = client.get(reverse("web:home")).content.decode()
    section = page.split("Peserta per kelurahan")[1].split("</details>")[0]
    assert regions().get(KEL_A).name in section and regions().get(KEL_B).name in section


def test_reused_page_carries_each_visitors_own_csrf_token(world: Any) -> None:
    approve(world)
    import re

    from django.test import Client

    pages = []
    for ip in ("10.4.0.1", "10.4.0.2"):
        visitor = Client(enforce_csrf_checks=True)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', visitor.get(URL).content.decode())
        assert token is not None
        data = {"nik": NIK_A, "kk": KK_A, "csrfmiddlewaretoken": token.group(1)}
        first = visitor.post(URL, data, REMOTE_ADDR=ip).content.decode()
        again = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first)
        assert "Terpilih sebagai calon peserta" in first and again is not None
        # the token in the (reused) page is valid for this visitor's cookie: a second check goes through
        data["csrfmiddlewaretoken"] = again.group(1)
        second = visitor.post(URL, data, REMOTE_ADDR=ip)
        assert second.status_code == 200 and "Terpilih sebagai calon peserta" in second.content.decode()
        pages.append(first)
    assert pages[0] != pages[1]  # same answer, different visitors' tokens


def test_dashboard_shows_claims_paid_to_families(client: Any, world: Any, tmp_path: Path, clock: Any) -> None:
    clock(dt.date(2026, 12, 5))  # payments and claims are counted up to today
    from sigap.claims import actions as claims
    from sigap.enrolment.models import Member

    _enrol(world, tmp_path)
    admin = world.users["admin_dinas"]
    member = Member.objects.get(programme=world.programme, nik=NIK_A)
    day = dt.date(2026, 3, 12)
    incident = claims.incident_register(
        member=member, kind="death", date=day, place="Rumah", heir_relation="spouse",
        today=day, acting_user=admin,
    )  # fmt: skip
    claim = incident.claims.get()
    for document in claim.documents.filter(required=True):
        claims.claim_document_mark(
            document=document, received=True, received_on=day, today=day, acting_user=admin
        )
    claim.refresh_from_db()
    claims.claim_submit(claim=claim, submitted_on=day, today=day, acting_user=admin)
    claim.refresh_from_db()
    client.force_login(world.users["pimpinan"])
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-figure="claims-paid">Rp0<' in page  # registered, nothing paid yet
    claims.claim_pay(
        claim=claim, amount=42_000_000, paid_on=dt.date(2026, 4, 2), reference="JKM-1", today=dt.date(2026, 4, 2),
        acting_user=admin,
    )  # fmt: skip
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-figure="claims-paid">Rp42.000.000<' in page
