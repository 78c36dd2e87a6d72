"""What each resource answers: aggregates without personal data, idempotent answers and payments,
conflicts as 409, bad input as 422 naming the field, grievances with their ticket number."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from sigap.audit.models import AuditEvent
from sigap.billing.actions import invoice_issue
from sigap.billing.models import Payment
from sigap.core.money import Month
from sigap.enrolment.actions import batch_export
from sigap.enrolment.models import EnrolmentLine, Member
from sigap.pengaduan.models import Grievance

from .conftest import ALL_SCOPES, ANSWERED_ON, EXPORTED_ON, problem

pytestmark = pytest.mark.django_db
NIK = re.compile(rb"\b\d{16}\b")


def test_programmes_and_aggregates_carry_no_personal_data(world: Any, api_client: Any) -> None:
    dashboard = api_client(["aggregates:read"], "3275")
    listed = dashboard.get("/api/v1/programmes")
    assert listed.status_code == 200 and not NIK.search(listed.content)
    (programme,) = listed.json()
    in_force = programme["list_in_force"]
    assert (programme["code"], in_force["run"], in_force["state"]) == (
        "SIGAP-2026",
        world.bekasi_run.pk,
        "approved",
    )
    assert in_force["members"]["approved"] == 20 and in_force["cost"] == 20 * 201_600
    one = dashboard.get("/api/v1/programmes/SIGAP-2026")
    assert one.json() == programme
    aggregates = dashboard.get("/api/v1/programmes/SIGAP-2026/aggregates")
    assert aggregates.status_code == 200 and not NIK.search(aggregates.content)
    body = aggregates.json()
    assert body["totals"]["members"] == 20 and body["run"] == world.bekasi_run.pk
    assert sum(r["members"] for r in body["per_kelurahan"]) == 20
    problem(dashboard.get("/api/v1/programmes/NOPE"), 404)


def test_a_draft_is_never_exposed(world: Any, api_client: Any, data_dir: Any) -> None:
    from factories import make_run, make_snapshot

    make_run(
        world.bekasi,
        make_snapshot(data_dir, people=60, offset=1000),
        kind="replacement",
        parent=world.bekasi_run,
    )
    listed = api_client(["aggregates:read"], "3275").get("/api/v1/programmes/SIGAP-2026").json()
    assert listed["list_in_force"]["run"] == world.bekasi_run.pk  # the approved list, not the newer draft


def test_member_status_by_nik_is_audited(world: Any, api_client: Any) -> None:
    member = Member.objects.filter(programme=world.bekasi).first()
    assert member is not None
    caller = api_client(["status:read"], "3275")
    found = caller.get(f"/api/v1/members/{member.nik}").json()
    assert found["memberships"][0]["state"] == "approved"
    assert found["memberships"][0]["state_label"]
    problem(caller.get("/api/v1/members/123"), 422)  # not a NIK: the field is named
    views = AuditEvent.objects.filter(action="member.view", actor_label=f"api:{caller.client_id}")
    assert [(e.note, e.after["found"]) for e in views] == [(member.nik, 1)]


def _batch(world: Any, clock: Any) -> Any:
    clock(EXPORTED_ON)
    batch = batch_export(programme=world.bekasi, coverage_start=Month(2026, 1), today=EXPORTED_ON)
    clock(ANSWERED_ON)
    return batch


def test_answers_are_idempotent_and_conflicts_are_409(world: Any, api_client: Any, clock: Any) -> None:
    batch = _batch(world, clock)
    bpjs = api_client(["bpjs:write"], "3275")
    niks = list(batch.lines.order_by("member__rank").values_list("member__nik", flat=True))
    first = [{"nik": niks[0], "status": "DITERIMA", "kpj": "26000000001", "effective_date": "2026-01-05"}]
    url = "/api/v1/batches/SIGAP-2026/B001/answers"
    once = bpjs.post(url, {"answers": first}).json()
    assert (once["accepted"], once["pending"], once["duplicate"]) == (1, 19, False)
    again = bpjs.post(url, {"answers": first}).json()
    assert again["duplicate"] is True and again["accepted"] == 0
    repeated = bpjs.post(
        url, {"answers": [*first, {"nik": niks[1], "status": "DITOLAK", "reason": "meninggal"}]}
    )
    assert (repeated.json()["unchanged"], repeated.json()["rejected"]) == (1, 1)
    assert EnrolmentLine.objects.filter(batch=batch).exclude(status="pending").count() == 2

    conflict = problem(bpjs.post(url, {"answers": [{**first[0], "kpj": "26000000999"}]}), 409)
    assert (
        conflict["errors"][0]["field"] == "answers[0]" and "sudah dijawab" in conflict["errors"][0]["reason"]
    )
    bad = problem(
        bpjs.post(
            url,
            {
                "answers": [
                    {"nik": niks[2], "status": "DITERIMA", "kpj": "26000000003"},
                    {"nik": "12", "status": "MUNGKIN"},
                ]
            },
        ),
        422,
    )
    fields = {e["field"] for e in bad["errors"]}
    assert {"answers[0].effective_date", "answers[1].nik", "answers[1].status"} <= fields
    assert EnrolmentLine.objects.filter(
        batch=batch, member__nik=niks[2], status="pending"
    ).exists()  # nothing applied
    schema = problem(bpjs.post(url, {"answers": [{"status": "DITERIMA"}]}), 422)
    assert schema["errors"][0]["field"] == "answers.0.nik"
    problem(bpjs.post("/api/v1/batches/SIGAP-2026/B999/answers", {"answers": first}), 404)


def test_payments_idempotent_by_sp2d_number(world: Any, api_client: Any, clock: Any, tmp_path: Any) -> None:
    from sigap.enrolment.actions import response_import

    batch = _batch(world, clock)
    path = tmp_path / "jawaban.csv"
    niks = list(batch.lines.values_list("member__nik", flat=True))
    path.write_text(
        "NIK,KPJ,STATUS,TANGGAL_EFEKTIF\n" + "".join(f"{n},K{n[-8:]},DITERIMA,2026-01-05\n" for n in niks)
    )
    response_import(batch=batch, path=path, today=ANSWERED_ON)
    invoice = invoice_issue(programme=world.bekasi, month=Month(2026, 1))
    finance = api_client(["payments:write"], "3275")
    push = {
        "programme": "SIGAP-2026",
        "sp2d_number": "00123/SP2D/LS/2026",
        "sp2d_date": "2026-01-14",
        "amount": invoice.total,
    }
    created = finance.post("/api/v1/payments", push)
    assert created.status_code == 201
    assert created.json()["allocations"] == [{"invoice": invoice.number, "amount": invoice.total}]
    replay = finance.post("/api/v1/payments", push)
    assert replay.status_code == 200 and replay.json() == created.json()
    conflict = problem(finance.post("/api/v1/payments", {**push, "amount": invoice.total - 1}), 409)
    assert [e["field"] for e in conflict["errors"]] == ["amount"]
    assert Payment.objects.count() == 1
    assert finance.get("/api/v1/payments/00123/SP2D/LS/2026").json() == created.json()

    over = problem(finance.post("/api/v1/payments", {**push, "sp2d_number": "X-2", "amount": 10**9}), 422)
    assert "tidak ada tagihan belum lunas" in over["detail"]
    assert (
        problem(finance.post("/api/v1/payments", {**push, "amount": -5}), 422)["errors"][0]["field"]
        == "amount"
    )
    assert problem(finance.post("/api/v1/payments", {**push, "amount": 1.5}), 422)

    reversed_ = finance.post(
        "/api/v1/payments/00123/SP2D/LS/2026/reversal", {"reason": "salah rekening", "date": "2026-01-16"}
    )
    assert reversed_.status_code == 201 and reversed_.json()["reversal"]["amount"] == -invoice.total
    again = finance.post("/api/v1/payments/00123/SP2D/LS/2026/reversal", {"reason": "salah rekening"})
    assert again.status_code == 200 and again.json() == reversed_.json()
    assert Payment.objects.filter(kind="reversal").count() == 1
    problem(finance.post("/api/v1/payments/NONE/reversal", {"reason": "x"}), 404)


def test_sp2d_replay_is_the_same_payment_and_a_different_one_is_refused(
    world: Any, api_client: Any, clock: Any, tmp_path: Any
) -> None:
    """A replayed SP2D answers the recorded payment without a second payment, allocation or audit row
    of money; a replay that differs is a 409 naming each field; an SP2D number of another area is
    refused without disclosing what it paid."""
    from sigap.billing.models import PaymentAllocation
    from sigap.enrolment.actions import response_import

    batch = _batch(world, clock)
    path = tmp_path / "jawaban.csv"
    niks = list(batch.lines.values_list("member__nik", flat=True))
    path.write_text(
        "NIK,KPJ,STATUS,TANGGAL_EFEKTIF\n" + "".join(f"{n},K{n[-8:]},DITERIMA,2026-01-05\n" for n in niks)
    )
    response_import(batch=batch, path=path, today=ANSWERED_ON)
    invoice = invoice_issue(programme=world.bekasi, month=Month(2026, 1))
    finance = api_client(["payments:write"], "3275")
    push = {
        "programme": "SIGAP-2026",
        "sp2d_number": "77/SP2D/2026",
        "sp2d_date": "2026-01-14",
        "amount": 100_000,
    }
    created = finance.post("/api/v1/payments", push)
    assert created.status_code == 201

    def money() -> tuple[Any, ...]:
        return (
            sorted(Payment.objects.values_list("sp2d_number", "kind", "amount")),
            sorted(PaymentAllocation.objects.values_list("invoice__number", "amount")),
            AuditEvent.objects.filter(action="payment.record").count(),
        )

    recorded = money()
    assert recorded == ([("77/SP2D/2026", "payment", 100_000)], [(invoice.number, 100_000)], 1)
    for _ in range(2):
        replay = finance.post("/api/v1/payments", {**push, "sp2d_number": " 77/SP2D/2026 ", "exact": True})
        assert replay.status_code == 200 and replay.json() == created.json()
    assert money() == recorded

    conflict = problem(
        finance.post("/api/v1/payments", {**push, "sp2d_date": "2026-01-15", "amount": 100_001}), 409
    )
    assert "77/SP2D/2026 was already recorded differently" in conflict["detail"]
    assert "reverse it" in conflict["detail"]
    assert conflict["errors"] == [
        {"field": "sp2d_date", "reason": "recorded as 2026-01-14, pushed 2026-01-15"},
        {"field": "amount", "reason": "recorded as 100000, pushed 100001"},
    ]
    assert money() == recorded

    # The same number pushed for Bandung by Bandung's finance system: used, nothing disclosed.
    bandung = api_client(["payments:write"], "3273")
    elsewhere = problem(bandung.post("/api/v1/payments", {**push, "programme": "BDG-2026"}), 409)
    assert elsewhere["detail"] == "SP2D number 77/SP2D/2026 is already used" and not elsewhere.get("errors")
    # Bekasi's finance system pushing it for Bandung's programme is refused before anything else.
    problem(finance.post("/api/v1/payments", {**push, "programme": "BDG-2026"}), 403)
    assert money() == recorded


def test_grievances_from_another_channel(world: Any, api_client: Any, clock: Any) -> None:
    clock(dt.date(2026, 2, 3))
    channel = api_client(["grievances:write"], "3275", name="SP4N-LAPOR! Kota Bekasi")
    kelurahan = Member.objects.filter(programme=world.bekasi).values_list("kode_kelurahan", flat=True).first()
    body = {
        "category": "layanan",
        "text": "Kartu peserta belum diterima.",
        "kode_kelurahan": kelurahan,
        "contact_phone": "0812-3456-7890",
        "channel": "LAPOR!",
    }
    filed = channel.post("/api/v1/grievances", body)
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert re.fullmatch(r"ADU-2026-\d{6}", number)
    grievance = Grievance.objects.get(number=number)
    assert grievance.created_by is None and grievance.kode_kelurahan == kelurahan
    event = AuditEvent.objects.get(action="grievance.file", object_id=str(grievance.pk))
    assert event.actor_label == f"api:{channel.client_id}"
    call = AuditEvent.objects.filter(action="api.call", after__path="/api/v1/grievances").get()
    assert call.note == "LAPOR!"
    missing = problem(channel.post("/api/v1/grievances", {**body, "contact_phone": ""}), 422)
    assert missing["errors"][0]["field"] == "contact_phone"
    short = problem(channel.post("/api/v1/grievances", {**body, "text": "x"}), 422)
    assert short["errors"][0]["field"] == "text"
    assert problem(channel.post("/api/v1/grievances", {**body, "kode_kelurahan": "99"}), 422)


def test_malformed_requests_are_problems_not_500s(world: Any, api_client: Any) -> None:
    caller = api_client(ALL_SCOPES, "3275")
    raw = caller.http.post(
        "/api/v1/payments",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {caller.token}",
    )
    assert raw.status_code in (400, 422) and raw["Content-Type"].startswith("application/problem+json")
    problem(caller.get("/api/v1/batches/SIGAP-2026/B001/lines", limit=0), 422)
    problem(caller.get("/api/v1/batches/NOPE/lines"), 404)


def test_docs_page_lists_every_endpoint_without_fetching_anything(db: Any) -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html and "cdn" not in html.lower()
    for route, operations in schema["paths"].items():
        for method in operations:
            assert f"{method.upper()}</span> <code>{route}</code>" in html
    assert "Token akses" in html and "Access tokens" in html
    assert html.index("Token akses") < html.index("Access tokens")  # Bahasa Indonesia first
