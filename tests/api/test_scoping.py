"""Client scope x region x endpoint: a Kota Bandung client sees and touches nothing of Kota Bekasi, a
kelurahan's client sees only its kelurahan, and every endpoint needs its own scope."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from sigap.billing.actions import invoice_issue, payment_record
from sigap.core.money import Month
from sigap.enrolment.actions import batch_export, response_import
from sigap.enrolment.models import EnrolmentBatch, Member

from .conftest import ALL_SCOPES, ANSWERED_ON, EXPORTED_ON, problem

pytestmark = pytest.mark.django_db


def _enrolled(world: Any, tmp_path: Any, clock: Any) -> dict[str, Any]:
    """Both kota: batch exported, answered (all accepted), January invoiced, Bekasi's paid."""
    found: dict[str, Any] = {}
    for programme in (world.bekasi, world.bandung):
        clock(EXPORTED_ON)
        batch = batch_export(programme=programme, coverage_start=Month(2026, 1), today=EXPORTED_ON)
        clock(ANSWERED_ON)
        path = tmp_path / f"jawaban-{programme.pk}.csv"
        rows = ["NIK,KPJ,STATUS,ALASAN,TANGGAL_EFEKTIF"]
        for i, nik in enumerate(batch.lines.order_by("member__rank").values_list("member__nik", flat=True)):
            rows.append(f"{nik},{programme.pk}{26_000_000_001 + i},DITERIMA,,2026-01-05")
        path.write_text("\n".join(rows) + "\n")
        response_import(batch=batch, path=path, today=ANSWERED_ON)
        invoice = invoice_issue(programme=programme, month=Month(2026, 1))
        found[programme.code] = {"batch": batch, "invoice": invoice}
    payment_record(
        programme=world.bekasi, sp2d_number="SP2D/001/2026", sp2d_date=dt.date(2026, 1, 14),
        amount=found["SIGAP-2026"]["invoice"].total,
    )  # fmt: skip
    return found


BEKASI_NIK = re.compile(r"3275\d{12}")


def test_a_bandung_client_sees_nothing_of_bekasi(
    world: Any, api_client: Any, tmp_path: Any, clock: Any
) -> None:
    _enrolled(world, tmp_path, clock)
    bekasi_nik = Member.objects.filter(programme=world.bekasi).values_list("nik", flat=True).first()
    bekasi_kel = (
        Member.objects.filter(programme=world.bekasi).values_list("kode_kelurahan", flat=True).first()
    )
    bandung = api_client(ALL_SCOPES, "3273")
    answers: list[Any] = []

    listed = bandung.get("/api/v1/programmes")
    assert [p["code"] for p in listed.json()] == ["BDG-2026"]
    batches = bandung.get("/api/v1/batches")
    assert [b["number"] for b in batches.json()] == ["BDG-2026/B001"]
    answers += [listed, batches]

    refused = {
        "programme": bandung.get("/api/v1/programmes/SIGAP-2026"),
        "aggregates": bandung.get("/api/v1/programmes/SIGAP-2026/aggregates"),
        "batches of Bekasi": bandung.get("/api/v1/batches", programme="SIGAP-2026"),
        "lines": bandung.get("/api/v1/batches/SIGAP-2026/B001/lines"),
        "answers": bandung.post(
            "/api/v1/batches/SIGAP-2026/B001/answers",
            {"answers": [{"nik": bekasi_nik, "status": "DITOLAK", "reason": "x"}]},
        ),
        "payment": bandung.post(
            "/api/v1/payments",
            {
                "programme": "SIGAP-2026",
                "sp2d_number": "SP2D/002/2026",
                "sp2d_date": "2026-01-20",
                "amount": 1000,
            },
        ),
        "payment seen": bandung.get("/api/v1/payments/SP2D/001/2026"),
        "reversal": bandung.post("/api/v1/payments/SP2D/001/2026/reversal", {"reason": "salah"}),
        "grievance": bandung.post(
            "/api/v1/grievances",
            {
                "category": "layanan",
                "text": "Petugas tidak datang.",
                "kode_kelurahan": bekasi_kel,
                "contact_phone": "081234567890",
            },
        ),
    }
    for what, answer in refused.items():
        assert answer.status_code == 403, (what, answer.content)
        problem(answer, 403)
    member = bandung.get(f"/api/v1/members/{bekasi_nik}")
    problem(member, 404)  # the same answer as for a NIK nobody holds: membership elsewhere is not told
    assert member.json()["detail"] == problem(bandung.get("/api/v1/members/3273999999999999"), 404)["detail"]

    for answer in [*answers, *refused.values(), member]:
        assert not BEKASI_NIK.search(answer.content.decode().replace(bekasi_nik, "")), answer.content
        assert b"ORANG " not in answer.content  # no Bekasi member's name
    assert Member.objects.filter(programme=world.bekasi, state="active").count() == 20  # nothing changed
    assert EnrolmentBatch.objects.get(number="SIGAP-2026/B001").state == "answered"


def test_a_kelurahan_client_sees_its_kelurahan_only(world: Any, api_client: Any, clock: Any) -> None:
    clock(EXPORTED_ON)
    members = list(Member.objects.filter(programme=world.bekasi).order_by("kode_kelurahan"))
    mine, other = members[0], next(m for m in members if m.kode_kelurahan != members[0].kode_kelurahan)
    kelurahan = api_client(ALL_SCOPES, mine.kode_kelurahan)
    seen = kelurahan.get(f"/api/v1/members/{mine.nik}")
    assert seen.status_code == 200
    assert [(m["programme"], m["state"]) for m in seen.json()["memberships"]] == [("SIGAP-2026", "approved")]
    problem(kelurahan.get(f"/api/v1/members/{other.nik}"), 404)
    assert [p["code"] for p in kelurahan.get("/api/v1/programmes").json()] == ["SIGAP-2026"]  # its kota's
    agg = kelurahan.get("/api/v1/programmes/SIGAP-2026/aggregates")
    assert agg.status_code == 200, agg.content
    batch_export(programme=world.bekasi, coverage_start=Month(2026, 1), today=EXPORTED_ON)
    # programme-wide work needs an area holding the whole region
    problem(kelurahan.get("/api/v1/batches/SIGAP-2026/B001/lines"), 403)
    problem(kelurahan.get("/api/v1/batches", programme="SIGAP-2026"), 403)


ENDPOINTS = [
    ("status:read", "GET", "/api/v1/members/{nik}", None),
    ("aggregates:read", "GET", "/api/v1/programmes/SIGAP-2026/aggregates", None),
    ("bpjs:write", "GET", "/api/v1/batches", None),
    ("bpjs:write", "GET", "/api/v1/batches/SIGAP-2026/B001/lines", None),
    ("bpjs:write", "POST", "/api/v1/batches/SIGAP-2026/B001/answers", {"answers": [{"nik": "{nik}", "status": "DITOLAK", "reason": "x"}]}),
    ("payments:write", "POST", "/api/v1/payments", {"programme": "SIGAP-2026", "sp2d_number": "S-9", "sp2d_date": "2026-01-20", "amount": 1}),
    ("payments:write", "GET", "/api/v1/payments/S-1", None),
    ("payments:write", "POST", "/api/v1/payments/S-1/reversal", {"reason": "salah"}),
    ("grievances:write", "POST", "/api/v1/grievances", {"category": "layanan", "text": "Tidak ada jawaban.", "kode_kelurahan": "{kel}", "contact_phone": "081234567890"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scope", "method", "route", "body"), ENDPOINTS, ids=[f"{e[1]} {e[2]}" for e in ENDPOINTS]
)
def test_every_endpoint_needs_its_scope(
    world: Any, api_client: Any, clock: Any, scope: str, method: str, route: str, body: Any
) -> None:
    clock(EXPORTED_ON)
    member = Member.objects.filter(programme=world.bekasi).first()
    assert member is not None
    batch_export(programme=world.bekasi, coverage_start=Month(2026, 1), today=EXPORTED_ON)
    path = route.replace("{nik}", member.nik)
    if body is not None:
        body = {
            k: (v.replace("{kel}", member.kode_kelurahan) if isinstance(v, str) else v)
            for k, v in body.items()
        }
        if "answers" in body:
            body = {"answers": [{**body["answers"][0], "nik": member.nik}]}
    without = api_client([s for s in ALL_SCOPES if s != scope], "3275")
    answer = without.get(path) if method == "GET" else without.post(path, body)
    assert scope in problem(answer, 403)["detail"]
    assert f'scope="{scope}"' in answer["WWW-Authenticate"]
    narrowed = api_client(ALL_SCOPES, "3275", login=False).login(
        scope=" ".join(s for s in ALL_SCOPES if s != scope)
    )
    answer = narrowed.get(path) if method == "GET" else narrowed.post(path, body)
    problem(answer, 403)  # a token narrowed at issue carries only what it asked for
    holder = api_client([scope], "3275")
    answer = holder.get(path) if method == "GET" else holder.post(path, body)
    assert answer.status_code != 403, answer.content
