"""The Digital Convergence Initiative (DCI) vocabulary as SIGAP reads and writes it (ADR 0021).

Pure rules, no I/O: the search queries SIGAP answers as an Integrated Beneficiary Registry (IBR) --
``idtype-value``, ``expression`` and ``predicate`` -- parsed into a small tree of conditions on a fixed
set of attributes; the enrolment status published for each SIGAP member state; and the conversion of
a Social Registry (SR) search record (a Group with its members, or one Member) into the rows of a
DTSEN extract (:data:`sigap.core.schema.SOURCE_COLUMNS`), so that a registry pulled through DCI is
imported by the same file importer, with the same checks and rejection reasons, as a file.

Specification: spdci/standards, release/yaml (registry core, IBR, social registry, authz, JWKS v1.0.0).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

VERSION = "1.0.0"

#: message header status (MsgCallbackHeader.status)
RECEIVED, PENDING, SUCCEEDED, REJECTED = "rcvd", "pdng", "succ", "rjct"

# MsgHeaderStatusReasonCode
RJCT_VERSION = "rjct.version.invalid"
RJCT_MESSAGE_TS = "rjct.message_ts.invalid"
RJCT_ACTION = "rjct.action.invalid"
RJCT_TOTAL_COUNT = "rjct.total_count.invalid"
RJCT_TOTAL_COUNT_LIMIT = "rjct.total_count.limit_exceeded"
# SearchStatusReasonCode
RJCT_REFERENCE_ID = "rjct.reference_id.invalid"
RJCT_REFERENCE_DUPLICATE = "rjct.reference_id.duplicate"
RJCT_TIMESTAMP = "rjct.timestamp.invalid"
RJCT_CRITERIA = "rjct.search_criteria.invalid"
RJCT_FILTER = "rjct.filter.invalid"
RJCT_SORT = "rjct.sort.invalid"
RJCT_PAGINATION = "rjct.pagination.invalid"
RJCT_TOO_MANY = "rjct.search.too_many_records_found"

#: query types of a search (QueryType)
IDTYPE_VALUE, EXPRESSION, PREDICATE = "idtype-value", "expression", "predicate"
QUERY_TYPES = (IDTYPE_VALUE, EXPRESSION, PREDICATE)
OPERATORS = ("gt", "lt", "eq", "ge", "le", "in")
CONDITIONS = ("and", "or", "not")

# --------------------------------------------------------------------------- queries

#: identifier types SIGAP can be searched by (``idtype-value``) -> attribute
IDENTIFIER_TYPES: dict[str, str] = {
    "NIK": "nik",
    "NID": "nik",
    "NATIONALID": "nik",
    "UIN": "nik",
    "KPJ": "kpj",
}

TEXT, CODE, DATE = "text", "code", "date"


@dataclass(frozen=True)
class Attribute:
    """A queryable attribute: its kind of value and the operators it takes."""

    name: str
    kind: str
    operators: tuple[str, ...]
    pattern: str = ""


_EQ_IN = ("eq", "in")
_ORDERED = ("eq", "gt", "lt", "ge", "le")
#: query attribute name (as sent) -> attribute.  Several DCI spellings name the same thing.
ATTRIBUTES: dict[str, Attribute] = {
    "nik": Attribute("nik", TEXT, _EQ_IN, r"^[0-9]{16}$"),
    "kpj": Attribute("kpj", TEXT, _EQ_IN, r"^[0-9A-Za-z]{1,20}$"),
    "programme_identifier": Attribute("programme", TEXT, _EQ_IN, r"^[^\x00-\x1f]{1,64}$"),
    "enrolment_status": Attribute("enrolment_status", TEXT, _EQ_IN, r"^[A-Za-z]{1,20}$"),
    "region_code": Attribute("region", CODE, ("eq",), r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{4})?)?)?$"),
    "enrolment_date": Attribute("enrolment_date", DATE, _ORDERED),
    "status_change_date": Attribute("status_change_date", DATE, _ORDERED),
}
for _alias, _target in (
    ("person_identifier", "nik"),
    ("identifier", "nik"),
    ("NIK", "nik"),
    ("UIN", "nik"),
    ("KPJ", "kpj"),
    ("programme", "programme_identifier"),
    ("programme_identifier.programme.programme_identifier", "programme_identifier"),
    ("programme_identifier.program.programme_identifier", "programme_identifier"),
    ("enrollment_status", "enrolment_status"),
    ("kode_wilayah", "region_code"),
    ("area", "region_code"),
    ("enrollment_date", "enrolment_date"),
    ("last_update", "status_change_date"),
):
    ATTRIBUTES[_alias] = ATTRIBUTES[_target]
CANONICAL = ("nik", "kpj", "programme_identifier", "enrolment_status", "region_code", "enrolment_date",
             "status_change_date")  # fmt: skip

MAX_IN = 1000  # values of one ``in``
MAX_PREDICATES = 20


@dataclass(frozen=True)
class Cond:
    """``attribute operator value`` (``value`` a tuple for ``in``)."""

    attribute: str
    operator: str
    value: Any


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Cond | All | Any_ | Not


class QueryError(ValueError):
    """A query SIGAP cannot answer: the DCI reason code, the field and the reason."""

    def __init__(self, code: str, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.code, self.field, self.reason = code, field, reason


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise QueryError(RJCT_CRITERIA, field, "a date is needed (ISO 8601: 2026-01-31 or 2026-01-31T00:00:00Z)")


def _scalar(attribute: Attribute, value: Any, field: str) -> Any:
    if attribute.kind == DATE:
        return _date(value, field)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise QueryError(RJCT_CRITERIA, field, "a text value is needed")
    text = str(value).strip()
    if attribute.pattern and not re.match(attribute.pattern, text):
        raise QueryError(RJCT_CRITERIA, field, f"{text[:40]!r} is not a valid {attribute.name}")
    return text


def condition(name: Any, operator: Any, value: Any, field: str) -> Cond:
    """One ``attribute_name operator attribute_value``, checked against :data:`ATTRIBUTES`."""
    if not isinstance(name, str) or name not in ATTRIBUTES:
        raise QueryError(
            RJCT_CRITERIA,
            f"{field}.attribute_name",
            f"unknown attribute {str(name)[:60]!r}; SIGAP answers: {', '.join(CANONICAL)}",
        )
    attribute = ATTRIBUTES[name]
    if operator not in attribute.operators:
        raise QueryError(
            RJCT_FILTER,
            f"{field}.operator",
            f"{name} takes the operators {', '.join(attribute.operators)} (not {str(operator)[:20]!r})",
        )
    where = f"{field}.attribute_value"
    if operator == "in":
        if not isinstance(value, list) or not value:
            raise QueryError(RJCT_CRITERIA, where, "'in' needs a non-empty list of values")
        if len(value) > MAX_IN:
            raise QueryError(RJCT_CRITERIA, where, f"at most {MAX_IN} values")
        return Cond(
            attribute.name, "in", tuple(_scalar(attribute, v, f"{where}[{i}]") for i, v in enumerate(value))
        )
    return Cond(attribute.name, operator, _scalar(attribute, value, where))


def _expression(item: Any, field: str) -> Cond:
    if not isinstance(item, Mapping):
        raise QueryError(
            RJCT_CRITERIA, field, "an expression {attribute_name, operator, attribute_value} is needed"
        )
    return condition(item.get("attribute_name"), item.get("operator"), item.get("attribute_value"), field)


def _predicates(items: Sequence[Any], field: str) -> Node:
    """A predicate list: each ``expression1 [condition expression2]``; the items, in ``seq_num``
    order, must all hold (``not`` reads ``expression1 and not expression2``)."""
    if not items:
        raise QueryError(RJCT_CRITERIA, field, "at least one predicate is needed")
    if len(items) > MAX_PREDICATES:
        raise QueryError(RJCT_CRITERIA, field, f"at most {MAX_PREDICATES} predicates")
    parts: list[tuple[float, Node]] = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise QueryError(
                RJCT_CRITERIA, where, "a predicate {seq_num, expression1, condition, expression2}"
            )
        first = _expression(item.get("expression1"), f"{where}.expression1")
        node: Node = first
        if item.get("expression2") is not None or item.get("condition") is not None:
            cond = item.get("condition")
            if cond not in CONDITIONS:
                raise QueryError(RJCT_CRITERIA, f"{where}.condition", "condition must be and, or or not")
            second = _expression(item.get("expression2"), f"{where}.expression2")
            if cond == "and":
                node = All((first, second))
            elif cond == "or":
                node = Any_((first, second))
            else:
                node = All((first, Not(second)))
        seq = item.get("seq_num", i)
        order = float(seq) if isinstance(seq, (int, float)) and not isinstance(seq, bool) else float(i)
        parts.append((order, node))
    parts.sort(key=lambda p: p[0])
    return parts[0][1] if len(parts) == 1 else All(tuple(n for _, n in parts))


def parse_query(query_type: Any, query: Any, field: str = "search_criteria") -> Node:
    """The query of a search (or enrolled) request as a condition tree; :class:`QueryError` if
    SIGAP cannot answer it.

    - ``idtype-value``: ``{"type": "NIK", "value": "3275..."}`` (also NID/UIN/NationalID; KPJ);
    - ``expression``: one expression ``{"attribute_name", "operator", "attribute_value"}``, a list of
      them (all must hold), or the attribute map of the IBR EnrolledRequest example
      ``{"person_identifier": {"eq": "..."}, "programme_identifier.program.programme_identifier": {"eq": ...}}``;
    - ``predicate``: the list of ``{seq_num, expression1, condition, expression2}``.
    """
    where = f"{field}.query"
    if query_type not in QUERY_TYPES:
        raise QueryError(RJCT_CRITERIA, f"{field}.query_type", f"use one of {', '.join(QUERY_TYPES)}")
    if query_type == IDTYPE_VALUE:
        if not isinstance(query, Mapping):
            raise QueryError(RJCT_CRITERIA, where, 'an identifier {"type": "NIK", "value": "..."} is needed')
        kind = str(query.get("type", "")).upper()
        if kind not in IDENTIFIER_TYPES:
            raise QueryError(
                RJCT_CRITERIA, f"{where}.type", f"identifier types: {', '.join(IDENTIFIER_TYPES)}"
            )
        return condition(IDENTIFIER_TYPES[kind], "eq", query.get("value"), where)
    if query_type == PREDICATE:
        if not isinstance(query, list):
            raise QueryError(RJCT_CRITERIA, where, "a list of predicates is needed")
        return _predicates(query, where)
    # expression
    if isinstance(query, list):
        if not query or len(query) > MAX_PREDICATES:
            raise QueryError(RJCT_CRITERIA, where, f"1 to {MAX_PREDICATES} expressions")
        parts = tuple(_expression(q, f"{where}[{i}]") for i, q in enumerate(query))
        return parts[0] if len(parts) == 1 else All(parts)
    if isinstance(query, Mapping) and "attribute_name" in query:
        return _expression(query, where)
    if isinstance(query, Mapping) and query:
        if len(query) > MAX_PREDICATES:
            raise QueryError(RJCT_CRITERIA, where, f"at most {MAX_PREDICATES} attributes")
        found: list[Node] = []
        for name, test in query.items():
            if not isinstance(test, Mapping) or len(test) != 1:
                raise QueryError(
                    RJCT_CRITERIA, f"{where}.{name}", 'one operator and its value: {"eq": "..."}'
                )
            ((operator, value),) = test.items()
            found.append(condition(name, operator, value, f"{where}.{name}"))
        return found[0] if len(found) == 1 else All(tuple(found))
    raise QueryError(
        RJCT_CRITERIA, where, "an expression {attribute_name, operator, attribute_value} is needed"
    )


def conditions(node: Node) -> Iterator[Cond]:
    """Every condition in the tree."""
    if isinstance(node, Cond):
        yield node
    elif isinstance(node, Not):
        yield from conditions(node.part)
    else:
        for part in node.parts:
            yield from conditions(part)


# --------------------------------------------------------------------------- enrolment status

#: EnrollmentStatus (IBR code directory): Active, Deceased, Graduated, Suspended; SIGAP adds Pending
#: (on the list in force, not yet answered by BPJS TK) and Rejected (refused by BPJS TK).
ACTIVE, DECEASED, GRADUATED, SUSPENDED, PENDING_STATUS, REJECTED_STATUS = (
    "Active",
    "Deceased",
    "Graduated",
    "Suspended",
    "Pending",
    "Rejected",
)
ENROLMENT_STATUSES = (ACTIVE, DECEASED, GRADUATED, SUSPENDED, PENDING_STATUS, REJECTED_STATUS)


def enrolment_status(state: str, exit_reason: str = "") -> str:
    """The DCI enrolment status of a SIGAP member state (and its exit reason)."""
    if state == "active":
        return ACTIVE
    if state in ("approved", "sent"):
        return PENDING_STATUS
    if state == "rejected":
        return REJECTED_STATUS
    if exit_reason == "died":
        return DECEASED
    if exit_reason == "lapsed":
        return SUSPENDED
    return GRADUATED


def member_states(status: str) -> tuple[tuple[str, str | None], ...]:
    """The (member state, exit reason or None for any) pairs published as ``status``."""
    return {
        ACTIVE.lower(): (("active", None),),
        PENDING_STATUS.lower(): (("approved", None), ("sent", None)),
        REJECTED_STATUS.lower(): (("rejected", None),),
        DECEASED.lower(): (("exited", "died"),),
        SUSPENDED.lower(): (("exited", "lapsed"),),
        GRADUATED.lower(): (("exited", ""),),  # "" : any other reason
    }.get(status.lower(), ())


# --------------------------------------------------------------------------- social registry records

NIK_TYPES = frozenset({"NIK", "NID", "NATIONALID", "NATIONAL_ID", "UIN"})
KK_TYPES = frozenset({"KK", "NOMOR_KK", "FAMILYCARD", "FAMILY_CARD", "NO_KK"})
IDDTKS_TYPES = frozenset({"IDDTKS", "DTSEN", "DTKS", "IDDTSEN"})
DESIL_TYPES = frozenset({"DESIL", "DTSEN_DESIL", "DTSEN-DESIL", "DECILE"})
_SEX = {
    "female": "P",
    "f": "P",
    "p": "P",
    "perempuan": "P",
    "male": "L",
    "m": "L",
    "l": "L",
    "laki-laki": "L",
}
_HEAD = {"head", "self", "head_of_household", "kepala keluarga", "kepala_keluarga", "1"}


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _identifiers(found: Any) -> list[tuple[str, str]]:
    if isinstance(found, Mapping):
        found = [found]
    if not isinstance(found, list):
        return []
    pairs = []
    for item in found:
        if isinstance(item, Mapping):
            kind = _text(item.get("identifier_type")).upper().replace(" ", "_").replace("-", "_")
            pairs.append((kind, _text(item.get("identifier_value"))))
    return pairs


def _identifier(found: Any, kinds: frozenset[str]) -> str:
    norm = {k.replace("-", "_") for k in kinds}
    return next((v for k, v in _identifiers(found) if k in norm), "")


def _field(record: Mapping[str, Any], name: str) -> Any:
    """``name`` or its JSON-LD prefixed spelling (``spdci:name``)."""
    if name in record:
        return record[name]
    return next((v for k, v in record.items() if isinstance(k, str) and k.endswith(":" + name)), None)


def _name(found: Any) -> str:
    if isinstance(found, Mapping):
        parts = [
            _field(found, key)
            for key in ("given_name", "first_name", "second_name", "middle_name", "surname", "last_name")
        ]
        return " ".join(_text(p) for p in parts if _text(p))
    return _text(found)


def _day(value: Any) -> str:
    """An ISO date or date-time as ``YYYY-MM-DD``; anything else as it came (the importer judges it)."""
    text = _text(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}([T ].*)?$", text):
        return text[:10]
    return text


def _address(*candidates: Any) -> Mapping[str, Any]:
    for found in candidates:
        if isinstance(found, list):
            found = next((a for a in found if isinstance(a, Mapping)), None)
        if isinstance(found, Mapping):
            return found
    return {}


def _street(address: Mapping[str, Any], fallback: Any) -> str:
    parts = [_text(address.get(k)) for k in ("street_address", "address_line1", "address_line2")]
    text = ", ".join(p for p in parts if p)
    return text or _text(fallback)


def _region(address: Mapping[str, Any]) -> str:
    for key in ("kode_kelurahan", "region_code", "sub_region_code", "locality_code"):
        code = re.sub(r"\D", "", _text(address.get(key)))
        if len(code) == 10:
            return code
    return _text(address.get("region_code"))


def _members(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    listed = _field(record, "member_list")
    if isinstance(listed, list) and listed:
        # members as they are, or wrapped as {"household_member": {...}} (the SR sample responses)
        found = [m.get("household_member", m) if isinstance(m, Mapping) else m for m in listed]
        return [m for m in found if isinstance(m, Mapping)]
    head = _field(record, "group_head_info")
    if isinstance(head, Mapping):
        return [head]
    if _field(record, "demographic_info") is not None or _field(record, "identifier") is not None:
        return [record]  # a Member (or Person) record on its own
    return []


def _desil(record: Mapping[str, Any]) -> str:
    kind = _text(_field(record, "poverty_score_type")).upper().replace(" ", "_")
    if kind in DESIL_TYPES:
        score = _field(record, "poverty_score")
        if isinstance(score, float) and score.is_integer():
            return str(int(score))
        return _text(score)
    for item in _field(record, "additional_attributes") or []:
        if isinstance(item, Mapping) and _text(item.get("name")).lower() == "desil":
            return _text(item.get("value"))
    return ""


def _extra(member: Mapping[str, Any], person: Mapping[str, Any], name: str) -> str:
    for source in (member, person):
        value = _field(source, name)
        if value not in (None, ""):
            return _text(value)
        for item in _field(source, "additional_attributes") or []:
            if isinstance(item, Mapping) and _text(item.get("name")).lower() == name:
                return _text(item.get("value"))
    return ""


def source_rows(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """The DTSEN extract rows (``SOURCE_COLUMNS`` + ``status_hidup``) of one SR search record.

    A Group (family: ``group_identifier`` KK number, ``poverty_score`` with ``poverty_score_type``
    "desil", ``place``) gives one row per member of ``member_list``; a Member or Person record gives
    one row.  Values are carried as they came (trimmed): the file importer checks them and gives each
    rejected row its reason, exactly as for a file.
    """
    if not isinstance(record, Mapping):
        return []
    group_ids = _field(record, "group_identifier")
    no_kk = _identifier(group_ids, KK_TYPES)
    iddtks = _identifier(group_ids, IDDTKS_TYPES)
    desil = _desil(record)
    place = _field(record, "place")
    group_address = _address(place.get("address") if isinstance(place, Mapping) else None, place)
    rows = []
    for member in _members(record):
        person = _field(member, "demographic_info") or _field(member, "person")
        person = person.get("person", person) if isinstance(person, Mapping) else member
        if not isinstance(person, Mapping):
            person = {}
        ids = _field(person, "identifier") or _field(member, "member_identifier")
        address = _address(_field(person, "address"), group_address)
        kelurahan = _region(address)
        digits = kelurahan if re.match(r"^\d{10}$", kelurahan) else ""
        relationship = _extra(member, person, "relationship_head") or _extra(member, person, "relationship")
        died = _text(_field(person, "death_date"))
        rows.append(
            {
                "iddtks": iddtks,
                "provinsi": digits[:2],
                "kabupaten_kota": digits[:4],
                "kecamatan": digits[:6],
                "desa_kelurahan": kelurahan,
                "alamat": _street(address, place.get("address") if isinstance(place, Mapping) else ""),
                "dusun": _text(address.get("dusun")),
                "rt": _text(address.get("rt")),
                "rw": _text(address.get("rw")),
                "nomor_kk": no_kk or _identifier(ids, KK_TYPES),
                "nomor_nik": _identifier(ids, NIK_TYPES),
                "nama": _name(_field(person, "name")),
                "tanggal_lahir": _day(_field(person, "birth_date")),
                "tempat_lahir": _text(_field(person, "birth_place") or _field(person, "place_of_birth")),
                "jenis_kelamin": _SEX.get(_text(_field(person, "sex")).lower(), _text(_field(person, "sex"))),
                "nama_ibu_kandung": _extra(member, person, "mother_name"),
                "hubungan_keluarga": "KEPALA KELUARGA"
                if relationship.lower() in _HEAD
                else relationship.upper(),
                "desil": _extra(member, person, "desil") or desil,
                "pekerjaan": _extra(member, person, "occupation").upper(),
                "status_hidup": "MENINGGAL" if died else "HIDUP",
            }
        )
    return rows
