"""SIGAP as a DCI Integrated Beneficiary Registry: the envelope, the queries, pagination, the scoping
to the client's area and to the lists in force, the DCI reason codes, and the audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import make_programme, make_run, make_snapshot, make_user

from .conftest import ALL_SCOPES, COST_PER_PERSON, PLACES, World, problem

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/dci/registry/sync/search"
ENROLLED = "/api/v1/dci/registry/sync/enrolled"


def header(action: str = "search", total: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "version": "1.0.0",
        "message_id": "m-1",
        "message_ts": "2025-12-10T10:00:00+07:00",
        "action": action,
        "sender_id": "bansos.example.go.id",
        "receiver_id": "sigap",
        "total_count": total,
        **changes,
    }


def criteria(query_type: str, query: Any, **more: Any) -> dict[str, Any]:
    return {"version": "1.0.0", "query_type": query_type, "query": query, **more}


def envelope(*items: dict[str, Any], **head: Any) -> dict[str, Any]:
    requests = [
        {"reference_id": f"r{i}", "timestamp": "2025-12-10T10:00:00+07:00", "search_criteria": c}
        for i, c in enumerate(items)
    ]
    return {
        "signature": "",
        "header": header(total=len(requests), **head),
        "message": {"transaction_id": "t-1", "search_request": requests},
    }


def by_nik(nik: str) -> dict[str, Any]:
    return criteria("idtype-value", {"type": "NIK", "value": nik})


def members(programme: Any) -> list[Any]:
    from sigap.enrolment.models import Member

    return list(Member.objects.filter(programme=programme).order_by("nik"))


def records(answer: Any, index: int = 0) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.content
    item = answer.json()["message"]["search_response"][index]
    assert item["status"] == "succ", item
    return list(item["data"]["reg_records"])


def niks(found: list[dict[str, Any]]) -> list[str]:
    return [r["member"]["member_identifier"][0]["identifier_value"] for r in found]


def test_search_by_nik_answers_the_envelope_with_the_enrolment(world: World, api_client: Any) -> None:
    from sigap.audit.models import AuditEvent

    caller = api_client(["status:read"], "3275")
    member = members(world.bekasi)[0]
    answer = caller.post(SEARCH, envelope(by_nik(member.nik)))
    body = answer.json()
    head = body["header"]
    assert (head["action"], head["status"], head["total_count"], head["completed_count"]) == (
        "on-search",
        "succ",
        1,
        1,
    )
    assert (head["sender_id"], head["receiver_id"], head["version"]) == (
        "sigap",
        "bansos.example.go.id",
        "1.0.0",
    )
    assert body["message"]["transaction_id"] == "t-1" and body["message"]["correlation_id"]
    item = body["message"]["search_response"][0]
    assert item["reference_id"] == "r0" and item["pagination"] == {
        "page_size": 100,
        "page_number": 1,
        "total_count": 1,
    }
    (found,) = item["data"]["reg_records"]
    assert found["@type"] == "Beneficiary"
    assert found["member"]["member_identifier"] == [
        {"identifier_type": "NIK", "identifier_value": member.nik}
    ]
    enrolment = found["member"]["programme_identifier"]
    assert enrolment["programme"] == {
        "programme_identifier": "SIGAP-2026",
        "programme_name": world.bekasi.name,
    }
    assert enrolment["enrolment_status"] == "Pending"  # on the approved list, not yet answered by BPJS TK
    assert enrolment["status_change_date"] == world.bekasi_run.decided_at.date().isoformat()
    assert enrolment["benefits"]["benefit_value"] == f"IDR {COST_PER_PERSON // 12}"
    assert "nama" not in str(found) and member.nama not in str(found)  # no name: the asker knows the person
    (row,) = AuditEvent.objects.filter(action="dci.search", actor_label=f"api:{caller.client_id}")
    assert row.note == member.nik and row.after["found"] == 1 and row.area_code == "3275"
    assert AuditEvent.objects.filter(action="api.call", after__path=SEARCH).count() == 1


def test_nobody_outside_the_area_and_no_scope_no_answer(world: World, api_client: Any) -> None:
    bandung = members(world.bandung)[0]
    bekasi_client = api_client(["status:read"], "3275")
    assert records(bekasi_client.post(SEARCH, envelope(by_nik(bandung.nik)))) == []
    assert len(records(api_client(["status:read"], "3273").post(SEARCH, envelope(by_nik(bandung.nik))))) == 1
    whole = criteria("predicate", [{"seq_num": 1, "expression1": {"attribute_name": "region_code", "operator": "eq", "attribute_value": "32"}}])  # fmt: skip
    assert set(niks(records(bekasi_client.post(SEARCH, envelope(whole))))) == {
        m.nik for m in members(world.bekasi)
    }
    kelurahan = members(world.bekasi)[0].kode_kelurahan
    narrow = api_client(["status:read"], kelurahan)
    found = niks(records(narrow.post(SEARCH, envelope(whole))))
    assert found and set(found) == {m.nik for m in members(world.bekasi) if m.kode_kelurahan == kelurahan}
    problem(api_client(["aggregates:read"], "3275").post(SEARCH, envelope(by_nik(bandung.nik))), 403)
    problem(api_client(login=False).post(SEARCH, envelope(by_nik(bandung.nik))), 401)


def test_only_lists_in_force_answer(world: World, api_client: Any, data_dir: Any) -> None:
    """A draft run, a returned run: nobody; the list in force stops answering if its run is not in force."""
    from sigap.enrolment.actions import run_return, run_submit
    from sigap.programmes.models import TargetingRun

    draft = make_programme("DRAFT-2026", budget=PLACES * COST_PER_PERSON)
    make_run(draft, make_snapshot(data_dir, people=40, offset=1000))
    returned = make_programme("RETUR-2026", budget=PLACES * COST_PER_PERSON)
    run = make_run(returned, make_snapshot(data_dir, people=40, offset=2000))
    run_submit(run=run, acting_user=make_user("pembuat"))
    run_return(run=run, acting_user=make_user("pemeriksa"), reason="periksa lagi")
    caller = api_client(["status:read"], "3275")

    def programme_members(code: str) -> Any:
        query = criteria("expression", {"attribute_name": "programme_identifier", "operator": "eq", "attribute_value": code})  # fmt: skip
        return caller.post(SEARCH, envelope(query)).json()["message"]["search_response"][0]["pagination"][
            "total_count"
        ]

    assert (programme_members("DRAFT-2026"), programme_members("RETUR-2026")) == (0, 0)
    assert programme_members("SIGAP-2026") == len(members(world.bekasi)) > 0
    TargetingRun.objects.filter(pk=world.bekasi_run.pk).update(state=TargetingRun.RETURNED)
    assert programme_members("SIGAP-2026") == 0
    nik = members(world.bekasi)[0].nik
    assert records(caller.post(SEARCH, envelope(by_nik(nik)))) == []


def test_pages_cover_the_list_once_in_the_asked_order(world: World, api_client: Any) -> None:
    caller = api_client(["status:read"], "3275")
    everyone = [m.nik for m in members(world.bekasi)]
    seen: list[str] = []
    page = 1
    while True:
        query = criteria(
            "predicate",
            [{"seq_num": 1, "expression1": {"attribute_name": "programme_identifier", "operator": "eq", "attribute_value": "SIGAP-2026"}}],
            sort=[{"attribute_name": "nik", "sort_order": "desc"}],
            pagination={"page_size": 7, "page_number": page},
        )  # fmt: skip
        answer = caller.post(SEARCH, envelope(query))
        item = answer.json()["message"]["search_response"][0]
        assert item["pagination"]["total_count"] == len(everyone)
        found = niks(records(answer))
        if not found:
            break
        seen += found
        page += 1
    assert seen == sorted(everyone, reverse=True) and page == -(-len(everyone) // 7) + 1


def test_predicates_and_or_not_and_in(world: World, api_client: Any) -> None:
    caller = api_client(["status:read"], "3275")
    a, b, c = (m.nik for m in members(world.bekasi)[:3])

    def ex(name: str, op: str, value: Any) -> dict[str, Any]:
        return {"attribute_name": name, "operator": op, "attribute_value": value}

    either = criteria("predicate", [{"seq_num": 1, "expression1": ex("nik", "eq", a), "condition": "or", "expression2": ex("nik", "eq", b)}])  # fmt: skip
    assert sorted(niks(records(caller.post(SEARCH, envelope(either))))) == sorted([a, b])
    but_not = criteria("predicate", [{"seq_num": 1, "expression1": ex("nik", "in", [a, b, c]), "condition": "not", "expression2": ex("nik", "eq", b)}])  # fmt: skip
    assert sorted(niks(records(caller.post(SEARCH, envelope(but_not))))) == sorted([a, c])
    both = criteria("expression", [ex("nik", "in", [a, b]), ex("enrolment_status", "eq", "Pending")])
    assert sorted(niks(records(caller.post(SEARCH, envelope(both))))) == sorted([a, b])
    none = criteria("expression", [ex("nik", "in", [a, b]), ex("enrolment_status", "eq", "Active")])
    assert records(caller.post(SEARCH, envelope(none))) == []
    by_kpj = criteria("idtype-value", {"type": "KPJ", "value": "99999"})
    assert records(caller.post(SEARCH, envelope(by_kpj))) == []


def test_enrolment_updates_pulled_by_status_change_date(world: World, api_client: Any, clock: Any) -> None:
    """Enrolment updates: who changed since a date (an exit here), with the status it changed to."""
    from sigap.enrolment.lifecycle import member_exit_by_nik

    leaving = members(world.bekasi)[1]
    clock(dt.date(2026, 2, 3))
    caller = api_client(["status:read"], "3275")
    member_exit_by_nik(
        programme=world.bekasi,
        nik=leaving.nik,
        reason="died",
        date=dt.date(2026, 2, 1),
        acting_user=make_user("op"),
    )
    since = criteria(
        "predicate",
        [{"seq_num": 1, "expression1": {"attribute_name": "status_change_date", "operator": "ge", "attribute_value": "2026-01-15"}}],
        reg_event_type="enrollement_status_change",
    )  # fmt: skip
    (found,) = records(caller.post(SEARCH, envelope(since)))
    enrolment = found["member"]["programme_identifier"]
    assert niks([found]) == [leaving.nik]
    assert (enrolment["enrolment_status"], enrolment["status_change_date"]) == ("Deceased", "2026-02-01")


def test_refusals_name_the_dci_code_the_field_and_the_reason(world: World, api_client: Any) -> None:
    caller = api_client(["status:read"], "3275")
    nik = members(world.bekasi)[0].nik
    unknown = criteria("expression", {"attribute_name": "gaji", "operator": "eq", "attribute_value": 1})
    wrong_op = criteria("expression", {"attribute_name": "nik", "operator": "gt", "attribute_value": nik})
    bad_nik = criteria("idtype-value", {"type": "NIK", "value": "12"})
    bad_page = {**by_nik(nik), "pagination": {"page_size": 5000}}
    bad_sort = {**by_nik(nik), "sort": [{"attribute_name": "nama", "sort_order": "asc"}]}
    answer = caller.post(SEARCH, envelope(unknown, wrong_op, bad_nik, bad_page, bad_sort, by_nik(nik)))
    body = answer.json()
    items = body["message"]["search_response"]
    assert [i["status_reason_code"] for i in items] == [
        "rjct.search_criteria.invalid",
        "rjct.filter.invalid",
        "rjct.search_criteria.invalid",
        "rjct.pagination.invalid",
        "rjct.sort.invalid",
        None,
    ]
    assert items[0]["status_reason_message"].startswith(
        "search_request[0].search_criteria.query.attribute_name: "
    )
    assert "gaji" in items[0]["status_reason_message"] and "nik" in items[0]["status_reason_message"]
    assert items[2]["status_reason_message"].startswith(
        "search_request[2].search_criteria.query.attribute_value"
    )
    assert body["header"]["status"] == "succ" and items[5]["status"] == "succ"

    for changes, code in (
        ({"action": "subscribe"}, "rjct.action.invalid"),
        ({"version": "2.0.0"}, "rjct.version.invalid"),
        ({"message_ts": "yesterday"}, "rjct.message_ts.invalid"),
        ({"total_count": 3}, "rjct.total_count.invalid"),
    ):
        message = envelope(by_nik(nik))
        message["header"].update(changes)
        refused = caller.post(SEARCH, message).json()
        assert (refused["header"]["status"], refused["header"]["status_reason_code"]) == ("rjct", code)
        assert refused["header"]["status_reason_message"].startswith("header.")
        assert refused["message"]["search_response"] == []

    duplicate = envelope(by_nik(nik), by_nik(nik))
    duplicate["message"]["search_request"][1]["reference_id"] = "r0"
    items = caller.post(SEARCH, duplicate).json()["message"]["search_response"]
    assert [i["status_reason_code"] for i in items] == [None, "rjct.reference_id.duplicate"]

    unreadable = problem(caller.post(SEARCH, {"header": header(), "message": {"transaction_id": "t"}}), 422)
    assert unreadable["code"] == "err.request.bad"
    assert {"field": "message.search_request", "reason": "Field required"} in unreadable["errors"]


def test_enrolled_yes_or_no(world: World, api_client: Any) -> None:
    caller = api_client(["status:read"], "3275")
    nik = members(world.bekasi)[0].nik

    def ask(query_type: str, query: Any) -> dict[str, Any]:
        body = {
            "header": header(),
            "message": {
                "transaction_id": "t-9",
                "enrolled_criteria": {"query_type": query_type, "query": query},
            },
        }
        answer = caller.post(ENROLLED, body)
        assert answer.status_code == 200, answer.content
        return dict(answer.json()["message"]["enrolled_response"][0])

    spec_example = {"person_identifier": {"eq": nik}, "programme_identifier.program.programme_identifier": {"eq": "SIGAP-2026"}}  # fmt: skip
    assert ask("expression", spec_example)["enrolled_status"] == "yes"
    assert ask("expression", {**spec_example, "programme_identifier.program.programme_identifier": {"eq": "BDG-2026"}})["enrolled_status"] == "no"  # fmt: skip
    assert ask("expression", {"attribute_name": "person_identifier", "operator": "eq", "attribute_value": nik})["enrolled_status"] == "yes"  # fmt: skip
    bandung = members(world.bandung)[0].nik
    assert (
        ask("idtype-value", {"type": "NIK", "value": bandung})["enrolled_status"] == "no"
    )  # outside the area
    refused = ask("expression", {"person_identifier": "x"})
    assert (refused["status"], refused["status_reason_code"]) == ("rjct", "rjct.search_criteria.invalid")


def test_async_search_is_pulled_back_by_its_own_client_only(
    world: World, api_client: Any, clock: Any
) -> None:
    """/registry/search answers NACK with a correlation_id (no callback); /registry/sync/txn/status gives
    the search response to the client that asked, by transaction_id, correlation_id or reference ids."""
    caller = api_client(["status:read"], "3275")
    nik = members(world.bekasi)[0].nik
    ack = caller.post("/api/v1/dci/registry/search", envelope(by_nik(nik)))
    assert ack.status_code == 200, ack.content
    assert ack.json()["message"]["ack_status"] == "NACK"
    correlation = ack.json()["message"]["correlation_id"]

    def status(who: Any, attribute_type: str, value: Any) -> dict[str, Any]:
        body = {
            "header": header("txn-status"),
            "message": {
                "transaction_id": "t-2",
                "txnstatus_request": {
                    "reference_id": "s1",
                    "txn_type": "search",
                    "attribute_type": attribute_type,
                    "attribute_value": value,
                },  # fmt: skip
            },
        }
        answer = who.post("/api/v1/dci/registry/sync/txn/status", body)
        assert answer.status_code == 200, answer.content
        return dict(answer.json())

    for attribute_type, value in (
        ("correlation_id", correlation),
        ("transaction_id", "t-1"),
        ("reference_id_list", ["r0"]),
    ):
        pulled = status(caller, attribute_type, value)
        assert pulled["header"]["status"] == "succ" and pulled["message"]["correlation_id"] == correlation
        result = pulled["message"]["txnstatus_response"]["txn_status"]["search_response"][0]
        assert niks(result["data"]["reg_records"]) == [nik]
    other = status(api_client(["status:read"], "3275"), "correlation_id", correlation)
    assert (other["header"]["status"], other["header"]["status_reason_code"]) == (
        "rjct",
        "rjct.reference_id.invalid",
    )
    assert other["message"]["txnstatus_response"]["txn_status"] is None
    wrong = status(caller, "reference_id_list", "r0")
    assert wrong["header"]["status_reason_code"] == "rjct.search_criteria.invalid"
    clock(dt.date(2025, 12, 12))  # kept 24 hours (it holds NIKs)
    expired = status(caller.login(), "correlation_id", correlation)
    assert expired["header"]["status_reason_code"] == "rjct.reference_id.invalid"
    refused = caller.post("/api/v1/dci/registry/search", envelope(by_nik(nik), action="on-search")).json()
    assert (
        refused["message"]["ack_status"] == "ERR" and refused["message"]["error"]["code"] == "err.request.bad"
    )
    assert "rjct.action.invalid" in refused["message"]["error"]["message"]


def dci_calls(nik: str) -> list[tuple[str, dict[str, Any]]]:
    """Every DCI endpoint asked about ``nik`` and about everyone (by region and by programme)."""
    everyone = [
        criteria(
            "predicate",
            [
                {
                    "seq_num": 1,
                    "expression1": {
                        "attribute_name": "region_code",
                        "operator": "eq",
                        "attribute_value": "32",
                    },
                }
            ],
        ),  # fmt: skip
        criteria(
            "expression",
            {
                "attribute_name": "programme_identifier",
                "operator": "in",
                "attribute_value": ["SIGAP-2026", "BDG-2026"],
            },
        ),  # fmt: skip
        criteria(
            "expression",
            {"attribute_name": "status_change_date", "operator": "ge", "attribute_value": "2000-01-01"},
        ),  # fmt: skip
    ]
    enrolled = {
        "header": header(),
        "message": {
            "transaction_id": "t-e",
            "enrolled_criteria": {"query_type": "idtype-value", "query": {"type": "NIK", "value": nik}},
        },  # fmt: skip
    }
    status = {
        "header": header("txn-status"),
        "message": {
            "transaction_id": "t-s",
            "txnstatus_request": {
                "reference_id": "s",
                "txn_type": "search",
                "attribute_type": "transaction_id",
                "attribute_value": "t-1",
            },
        },  # fmt: skip
    }
    return [
        (SEARCH, envelope(by_nik(nik), *everyone)),
        ("/api/v1/dci/registry/search", envelope(by_nik(nik), *everyone)),
        (ENROLLED, enrolled),
        ("/api/v1/dci/registry/sync/txn/status", status),
    ]


def test_dci_scope_and_area_matrix_leaks_nothing(world: World, api_client: Any) -> None:
    """A Kota Bandung client asking every DCI endpoint about a Bekasi member and about everyone: Bandung
    members only; without status:read: 403 everywhere."""
    import re

    bekasi_nik = members(world.bekasi)[0].nik
    bandung = api_client(["status:read"], "3273")
    api_client(["status:read"], "3275").post("/api/v1/dci/registry/search", envelope(by_nik(bekasi_nik)))  # t-1 of another client  # fmt: skip
    seen: set[str] = set()
    for path, body in dci_calls(bekasi_nik):
        answer = bandung.post(path, body)
        assert answer.status_code == 200, (path, answer.content)
        text = answer.content.decode()
        assert not re.search(r"3275\d{12}", text.replace(bekasi_nik, "")), (path, text[:500])
        if path == ENROLLED:
            assert answer.json()["message"]["enrolled_response"][0]["enrolled_status"] == "no"
        if path == SEARCH:
            items = answer.json()["message"]["search_response"]
            assert niks(items[0]["data"]["reg_records"]) == []
            for item in items[1:]:
                seen |= set(niks(item["data"]["reg_records"]))
    assert seen == {m.nik for m in members(world.bandung)}
    others = [s for s in ALL_SCOPES if s != "status:read"]
    narrowed = api_client(ALL_SCOPES, "3275", login=False).login(scope="aggregates:read")
    for without in (api_client(others, "3275"), narrowed):  # the scope not held; held but not in the token
        for path, body in dci_calls(bekasi_nik):
            refused = problem(without.post(path, body), 403)
            assert refused["code"] == "err.request.forbidden" and "status:read" in refused["detail"]


def test_dci_authz_and_jwks_paths_are_the_token_and_key_endpoints(world: World, api_client: Any) -> None:
    import base64

    from django.test import Client

    caller = api_client(["status:read"], "3275", login=False)
    basic = base64.b64encode(f"{caller.client_id}:{caller.secret}".encode()).decode()
    http = Client()
    token = http.post(
        "/api/v1/dci/oauth2/client/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert token.status_code == 200, token.content
    caller.token = token.json()["access_token"]
    assert records(caller.post(SEARCH, envelope(by_nik(members(world.bekasi)[0].nik))))
    assert (
        http.get("/api/v1/dci/.well-known/jwks.json").json()
        == http.get("/api/v1/.well-known/jwks.json").json()
    )
    refused = http.post("/api/v1/dci/oauth2/client/token", {"grant_type": "password"})
    assert (
        problem(refused, 400)["error"] == "unsupported_grant_type"
        and refused.json()["code"] == "err.request.bad"
    )


def test_the_specification_sample_request_is_answered(world: World, api_client: Any) -> None:
    """The IBR specification's sample search (release/sample-jsons/.../ibr/processflow4req.json) as sent:
    counts as strings, empty consent and ids, a UIN query sorted by UIN -- with a member's NIK as the UIN."""
    nik = members(world.bekasi)[0].nik
    sample = {
        "signature": 'Signature:  namespace="dci", kidId="{sender_id}|{unique_key_id}|{algorithm}", algorithm="ed25519"',
        "header": {"version": "1.0.0", "message_id": "0c96614c-7255-4774-b109-cd53ee851769",
                   "message_ts": "2023-07-19T12:15:04.555Z", "action": "search", "sender_id": "sp-system",
                   "sender_uri": "", "receiver_id": "crvs", "total_count": "1", "is_msg_encrypted": False, "meta": ""},
        "message": {"transaction_id": "", "search_request": [{
            "reference_id": "", "timestamp": "2022-12-04T17:20:07-04:00",
            "search_criteria": {"version": "1.0.0", "reg_event_type": "REGISTER", "query_type": "idtype-value",
                                "query": {"type": "UIN", "value": nik},
                                "sort": [{"attribute_name": "UIN", "sort_order": "asc"}],
                                "pagination": {"page_size": 10, "page_number": 1}, "consent": "", "authorize": ""},
            "locale": ""}]},
    }  # fmt: skip
    answer = api_client(["status:read"], "3275").post(SEARCH, sample)
    assert niks(records(answer)) == [nik]
    assert answer.json()["header"]["receiver_id"] == "sp-system"
