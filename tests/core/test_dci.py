"""sigap.core.dci: the DCI queries SIGAP answers, the enrolment statuses it publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sigap.core import dci
from sigap.core.dci import All, Any_, Cond, Not, QueryError, parse_query

NIK = "3275014507900001"


def ex(name: str, op: str, value: Any) -> dict[str, Any]:
    return {"attribute_name": name, "operator": op, "attribute_value": value}


def test_idtype_value_by_nik_or_kpj() -> None:
    for kind in ("NIK", "nik", "NID", "UIN", "NationalID"):
        assert parse_query("idtype-value", {"type": kind, "value": NIK}) == Cond("nik", "eq", NIK)
    assert parse_query("idtype-value", {"type": "KPJ", "value": "25000012345"}) == Cond(
        "kpj", "eq", "25000012345"
    )


def test_expression_forms_and_aliases() -> None:
    assert parse_query("expression", ex("person_identifier", "eq", NIK)) == Cond("nik", "eq", NIK)
    both = parse_query(
        "expression",
        {
            "person_identifier": {"eq": NIK},
            "programme_identifier.program.programme_identifier": {"eq": "DCI001"},
        },
    )
    assert both == All((Cond("nik", "eq", NIK), Cond("programme", "eq", "DCI001")))
    listed = parse_query(
        "expression", [ex("nik", "in", [NIK, NIK]), ex("enrolment_date", "ge", "2026-01-01T00:00:00Z")]
    )
    assert listed == All((Cond("nik", "in", (NIK, NIK)), Cond("enrolment_date", "ge", dt.date(2026, 1, 1))))


def test_predicates_in_seq_num_order_with_and_or_not() -> None:
    query = [
        {"seq_num": 2, "expression1": ex("nik", "eq", NIK), "condition": "not", "expression2": ex("enrolment_status", "eq", "Active")},
        {"seq_num": 1, "expression1": ex("region_code", "eq", "3275"), "condition": "or", "expression2": ex("region_code", "eq", "3273")},
    ]  # fmt: skip
    assert parse_query("predicate", query) == All(
        (
            Any_((Cond("region", "eq", "3275"), Cond("region", "eq", "3273"))),
            All((Cond("nik", "eq", NIK), Not(Cond("enrolment_status", "eq", "Active")))),
        )
    )
    assert list(dci.conditions(parse_query("predicate", query)))[0] == Cond("region", "eq", "3275")


@pytest.mark.parametrize(
    ("query_type", "query", "code", "field"),
    [
        ("sql", {}, dci.RJCT_CRITERIA, "search_criteria.query_type"),
        ("idtype-value", {"type": "BRN", "value": "1"}, dci.RJCT_CRITERIA, "search_criteria.query.type"),
        ("idtype-value", {"type": "NIK", "value": "32750145079"}, dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("idtype-value", "NIK", dci.RJCT_CRITERIA, "search_criteria.query"),
        ("expression", ex("income", "eq", 1), dci.RJCT_CRITERIA, "search_criteria.query.attribute_name"),
        ("expression", ex("nik", "gt", NIK), dci.RJCT_FILTER, "search_criteria.query.operator"),
        ("expression", ex("nik", "in", []), dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("expression", ex("nik", "in", [NIK] * 1001), dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("expression", ex("enrolment_date", "ge", "kemarin"), dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("expression", ex("region_code", "eq", "327"), dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("expression", ex("nik", "eq", True), dci.RJCT_CRITERIA, "search_criteria.query.attribute_value"),
        ("expression", {"nik": "x"}, dci.RJCT_CRITERIA, "search_criteria.query.nik"),
        ("expression", [], dci.RJCT_CRITERIA, "search_criteria.query"),
        ("predicate", {}, dci.RJCT_CRITERIA, "search_criteria.query"),
        ("predicate", [{"expression1": ex("nik", "eq", NIK), "condition": "xor", "expression2": ex("nik", "eq", NIK)}], dci.RJCT_CRITERIA, "search_criteria.query[0].condition"),
        ("predicate", [{"expression1": ex("nik", "eq", NIK), "condition": "and"}], dci.RJCT_CRITERIA, "search_criteria.query[0].expression2"),
        ("predicate", [[1]], dci.RJCT_CRITERIA, "search_criteria.query[0]"),
    ],
)  # fmt: skip
def test_refused_queries_name_code_and_field(query_type: str, query: Any, code: str, field: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_query(query_type, query)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.reason and str(refused.value).startswith(field + ": ")


def test_enrolment_status_of_each_state_and_back() -> None:
    cases = [
        ("active", "", "Active"),
        ("approved", "", "Pending"),
        ("sent", "", "Pending"),
        ("rejected", "rejected", "Rejected"),
        ("exited", "died", "Deceased"),
        ("exited", "lapsed", "Suspended"),
        ("exited", "moved", "Graduated"),
        ("exited", "fiscal_year_end", "Graduated"),
    ]
    for state, reason, status in cases:
        assert dci.enrolment_status(state, reason) == status
        pairs = dci.member_states(status.upper())
        assert any(
            s == state and (r is None or r == reason or (r == "" and reason not in ("died", "lapsed")))
            for s, r in pairs
        )
    assert dci.member_states("Enrolled") == ()
