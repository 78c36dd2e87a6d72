"""``sigap registry import --from-dci URL``: a registry extract pulled page by page from a DCI social
registry (a local fake SR server: http.server in a thread, no network) goes through the file importer --
the same snapshot, the same rejection reasons as the same people in a file."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_factory import person, write_csv

from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db
SECRET = "rahasia-sr"


def group(row: dict[str, Any]) -> dict[str, Any]:
    """A DCI SR Group (one family) holding the person of a registry_factory row."""
    sex = {"P": "female", "L": "male"}.get(row["jenis_kelamin"], row["jenis_kelamin"])
    return {
        "@type": "spdci:Group",
        "group_identifier": [
            {"identifier_type": "KK", "identifier_value": row["nomor_kk"]},
            {"identifier_type": "IDDTKS", "identifier_value": row["iddtks"]},
        ],
        "group_type": "family",
        "poverty_score": int(row["desil"]) if row["desil"].isdigit() else row["desil"],
        "poverty_score_type": "desil",
        "member_list": [
            {
                "@type": "Member",
                "member_identifier": [{"identifier_type": "NIK", "identifier_value": row["nomor_nik"]}],
                "demographic_info": {
                    "@type": "SRPerson",
                    "identifier": [{"identifier_type": "NationalID", "identifier_value": row["nomor_nik"]}],
                    "name": {"@type": "Name", "given_name": row["nama"]},
                    "sex": sex,
                    "birth_date": f"{row['tanggal_lahir']}T00:00:00Z",
                    "birth_place": row["tempat_lahir"],
                    "address": [
                        {
                            "@type": "Address",
                            "address_line1": row["alamat"],
                            "region_code": row["desa_kelurahan"],
                            "rt": row["rt"],
                            "rw": row["rw"],
                        }
                    ],
                },
                "relationship_head": "head",
                "occupation": row["pekerjaan"],
                "mother_name": row["nama_ibu_kandung"],
            }
        ],
    }


class FakeSocialRegistry:
    """/oauth2/client/token and /registry/sync/search over a list of Group records."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.requests: list[dict[str, Any]] = []
        self.refuse: tuple[str, str] | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/sr/oauth2/client/token":
                    form = dict(p.split("=", 1) for p in raw.decode().split("&"))
                    if form.get("client_secret") != SECRET:
                        return self._answer(
                            401, {"errors": [{"code": "err.request.unauthorized", "message": "bad secret"}]}
                        )
                    return self._answer(
                        200, {"access_token": "tok-1", "token_type": "bearer", "expires_in": "900"}
                    )
                if self.path != "/sr/registry/sync/search":
                    return self._answer(
                        404, {"errors": [{"code": "err.request.not_found", "message": self.path}]}
                    )
                if self.headers.get("Authorization") != "Bearer tok-1":
                    return self._answer(
                        401, {"errors": [{"code": "err.request.unauthorized", "message": "no token"}]}
                    )
                message = json.loads(raw)
                outer.requests.append(message)
                item = message["message"]["search_request"][0]
                paging = item["search_criteria"]["pagination"]
                size, number = paging["page_size"], paging["page_number"]
                answer: dict[str, Any] = {
                    "reference_id": item["reference_id"],
                    "timestamp": item["timestamp"],
                }
                if outer.refuse:
                    answer.update(
                        status="rjct",
                        status_reason_code=outer.refuse[0],
                        status_reason_message=outer.refuse[1],
                    )
                else:
                    page = outer.records[(number - 1) * size : number * size]
                    answer.update(
                        status="succ",
                        data={"version": "1.0.0", "reg_records": page},
                        pagination={
                            "page_size": size,
                            "page_number": number,
                            "total_count": len(outer.records),
                        },
                    )
                head = {**message["header"], "action": "on-search", "status": "succ", "sender_id": "sr"}
                self._answer(200, {"header": head, "message": {"transaction_id": message["message"]["transaction_id"], "correlation_id": "c", "search_response": [answer]}})  # fmt: skip

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sr"


@pytest.fixture
def registry_server() -> Iterator[Any]:
    servers: list[FakeSocialRegistry] = []

    def start(records: list[dict[str, Any]]) -> FakeSocialRegistry:
        fake = FakeSocialRegistry(records)
        threading.Thread(target=fake.server.serve_forever, daemon=True).start()
        servers.append(fake)
        return fake

    yield start
    for fake in servers:
        fake.server.shutdown()
        fake.server.server_close()


@pytest.fixture
def run(data_dir: Path) -> Any:
    _register()
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def people() -> list[dict[str, Any]]:
    return [
        person(1),
        person(2, desil="abc"),  # rejected: desil
        person(3, nomor_nik="3275"),  # rejected: NIK
        person(4),
        person(5, tanggal_lahir="2099-01-01"),  # rejected: a future birth date
        *[person(i) for i in range(6, 12)],
    ]


def reasons(report: str) -> list[tuple[str, str]]:
    rows = list(csv.DictReader(io.StringIO(Path(report).read_text(encoding="utf-8-sig"))))
    assert rows, report
    columns = [c for c in rows[0] if c not in ("row", "baris", "source_row", "file", "berkas")]
    return sorted(tuple(str(r[c]) for c in columns) for r in rows)  # type: ignore[misc]


def test_pull_pages_and_import_like_the_same_file(run: Any, registry_server: Any, tmp_path: Path) -> None:
    from sigap.registry.models import Snapshot

    rows = people()
    fake = registry_server([group(r) for r in rows])
    pulled = run(
        "registry", "import", "--from-dci", fake.url, "--region", "3275", "--page-size", "4",
        "--client-id", "sigap", "--client-secret", SECRET, "--reference-date", "2026-01-01", "--json",
    )  # fmt: skip
    assert pulled.exit_code == 0, pulled.output
    out = json.loads(pulled.output)
    assert out["dci"] == {**out["dci"], "pages": 3, "records": len(rows), "rows": len(rows)}
    assert (out["rows"], out["accepted"], out["rejected"]) == (11, 8, 3)
    query = fake.requests[0]["message"]["search_request"][0]["search_criteria"]
    assert query["query_type"] == "predicate" and query["query"][0]["expression1"] == {
        "attribute_name": "region_code", "operator": "eq", "attribute_value": "3275",
    }  # fmt: skip
    assert [
        r["message"]["search_request"][0]["search_criteria"]["pagination"]["page_number"]
        for r in fake.requests
    ] == [1, 2, 3]
    assert (
        fake.requests[0]["header"]["action"] == "search" and fake.requests[0]["header"]["version"] == "1.0.0"
    )

    # the same people as a file: the same counts and the same rejection reasons
    path = write_csv(tmp_path / "dtsen.csv", rows)
    filed = json.loads(
        run("registry", "import", str(path), "--reference-date", "2026-01-01", "--json").output
    )
    assert (filed["rows"], filed["accepted"], filed["rejected"], filed["warnings"]) == (
        out["rows"], out["accepted"], out["rejected"], out["warnings"],
    )  # fmt: skip
    assert reasons(out["report"]) == reasons(filed["report"])
    dci_snapshot = Snapshot.objects.get(pk=out["snapshot"])
    assert dci_snapshot.source_name.startswith("dci-127.0.0.1-") and dci_snapshot.region_codes == ["3275"]

    again = json.loads(run("registry", "import", "--from-dci", fake.url, "--region", "3275", "--client-id", "sigap", "--client-secret", SECRET, "--reference-date", "2026-01-01", "--json").output)  # fmt: skip
    assert (
        again["snapshot"] == out["snapshot"] and again["created"] is False
    )  # the same records: the same snapshot


def test_same_people_same_parquet(run: Any, registry_server: Any, tmp_path: Path) -> None:
    """The accepted people read from the SR and from the file are the same rows (bar the file's row numbers)."""
    import duckdb

    rows = [person(i) for i in range(1, 6)]
    fake = registry_server([group(r) for r in rows])
    pulled = json.loads(run("registry", "import", "--from-dci", fake.url, "--region", "32", "--token", "tok-1", "--reference-date", "2026-01-01", "--json").output)  # fmt: skip
    filed = json.loads(run("registry", "import", str(write_csv(tmp_path / "x.csv", rows)), "--reference-date", "2026-01-01", "--json").output)  # fmt: skip
    from sigap.registry.models import Snapshot

    def people_of(snapshot_id: int) -> list[tuple[Any, ...]]:
        from django.conf import settings

        data = Path(settings.DATA_DIR) / Snapshot.objects.get(pk=snapshot_id).data_path
        return duckdb.sql(f"SELECT * EXCLUDE (source_row) FROM '{data}' ORDER BY nik").fetchall()

    assert (
        people_of(pulled["snapshot"]) == people_of(filed["snapshot"])
        and len(people_of(filed["snapshot"])) == 5
    )


def test_refusals_are_clear(run: Any, registry_server: Any) -> None:
    fake = registry_server([group(person(1))])
    wrong = run("registry", "import", "--from-dci", fake.url, "--region", "3275", "--client-id", "sigap", "--client-secret", "salah", "--json")  # fmt: skip
    assert wrong.exit_code == 2 and "HTTP 401" in json.loads(wrong.output)["error"]
    assert "err.request.unauthorized bad secret" in json.loads(wrong.output)["error"]
    fake.refuse = ("rjct.search_criteria.invalid", "region_code: unknown attribute")
    refused = run(
        "registry", "import", "--from-dci", fake.url, "--region", "3275", "--token", "tok-1", "--json"
    )
    error = json.loads(refused.output)["error"]
    assert refused.exit_code == 2 and "rjct.search_criteria.invalid region_code: unknown attribute" in error
    for args, said in (
        (["--from-dci", "file:///etc/passwd", "--region", "32"], "https://"),
        (["--from-dci", fake.url], "--region CODE or --query JSON"),
        (["--from-dci", fake.url, "--query", "{not json"], "--query is not JSON"),
        ([], "give the extract FILE, or --from-dci URL"),
    ):
        answer = run("registry", "import", *args, "--json")
        assert answer.exit_code == 2 and said in json.loads(answer.output)["error"], answer.output
    fake.refuse = None
    fake.records = []
    empty = run(
        "registry", "import", "--from-dci", fake.url, "--region", "3275", "--token", "tok-1", "--json"
    )
    assert empty.exit_code == 2 and "sent no people" in json.loads(empty.output)["error"]


def test_source_rows_read_the_spec_example_group() -> None:
    """The Group example of the SR specification: one row per member, the family's KK number, sex and
    dates normalised; values SIGAP cannot read stay as they came for the importer to judge."""
    from sigap.core.dci import source_rows

    example = {
        "group_identifier": [{"identifier_type": "NationalID", "identifier_value": "G9876543210"}],
        "poverty_score": 45.2,
        "poverty_score_type": "income-based",
        "member_list": [
            {"demographic_info": {"identifier": [{"identifier_type": "NationalID", "identifier_value": "9876543210"}],
                                  "name": {"surname": "Smith", "given_name": "Alice"}, "sex": "female",
                                  "birth_date": "1985-05-20T00:00:00Z", "address": {"street_address": "123 Main St"}}},
            {"demographic_info": {"spdci:identifier": [{"identifier_type": "NationalID", "identifier_value": "1234567890"}],
                                  "name": {"surname": "Smith", "given_name": "Bob"}, "sex": "male",
                                  "birth_date": "1982-03-15T00:00:00Z"}},
        ],
    }  # fmt: skip
    alice, bob = source_rows(example)
    assert (alice["nomor_nik"], alice["nama"], alice["jenis_kelamin"], alice["tanggal_lahir"]) == (
        "9876543210", "Alice Smith", "P", "1985-05-20",
    )  # fmt: skip
    assert (alice["desil"], alice["nomor_kk"], alice["alamat"], alice["desa_kelurahan"]) == (
        "",
        "",
        "123 Main St",
        "",
    )
    assert (bob["nomor_nik"], bob["jenis_kelamin"], bob["status_hidup"]) == ("1234567890", "L", "HIDUP")
    assert source_rows({"poverty_score": 1}) == [] and source_rows("x") == []  # type: ignore[arg-type]


# The SR specification's sample answer (release/sample-jsons/.../social/processflow1-1res.json, trimmed):
# no pagination, members wrapped in "household_member", the person under "demographic_info.person".
SPEC_SAMPLE = {
    "header": {"version": "1.0.0", "message_id": "0c96614c", "message_ts": "2023-07-19T12:15:04.555Z",
               "action": "search", "status": "rcvd", "status_reason_code": "", "total_count": "1",
               "completed_count": "", "sender_id": "sp-system", "receiver_id": "social", "meta": ""},
    "message": {"transaction_id": "", "correlation_id": "", "search_response": [{
        "reference_id": "", "timestamp": "2022-12-04T17:20:07-04:00", "status": "rcvd",
        "status_reason_code": "", "status_reason_message": "", "pagination": None, "locale": "",
        "data": {"version": "", "reg_records": [{
            "@id": "Group", "@type": "Group",
            "group_identifier": [{"identifier_type": "NID", "identifier_value": "0205202401"}],
            "place": {"geo": {"latitude": "40.712776", "longitude": "-74.005974"},
                      "address": "123 Main St, Anytown, CountryName"},
            "poverty_score": "4.0", "poverty_score_type": "", "group_size": "1",
            "group_head_info": {"person": {"identifier": [{"identifier_type": "NID", "identifier_value": "0205202401"}],
                                           "name": {"first_name": "Test", "second_name": "Test2", "surname": "Test3"},
                                           "sex": "F", "birth_date": "1985-05-20T00:00:00Z"}},
            "member_list": [{"household_member": {
                "member_identifier": [{"identifier_type": "NID", "identifier_value": "HS0205202401"}],
                "demographic_info": {"person": {
                    "identifier": [{"identifier_type": "NID", "identifier_value": "0205202401"}],
                    "name": {"first_name": "Test", "second_name": "Test2", "surname": "Test3"},
                    "sex": "F", "birth_date": "1985-05-20T00:00:00Z"}},
                "relationship_head": "self", "occupation": "Caregiver", "registration_date": "1985-05-20T00:00:00Z"}}],
            "additional_attributes": [], "registration_date": "1985-05-20T00:00:00Z", "last_update": " "}]}}]},
}  # fmt: skip


def test_the_specification_sample_answer_is_read(data_dir: Path) -> None:
    """The SR spec's own sample (no pagination: one short page ends the pull) becomes one extract row;
    what SIGAP cannot use (a 10-digit 'NID', no kelurahan, no desil) is left for the importer to reject."""
    from sigap.registry.dci import COLUMNS, registry_pull

    asked: list[dict[str, Any]] = []

    def post(url: str, body: bytes, headers: Any) -> tuple[int, bytes]:
        asked.append(json.loads(body))
        return 200, json.dumps(SPEC_SAMPLE).encode()

    pulled = registry_pull("https://sr.example.org/dci", query={"type": "NID", "value": "0205202401"},
                           query_type="idtype-value", page_size=10, token="t", post=post)  # fmt: skip
    assert (pulled.pages, pulled.records, pulled.rows, pulled.total_count) == (1, 1, 1, 1) and len(asked) == 1
    (row,) = list(csv.DictReader(io.StringIO(pulled.path.read_text(encoding="utf-8")), delimiter="|"))
    assert list(row) == list(COLUMNS)
    assert (row["nomor_nik"], row["nama"], row["jenis_kelamin"], row["tanggal_lahir"]) == (
        "0205202401", "Test Test2 Test3", "P", "1985-05-20",
    )  # fmt: skip
    assert (row["hubungan_keluarga"], row["pekerjaan"], row["alamat"]) == (
        "KEPALA KELUARGA", "CAREGIVER", "123 Main St, Anytown, CountryName",
    )  # fmt: skip
    assert (row["desil"], row["desa_kelurahan"], row["nomor_kk"]) == ("", "", "")
