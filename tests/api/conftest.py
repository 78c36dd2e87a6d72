"""API fixtures: Kota Bekasi and Kota Bandung programmes with approved lists, clients with tokens."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from factories import make_programme, make_run, make_snapshot, make_user
from sigap.reference import regions

PLACES = 20
COST_PER_PERSON = 201_600  # 12 months x Rp16,800
EXPORTED_ON = dt.date(2025, 12, 10)
ANSWERED_ON = dt.date(2026, 1, 20)
ALL_SCOPES = ("status:read", "bpjs:write", "payments:write", "grievances:write", "aggregates:read")
BANDUNG_KELURAHAN = [r.code for r in regions().descendants("3273", "desa_kelurahan")]


def bandung_sql(people: int) -> str:
    """``people`` eligible-looking people of Kota Bandung (NIKs 3273..., kelurahan of 3273)."""
    kel = "[" + ", ".join(f"'{c}'" for c in BANDUNG_KELURAHAN) + "]"
    n = len(BANDUNG_KELURAHAN)
    return f"""
    SELECT '3273' || lpad(CAST(i AS VARCHAR), 12, '0') AS nik,
      '3273' || lpad(CAST(i // 4 AS VARCHAR), 12, '0') AS no_kk,
      'WARGA ' || CAST(i AS VARCHAR) AS nama, 'BANDUNG' AS tempat_lahir,
      CAST(DATE '1970-01-01' + CAST(i % 10000 AS INTEGER) AS DATE) AS tanggal_lahir,
      CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END AS jenis_kelamin,
      'KEPALA KELUARGA' AS hubungan_keluarga, 'JL. DAGO NO. ' || CAST(i AS VARCHAR) AS alamat,
      '001' AS rt, '002' AS rw,
      substr({kel}[1 + i % {n}], 1, 6) AS kode_kecamatan, {kel}[1 + i % {n}] AS kode_kelurahan,
      CAST(1 + i % 5 AS TINYINT) AS desil, 'PEDAGANG' AS pekerjaan,
      FALSE AS meninggal, CAST(i + 2 AS BIGINT) AS source_row
    FROM range(0, {people}) AS t(i)
    """


@pytest.fixture(autouse=True)
def _generous_limits(settings: Any) -> None:
    """Tests make many calls from one address; the rate-limit test lowers the limits itself."""
    settings.SIGAP_API_RATE_PER_MINUTE = 100_000
    settings.SIGAP_API_TOKEN_RATE_PER_MINUTE = 100_000


def approve(programme: Any, snapshot: Any) -> Any:
    from sigap.enrolment.actions import run_approve, run_submit

    run = make_run(programme, snapshot)
    run_submit(run=run, acting_user=make_user(f"petugas-{programme.pk}"))
    return run_approve(run=run, acting_user=make_user(f"kadis-{programme.pk}")).run


@dataclass
class World:
    bekasi: Any
    bandung: Any
    bekasi_run: Any
    bandung_run: Any
    data_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(data_dir: Path, clock: Any, django_capture_on_commit_callbacks: Any) -> World:
    """Two kota with an approved list each (20 places), as of 10 December 2025 (dashboards refreshed)."""
    clock(EXPORTED_ON)
    budget = PLACES * COST_PER_PERSON
    bekasi = make_programme("SIGAP-2026", budget=budget)
    bandung = make_programme("BDG-2026", budget=budget, region="3273")
    with django_capture_on_commit_callbacks(execute=True):
        bekasi_run = approve(bekasi, make_snapshot(data_dir, people=40))
        bandung_run = approve(bandung, make_snapshot(data_dir, sql=bandung_sql(40)))
    return World(bekasi, bandung, bekasi_run, bandung_run, data_dir)


class ApiCaller:
    """A client of the API: gets its token, then calls with ``Authorization: Bearer``."""

    def __init__(self, http: Client, client_id: str, secret: str) -> None:
        self.http, self.client_id, self.secret = http, client_id, secret
        self.token = ""

    def fetch_token(self, **form: str) -> Any:
        basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
        return self.http.post(
            "/api/v1/oauth/token",
            {"grant_type": "client_credentials", **form},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )

    def login(self, **form: str) -> ApiCaller:
        answer = self.fetch_token(**form)
        assert answer.status_code == 200, answer.content
        self.token = answer.json()["access_token"]
        return self

    def _auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params, **self._auth())

    def post(self, path: str, body: Any) -> Any:
        return self.http.post(path, json.dumps(body), content_type="application/json", **self._auth())


@pytest.fixture
def api_client() -> Callable[..., ApiCaller]:
    """``api_client(scopes, area, name=...)``: a new client with a token (``login=False``: without)."""
    from sigap.api.actions import api_client_create

    def make(
        scopes: Iterable[str] = ALL_SCOPES, area: str = "3275", *, name: str = "", login: bool = True
    ) -> ApiCaller:
        client, secret = api_client_create(name=name or f"sistem {area}", scopes=list(scopes), area_code=area)
        caller = ApiCaller(Client(), client.client_id, secret)
        return caller.login() if login else caller

    return make


def problem(answer: Any, status: int) -> dict[str, Any]:
    """The problem document of an error answer (checked: status and media type)."""
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/problem+json"), answer["Content-Type"]
    body = answer.json()
    assert body["status"] == status and body["type"].startswith("/api/v1/docs#problem-")
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    return dict(body)
