"""``/api/v1/dci/registry/...``: SIGAP as a DCI Integrated Beneficiary Registry (IBR) server (ADR 0021).

Who is enrolled in which programme, in the message envelope of the DCI specification (spdci/standards
release 1.0.0: ``signature``, ``header``, ``message``).  The sync endpoints answer at once; the async
``/registry/search`` answers with an ACK and its ``correlation_id``, and the search response is then
pulled with ``/registry/sync/txn/status`` (SIGAP does not call back: see ADR 0021).

The same rules as ``GET /api/v1/members/{nik}``: the ``status:read`` scope, members whose kelurahan is in
the client's area, members of a programme's list in force only (a member exists only on an approved
list; runs in draft, submitted or returned never answer), every call audited (``api.call``) and every
answer that discloses people written as ``dci.search`` with the count and the NIKs asked for.

Errors: a request outside the schema is a problem document (422, with the DCI ``code``
``err.request.bad`` and ``errors: [{field, reason}]``); a readable request SIGAP refuses is answered in
the envelope with ``status: rjct`` and the DCI reason code (header: ``rjct.action.invalid``, ...; each
search item: ``rjct.search_criteria.invalid``, ``rjct.pagination.invalid``, ...), the message naming the
field and the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from django.db.models import DateField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sigap.api.auth import Principal, principal
from sigap.api.models import STATUS_READ
from sigap.api.schemas import Problem
from sigap.audit.actions import audit_record
from sigap.core import dci

router = Router(tags=["dci"])

SENDER_ID = "sigap"
MAX_ITEMS = 20  # search requests in one message
DEFAULT_PAGE, MAX_PAGE = 100, 1000
ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 422: Problem, 429: Problem}

Text99 = Annotated[str, Field(max_length=99, pattern=r"^[^\x00]*$")]
Free = Annotated[str, Field(max_length=999, pattern=r"^[^\x00]*$")]

# --------------------------------------------------------------------------- request envelope


class MsgHeader(Schema):
    """``MsgHeader_V1.0.0``."""

    version: Text99 = dci.VERSION
    message_id: Text99
    message_ts: Text99 = Field(description="ISO 8601 with a time zone, e.g. 2026-01-31T10:00:00+07:00")
    action: Text99
    sender_id: Text99
    sender_uri: Free | None = None
    receiver_id: Text99 | None = None
    total_count: int = Field(ge=0, le=10**9)
    is_msg_encrypted: bool = False
    meta: Any = None


class PaginationIn(Schema):
    page_size: int = Field(ge=-(10**9), le=10**9)
    page_number: int = Field(1, ge=-(10**9), le=10**9)


class SortIn(Schema):
    attribute_name: Text99
    sort_order: Text99 = "asc"


class SearchCriteria(Schema):
    version: Text99 = dci.VERSION
    reg_event_type: Text99 | None = None
    query_type: Text99
    response_entity: Text99 | None = None
    query: Any = Field(description="idtype-value {type, value}; expression; predicate (see docs/api.md)")
    sort: list[SortIn] | None = Field(None, max_length=5)
    pagination: PaginationIn | None = None
    consent: Any = None
    authorize: Any = None


class SearchItem(Schema):
    reference_id: Text99
    timestamp: Text99
    search_criteria: SearchCriteria
    locale: Text99 | None = None


class SearchMessage(Schema):
    transaction_id: Text99
    search_request: list[SearchItem] = Field(min_length=1, max_length=MAX_ITEMS)


class SearchEnvelope(Schema):
    signature: Free | None = None
    header: MsgHeader
    message: SearchMessage


class EnrolledCriteria(Schema):
    query_type: Text99
    response_entity: Text99 | None = None
    query: Any


class EnrolledMessage(Schema):
    transaction_id: Text99
    reference_id: Text99 | None = Field(None, description="SIGAP: echoed (default: the transaction_id)")
    enrolled_criteria: EnrolledCriteria


class EnrolledEnvelope(Schema):
    signature: Free | None = None
    header: MsgHeader
    message: EnrolledMessage


class TxnStatusQuery(Schema):
    reference_id: Text99
    txn_type: Text99
    attribute_type: Text99
    attribute_value: Any
    locale: Text99 | None = None


class TxnStatusMessage(Schema):
    transaction_id: Text99
    txnstatus_request: TxnStatusQuery


class TxnStatusEnvelope(Schema):
    signature: Free | None = None
    header: MsgHeader
    message: TxnStatusMessage


# --------------------------------------------------------------------------- response envelope


class CallbackHeader(Schema):
    """``MsgCallbackHeader_V1.0.0``."""

    version: str
    message_id: str
    message_ts: str
    action: str
    status: Literal["rcvd", "pdng", "succ", "rjct"]
    status_reason_code: str | None = None
    status_reason_message: str | None = None
    total_count: int
    completed_count: int
    sender_id: str
    receiver_id: str
    is_msg_encrypted: bool = False


class PaginationOut(Schema):
    page_size: int
    page_number: int
    total_count: int


class SearchData(Schema):
    version: str
    reg_records: list[dict[str, Any]] = Field(description="IBR Beneficiary records (docs/api.md)")


class SearchAnswer(Schema):
    reference_id: str
    timestamp: str
    status: Literal["succ", "rjct"]
    status_reason_code: str | None = None
    status_reason_message: str | None = None
    data: SearchData | None = None
    pagination: PaginationOut | None = None
    locale: str | None = None


class SearchResponse(Schema):
    transaction_id: str
    correlation_id: str
    search_response: list[SearchAnswer]


class SearchReply(Schema):
    header: CallbackHeader
    message: SearchResponse


class EnrolledAnswer(Schema):
    reference_id: str
    timestamp: str
    status: Literal["succ", "rjct"]
    status_reason_code: str | None = None
    status_reason_message: str | None = None
    enrolled_status: Literal["yes", "no"]


class EnrolledResponse(Schema):
    transaction_id: str
    correlation_id: str
    enrolled_response: list[EnrolledAnswer]


class EnrolledReply(Schema):
    header: CallbackHeader
    message: EnrolledResponse


class Ack(Schema):
    ack_status: Literal["ACK", "NACK", "ERR"]
    timestamp: str
    correlation_id: str
    error: dict[str, str] | None = None


class AckReply(Schema):
    message: Ack


class TxnStatusBody(Schema):
    txn_type: str
    txn_status: SearchResponse | None = None


class TxnStatusResponse(Schema):
    transaction_id: str
    correlation_id: str
    txnstatus_response: TxnStatusBody


class TxnStatusReply(Schema):
    header: CallbackHeader
    message: TxnStatusResponse


# --------------------------------------------------------------------------- searching members


def _now() -> str:
    return timezone.now().isoformat(timespec="milliseconds")


def _in_force() -> QuerySet[Any]:
    """Members of the lists in force: their run approved or enrolled (never a draft, submitted or
    returned run), with the dates the DCI record and its queries use."""
    from sigap.enrolment.models import CoveragePeriod, Member
    from sigap.programmes.models import TargetingRun

    periods = CoveragePeriod.objects.filter(member=OuterRef("pk"))
    first = Subquery(periods.order_by("start_month").values("start_month")[:1], output_field=DateField())
    latest = Subquery(periods.order_by("-start_month").values("start_month")[:1], output_field=DateField())
    return Member.objects.filter(run__state__in=TargetingRun.IN_FORCE).annotate(
        enrolment_date=first,
        status_change_date=Coalesce(
            F("exit__date"), latest, TruncDate("run__decided_at"), output_field=DateField()
        ),
        exit_reason=F("exit__reason"),
    )


_LOOKUP = {"eq": "exact", "gt": "gt", "lt": "lt", "ge": "gte", "le": "lte", "in": "in"}
_COLUMN = {"nik": "nik", "kpj": "kpj", "programme": "programme__code"}


def _status_q(status: str) -> Q:
    pairs = dci.member_states(status)
    if not pairs:
        raise dci.QueryError(
            dci.RJCT_CRITERIA,
            "enrolment_status",
            f"{status[:20]!r} is not an enrolment status; use one of {', '.join(dci.ENROLMENT_STATUSES)}",
        )
    found = Q(pk__in=[])
    for state, reason in pairs:
        if reason is None:
            found |= Q(state=state)
        elif reason:
            found |= Q(state=state, exit_reason=reason)
        else:
            found |= Q(state=state) & ~Q(exit_reason__in=("died", "lapsed"))
    return found


def _q(node: dci.Node) -> Q:
    if isinstance(node, dci.Not):
        return ~_q(node.part)
    if isinstance(node, dci.All):
        found = Q()
        for part in node.parts:
            found &= _q(part)
        return found
    if isinstance(node, dci.Any_):
        found = Q(pk__in=[])
        for part in node.parts:
            found |= _q(part)
        return found
    name, operator, value = node.attribute, node.operator, node.value
    if name == "enrolment_status":
        values = value if operator == "in" else (value,)
        found = Q(pk__in=[])
        for v in values:
            found |= _status_q(v)
        return found
    if name == "region":
        return Q(kode_kelurahan__startswith=value)
    column = _COLUMN.get(name, name)  # the dates are annotations of _in_force()
    return Q(**{f"{column}__{_LOOKUP[operator]}": list(value) if operator == "in" else value})


_SORTS = {
    "nik": "nik",
    "NIK": "nik",
    "person_identifier": "nik",
    "UIN": "nik",
    "programme_identifier": "programme__code",
    "enrolment_date": "enrolment_date",
    "status_change_date": "status_change_date",
}


def _order(sort: Sequence[SortIn] | None) -> list[str]:
    keys: list[str] = []
    for i, s in enumerate(sort or ()):
        if s.attribute_name not in _SORTS or s.sort_order not in ("asc", "desc"):
            raise dci.QueryError(
                dci.RJCT_SORT,
                f"search_criteria.sort[{i}]",
                f"sort by {', '.join(_SORTS)} with sort_order asc or desc",
            )
        column = _SORTS[s.attribute_name]
        keys.append(column if s.sort_order == "asc" else f"-{column}")
    return [*keys, "programme__code", "nik", "pk"]


def _benefit(programme: Any, cache: dict[int, dict[str, str]]) -> dict[str, str]:
    if programme.pk not in cache:
        spec = programme.to_spec()
        monthly = sum(spec.monthly_components(spec.coverage_start).values())
        cache[programme.pk] = {
            "benefit_type": "Insurance",  # BenefitType 6
            "benefit_value": f"IDR {monthly}",
            "benefit_frequency": "Monthly",
            "benefit_description": f"BPJS Ketenagakerjaan {spec.programmes_label}",
        }
    return cache[programme.pk]


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def record(member: Any, benefits: dict[int, dict[str, str]]) -> dict[str, Any]:
    """One membership as an IBR Beneficiary record: identifiers, kelurahan and the enrolment -- no
    name, birth date or address (the asking system already knows the person; ADR 0021)."""
    ids = [{"identifier_type": "NIK", "identifier_value": member.nik}]
    if member.kpj:
        ids.append({"identifier_type": "KPJ", "identifier_value": member.kpj})
    return {
        "@context": {"@vocab": "https://schema.spdci.org/extensions/ibr/v1"},
        "@type": "Beneficiary",
        "assistance_unit": "Individual",
        "member": {
            "member_identifier": ids,
            "demographic_info": {
                "person": {"identifier": ids, "address": {"region_code": member.kode_kelurahan}}
            },
            "occupation": member.pekerjaan,
            "registration_date": _day(timezone.localdate(member.created_at)),
            "programme_identifier": {
                "programme": {
                    "programme_identifier": member.programme.code,
                    "programme_name": member.programme.name,
                },
                "enrolment_date": _day(member.enrolment_date),
                "enrolment_status": dci.enrolment_status(member.state, member.exit_reason or ""),
                "status_change_date": _day(member.status_change_date),
                "benefits": _benefit(member.programme, benefits),
            },
        },
        "additional_attributes": [
            {"name": "sigap_state", "value": member.state},
            {"name": "sigap_run", "value": str(member.run_id)},
            {"name": "exit_reason", "value": member.exit_reason or ""},
        ],
    }


@dataclass
class Outcome:
    """What one search request found (for the answer and the audit row)."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    found: int = 0
    returned: int = 0
    niks: list[str] = field(default_factory=list)


def _asked_niks(node: dci.Node) -> list[str]:
    found: list[str] = []
    for c in dci.conditions(node):
        if c.attribute == "nik":
            found.extend(c.value if c.operator == "in" else [c.value])
    return found


def _reject(item_ref: str, stamp: str, code: str, message: str, locale: str | None) -> dict[str, Any]:
    return {
        "reference_id": item_ref,
        "timestamp": stamp,
        "status": dci.REJECTED,
        "status_reason_code": code,
        "status_reason_message": message[:999],
        "data": None,
        "pagination": None,
        "locale": locale,
    }


def search(items: Sequence[SearchItem], who: Principal) -> Outcome:
    """Answer each search request of a message (members of the lists in force in the client's area)."""
    outcome = Outcome()
    benefits: dict[int, dict[str, str]] = {}
    seen: set[str] = set()
    for i, item in enumerate(items):
        stamp = _now()
        criteria = item.search_criteria
        if item.reference_id in seen:
            outcome.answers.append(
                _reject(item.reference_id, stamp, dci.RJCT_REFERENCE_DUPLICATE,
                        f"search_request[{i}].reference_id: used twice in this message", item.locale)
            )  # fmt: skip
            continue
        seen.add(item.reference_id)
        try:
            node = dci.parse_query(
                criteria.query_type, criteria.query, f"search_request[{i}].search_criteria"
            )
            order = _order(criteria.sort)
            size = criteria.pagination.page_size if criteria.pagination else DEFAULT_PAGE
            number = criteria.pagination.page_number if criteria.pagination else 1
            if not 1 <= size <= MAX_PAGE or number < 1:
                raise dci.QueryError(
                    dci.RJCT_PAGINATION,
                    f"search_request[{i}].search_criteria.pagination",
                    f"page_size 1 to {MAX_PAGE}, page_number from 1",
                )
            members = _in_force().filter(kode_kelurahan__startswith=who.area).filter(_q(node))
            total = members.count()
            start = (number - 1) * size
            page = list(members.select_related("programme").order_by(*order)[start : start + size])
        except dci.QueryError as e:
            outcome.answers.append(_reject(item.reference_id, stamp, e.code, str(e), item.locale))
            continue
        outcome.found += total
        outcome.returned += len(page)
        outcome.niks.extend(_asked_niks(node))
        outcome.answers.append(
            {
                "reference_id": item.reference_id,
                "timestamp": stamp,
                "status": dci.SUCCEEDED,
                "status_reason_code": None,
                "status_reason_message": None,
                "data": {"version": dci.VERSION, "reg_records": [record(m, benefits) for m in page]},
                "pagination": {"page_size": size, "page_number": number, "total_count": total},
                "locale": item.locale,
            }
        )
    return outcome


# --------------------------------------------------------------------------- envelope


def _header_problem(header: MsgHeader, actions: Sequence[str], count: int) -> tuple[str, str] | None:
    """The header's refusal (reason code, message) or None."""
    if header.version != dci.VERSION:
        return dci.RJCT_VERSION, f"header.version: SIGAP speaks DCI {dci.VERSION}"
    if header.action not in actions:
        return dci.RJCT_ACTION, f"header.action: must be {' or '.join(actions)} here"
    try:
        stamp = dt.datetime.fromisoformat(header.message_ts.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        return dci.RJCT_MESSAGE_TS, "header.message_ts: ISO 8601 with a time zone (2026-01-31T10:00:00+07:00)"
    if header.total_count != count:
        return dci.RJCT_TOTAL_COUNT, f"header.total_count: the message holds {count} request(s)"
    if header.is_msg_encrypted:
        return dci.RJCT_ACTION, "header.is_msg_encrypted: SIGAP takes plain messages over TLS only"
    return None


def _reply_header(
    header: MsgHeader,
    action: str,
    status: str,
    total: int,
    completed: int,
    reason: tuple[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "version": dci.VERSION,
        "message_id": str(uuid.uuid4()),
        "message_ts": _now(),
        "action": action,
        "status": status,
        "status_reason_code": reason[0] if reason else None,
        "status_reason_message": reason[1] if reason else None,
        "total_count": total,
        "completed_count": completed,
        "sender_id": SENDER_ID,
        "receiver_id": header.sender_id,
        "is_msg_encrypted": False,
    }


def _audit(who: Principal, request: HttpRequest, transaction_id: str, kind: str, outcome: Outcome) -> None:
    request.api_note = f"dci {kind} {transaction_id}"[:200]  # type: ignore[attr-defined]
    audit_record(
        acting_user=who.actor,
        action="dci.search",
        object_type="enrolment.member",
        after={
            "area": who.area,
            "kind": kind,
            "transaction_id": transaction_id,
            "found": outcome.found,
            "returned": outcome.returned,
        },
        note=" ".join(dict.fromkeys(outcome.niks))[:2000],
        area_code=who.area,
    )


def _search_reply(
    request: HttpRequest, payload: SearchEnvelope, action: str
) -> tuple[dict[str, Any], Outcome]:
    who = principal(request, STATUS_READ)
    message = payload.message
    correlation = str(uuid.uuid4())
    problem = _header_problem(payload.header, ("search",), len(message.search_request))
    outcome = Outcome()
    if problem is None:
        outcome = search(message.search_request, who)
        _audit(who, request, message.transaction_id, action, outcome)
    succeeded = sum(1 for a in outcome.answers if a["status"] == dci.SUCCEEDED)
    total = len(message.search_request)
    status = dci.REJECTED if problem or succeeded == 0 else dci.SUCCEEDED
    return {
        "header": _reply_header(payload.header, "on-search", status, total, len(outcome.answers), problem),
        "message": {
            "transaction_id": message.transaction_id,
            "correlation_id": correlation,
            "search_response": outcome.answers,
        },
    }, outcome


@router.post(
    "/registry/sync/search",
    response={200: SearchReply, **ERRORS},
    operation_id="dciSyncSearch",
    summary="DCI IBR: cari penerima manfaat / search beneficiaries (sync)",
    openapi_extra={"security": [{"OAuth2ClientCredentials": [STATUS_READ]}], "x-scope": STATUS_READ},
)
def sync_search(request: HttpRequest, payload: SearchEnvelope) -> Any:
    """Siapa terdaftar di program mana (daftar yang berlaku, wilayah klien): per NIK/KPJ
    (``idtype-value``), ekspresi atau predikat; per halaman.

    Who is enrolled in which programme (lists in force, the client's area): by NIK/KPJ
    (``idtype-value``), expression or predicate; a page at a time.  Scope ``status:read``."""
    reply, _ = _search_reply(request, payload, "sync-search")
    return reply


@router.post(
    "/registry/sync/enrolled",
    response={200: EnrolledReply, **ERRORS},
    operation_id="dciSyncEnrolled",
    summary="DCI IBR: apakah terdaftar / is this person enrolled (sync)",
    openapi_extra={"security": [{"OAuth2ClientCredentials": [STATUS_READ]}], "x-scope": STATUS_READ},
)
def sync_enrolled(request: HttpRequest, payload: EnrolledEnvelope) -> Any:
    """Ya/tidak: ada peserta daftar yang berlaku yang memenuhi kueri (mis. NIK dan program).

    Yes/no: does a member of a list in force match the query (e.g. NIK and programme)."""
    who = principal(request, STATUS_READ)
    message = payload.message
    reference = message.reference_id or message.transaction_id
    problem = _header_problem(payload.header, ("search", "enrolled"), 1)
    answer: dict[str, Any] = {
        "reference_id": reference,
        "timestamp": _now(),
        "status": dci.REJECTED,
        "status_reason_code": None,
        "status_reason_message": None,
        "enrolled_status": "no",
    }
    outcome = Outcome()
    if problem is None:
        criteria = message.enrolled_criteria
        try:
            node = dci.parse_query(criteria.query_type, criteria.query, "enrolled_criteria")
            found = _in_force().filter(kode_kelurahan__startswith=who.area).filter(_q(node)).exists()
        except dci.QueryError as e:
            answer["status_reason_code"], answer["status_reason_message"] = e.code, str(e)
        else:
            answer.update(status=dci.SUCCEEDED, enrolled_status="yes" if found else "no")
            outcome = Outcome(found=int(found), niks=_asked_niks(node))
        _audit(who, request, message.transaction_id, "sync-enrolled", outcome)
    status = dci.SUCCEEDED if answer["status"] == dci.SUCCEEDED and problem is None else dci.REJECTED
    return {
        "header": _reply_header(payload.header, "on-enrolled", status, 1, 0 if problem else 1, problem),
        "message": {
            "transaction_id": message.transaction_id,
            "correlation_id": str(uuid.uuid4()),
            "enrolled_response": [] if problem else [answer],
        },
    }


# --------------------------------------------------------------------------- async search, pulled back


def _kept(who: Principal) -> QuerySet[Any]:
    """The client's own async searches still kept (older ones are deleted on the way)."""
    from sigap.api.models import DciTransaction

    cutoff = timezone.now() - dt.timedelta(hours=DciTransaction.KEEP_HOURS)
    DciTransaction.objects.filter(created_at__lt=cutoff).delete()
    return DciTransaction.objects.filter(client=who.client)


@router.post(
    "/registry/search",
    response={200: AckReply, **ERRORS},
    operation_id="dciSearch",
    summary="DCI IBR: cari (async; hasil diambil lewat txn/status) / search (async; pull the result)",
    openapi_extra={"security": [{"OAuth2ClientCredentials": [STATUS_READ]}], "x-scope": STATUS_READ},
)
def async_search(request: HttpRequest, payload: SearchEnvelope) -> Any:
    """Diterima dan dijawab saat itu juga; hasilnya disimpan 24 jam dan diambil dengan
    ``/registry/sync/txn/status`` (SIGAP tidak memanggil balik ``sender_uri``: ``NACK``).

    Received and answered at once; the search response is kept for 24 hours and pulled with
    ``/registry/sync/txn/status`` (SIGAP makes no callback to ``sender_uri``, hence ``NACK``: no further
    message from SIGAP).  A header SIGAP refuses is an ``ERR`` with the DCI code and the reason."""

    who = principal(request, STATUS_READ)
    problem = _header_problem(payload.header, ("search",), len(payload.message.search_request))
    if problem is not None:
        return {
            "message": {
                "ack_status": "ERR",
                "timestamp": _now(),
                "correlation_id": "",
                "error": {"code": "err.request.bad", "message": f"{problem[0]}: {problem[1]}"},
            }
        }
    reply, _ = _search_reply(request, payload, "search")
    message = reply["message"]
    kept = _kept(who)
    kept.create(
        client=who.client,
        transaction_id=payload.message.transaction_id,
        correlation_id=message["correlation_id"],
        reference_ids=[i.reference_id for i in payload.message.search_request],
        response=message,
    )
    return {
        "message": {"ack_status": "NACK", "timestamp": _now(), "correlation_id": message["correlation_id"]}
    }


@router.post(
    "/registry/sync/txn/status",
    response={200: TxnStatusReply, **ERRORS},
    operation_id="dciSyncTxnStatus",
    summary="DCI IBR: hasil pencarian async / the result of an async search",
    openapi_extra={"security": [{"OAuth2ClientCredentials": [STATUS_READ]}], "x-scope": STATUS_READ},
)
def sync_txn_status(request: HttpRequest, payload: TxnStatusEnvelope) -> Any:
    """Hasil ``/registry/search`` klien ini menurut transaction_id, correlation_id atau daftar reference_id.

    The result of this client's ``/registry/search`` by transaction_id, correlation_id or a list of
    reference_ids (``rjct.reference_id.invalid`` when none is kept)."""
    who = principal(request, STATUS_READ)
    query = payload.message.txnstatus_request
    problem = _header_problem(payload.header, ("txn-status",), 1)
    found = None
    if problem is None and query.txn_type != "search":
        problem = (dci.RJCT_CRITERIA, "txnstatus_request.txn_type: SIGAP keeps search transactions only")
    if problem is None:
        kept = _kept(who).order_by("-id")
        value = query.attribute_value
        if query.attribute_type == "transaction_id" and isinstance(value, str):
            found = kept.filter(transaction_id=value).first()
        elif query.attribute_type == "correlation_id" and isinstance(value, str):
            found = kept.filter(correlation_id=value).first()
        elif query.attribute_type == "reference_id_list" and isinstance(value, list) and value:
            wanted = {str(v) for v in value[:MAX_ITEMS]}
            found = next((t for t in kept[:200] if wanted <= set(t.reference_ids)), None)
        else:
            problem = (
                dci.RJCT_CRITERIA,
                "txnstatus_request.attribute_type: transaction_id or correlation_id (text) or "
                "reference_id_list (a list)",
            )
        if problem is None and found is None:
            problem = (
                dci.RJCT_REFERENCE_ID,
                "txnstatus_request.attribute_value: no search of this client kept",
            )
    if found is not None:
        request.api_note = f"dci txn-status {found.correlation_id}"  # type: ignore[attr-defined]
    return {
        "header": _reply_header(
            payload.header, "txn-on-status", dci.REJECTED if problem else dci.SUCCEEDED, 1, 1, problem
        ),
        "message": {
            "transaction_id": payload.message.transaction_id,
            "correlation_id": found.correlation_id if found else "",
            "txnstatus_response": {
                "txn_type": query.txn_type,
                "txn_status": found.response if found else None,
            },
        },
    }
