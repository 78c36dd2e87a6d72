"""``/api/v1/``: thin endpoints over the existing actions and selectors (docs/api.md, ADR 0016).

Each endpoint checks the scope of the caller's token and its area, then calls the same action the
web pages and the command line call, so a rule lives once.  Errors are problem details
(:mod:`sigap.api.problems`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import urllib.parse
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Form, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params import Path as PathParam

from sigap.api import actions, problems
from sigap.api import selectors as sel
from sigap.api.auth import SCHEME, ClientToken, Principal, limit_address, principal
from sigap.api.models import (
    AGGREGATES_READ,
    BPJS_WRITE,
    GRIEVANCES_WRITE,
    PAYMENTS_WRITE,
    STATUS_READ,
)
from sigap.api.problems import ApiProblem
from sigap.api.schemas import (
    AggregatesOut,
    AnswersIn,
    AnswersOut,
    BatchLines,
    BatchOut,
    GrievanceIn,
    GrievanceOut,
    Jwks,
    MemberOut,
    PaymentIn,
    PaymentOut,
    Problem,
    ProgrammeOut,
    ReversalIn,
    TokenOut,
)
from sigap.audit.actions import audit_record
from sigap.errors import UserError
from sigap.programmes.models import Programme
from sigap.web.access import overlaps


class SigapApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """django-ninja's schema, with error responses as ``application/problem+json``."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.MEDIA_TYPE: content["application/json"]}
        return schema


api = SigapApi(
    title="SIGAP API",
    version="1",
    description=(
        "API SIGAP untuk sistem di sekitarnya: BPJS Ketenagakerjaan, sistem keuangan daerah, kanal "
        "pengaduan, dasbor.  Token: OAuth 2.0 client credentials.\n\n"
        "SIGAP's API for the systems around it: BPJS Ketenagakerjaan, the regional finance system, "
        "complaint channels, dashboards.  Tokens: OAuth 2.0 client credentials."
    ),
    urls_namespace="api-v1",
    docs_url=None,  # our own page (sigap.api.views.docs): no CDN, nothing fetched at run time
    auth=ClientToken(),
)

# --------------------------------------------------------------------------- errors as problem details


#: DCI error codes (``Error.code`` of the specification) of the problems answered under /api/v1/dci/
DCI_CODES = {400: "err.request.bad", 401: "err.request.unauthorized", 403: "err.request.forbidden",
             404: "err.request.not_found", 413: "err.request.bad", 422: "err.request.bad",
             429: "err.request.too_many_requests", 500: "err.service.unavailable",
             503: "err.service.unavailable"}  # fmt: skip


def _answer(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    """The problem document; under ``/api/v1/dci/`` it also carries the DCI error ``code``."""
    if "/dci/" in request.path and "code" not in problem.extra:
        problem.extra["code"] = DCI_CODES.get(problem.status, "err.request.bad")
    return problems.response(problem)


def _problem(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, exc)


def _validation(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, problems.from_validation(exc.errors))


def _unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(
        request,
        ApiProblem(
            "unauthorized",
            "send Authorization: Bearer <access token> (POST /api/v1/oauth/token)",
            headers={"WWW-Authenticate": 'Bearer realm="sigap"'},
        ),
    )


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    kind = next((k for k, (status, _) in problems.KINDS.items() if status == exc.status_code), "bad-request")
    return _answer(request, ApiProblem(kind, str(exc)))


def _user_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, problems.from_user_error(exc))


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, ApiProblem("not-found", str(exc) or "not found"))


def _too_big(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, ApiProblem("too-large", "the request body is too large; send it in parts"))


api.add_exception_handler(ApiProblem, _problem)
api.add_exception_handler(ValidationError, _validation)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(UserError, _user_error)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(RequestDataTooBig, _too_big)
api.add_exception_handler(Exception, problems.unexpected)

ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 422: Problem, 429: Problem}
NOT_FOUND: dict[int, Any] = {**ERRORS, 404: Problem}


def _security(scope: str | None) -> dict[str, Any]:
    """The operation's security requirement in the schema: the OAuth 2.0 scope it needs."""
    return {"security": [{SCHEME: [scope] if scope else []}], "x-scope": scope or "any"}


# --------------------------------------------------------------------------- tokens and keys


class TokenForm(Schema):
    grant_type: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _oauth("invalid_client", "the Basic credentials cannot be read", 401) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _oauth("invalid_client", "the Basic credentials cannot be read", 401)
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


def _oauth(error: str, description: str, status: int = 400) -> ApiProblem:
    kind = {400: "bad-request", 401: "unauthorized", 503: "unavailable"}[status]
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sigap"'
    return ApiProblem(kind, description, headers=headers, extra={"error": error})


@api.post(
    "/oauth/token",
    auth=None,
    response={200: TokenOut, 400: Problem, 401: Problem, 422: Problem, 429: Problem, 503: Problem},
    operation_id="tokenIssue",
    summary="Token akses (client credentials) / Access token",
    tags=["token"],
    openapi_extra={"security": [], "x-scope": "none"},
)
def token_issue(request: HttpRequest, form: Form[TokenForm]) -> Any:
    """Tukar client_id dan rahasia dengan token akses 15 menit (HTTP Basic atau formulir).

    Exchange the client_id and secret for a 15-minute access token (HTTP Basic or form fields);
    ``scope`` (space-separated) may narrow it.  Errors carry the OAuth 2.0 ``error`` code."""
    limit_address(request, "token")
    basic = _basic(request)
    if basic is not None and (form.client_id or form.client_secret):
        raise _oauth("invalid_request", "send the client credentials once: HTTP Basic or form fields")
    client_id, secret = basic or (form.client_id or "", form.client_secret or "")
    if form.grant_type != "client_credentials":
        raise _oauth("unsupported_grant_type", "grant_type must be client_credentials")
    if not client_id or not secret:
        raise _oauth("invalid_client", "client_id and client_secret are required", 401)
    try:
        issued = actions.token_issue(client_id=client_id, secret=secret, scope=form.scope)
    except actions.TokenRefused as e:
        raise _oauth(e.error, e.description, e.status) from None
    request.api_principal = Principal(  # type: ignore[attr-defined]
        client=issued.client, scopes=frozenset(issued.token.scope.split()), area=issued.client.area_code
    )
    token = issued.token
    response = api.create_response(
        request,
        {
            "access_token": token.access_token,
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "scope": token.scope,
        },
        status=200,
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@api.get(
    "/.well-known/jwks.json",
    auth=None,
    response=Jwks,
    operation_id="jwks",
    summary="Kunci publik penanda tangan token / Token signing keys (JWKS)",
    tags=["token"],
    openapi_extra={"security": [], "x-scope": "none"},
)
def jwks(request: HttpRequest) -> Any:
    """Kunci publik yang masih memverifikasi token (RFC 7517).  The public keys still verifying tokens."""
    from sigap.api.models import SigningKey
    from sigap.api.tokens import jwk

    keys = [jwk(k) for k in SigningKey.objects.filter(retired_at__isnull=True).order_by("-id")]
    response = api.create_response(request, {"keys": keys}, status=200)
    response["Cache-Control"] = "public, max-age=300"
    return response


# --------------------------------------------------------------------------- programmes


def _programme(code: str, who: Principal, *, whole_region: bool = False) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise ApiProblem("not-found", f"programme {code} does not exist")
    if whole_region and not programme.region.startswith(who.area):
        raise ApiProblem(
            "forbidden",
            f"programme {code} covers region {programme.region}: only a client whose area holds the whole "
            f"region may do this (the client's area: {who.area})",
        )
    if not overlaps(programme.region, who.area):
        raise ApiProblem("forbidden", f"programme {code} is outside the client's area {who.area}")
    return programme


@api.get(
    "/programmes",
    response={200: list[ProgrammeOut], **ERRORS},
    operation_id="programmeList",
    summary="Program dan daftar yang berlaku / Programmes and their list in force",
    tags=["programmes"],
    openapi_extra=_security(None),
)
def programme_list(request: HttpRequest) -> Any:
    """Program di wilayah klien dengan daftar yang berlaku (penetapan terbaru yang disetujui): jumlah dan
    biaya saja, tanpa data pribadi.

    Programmes in the client's area with their list in force (newest approved run): counts and cost
    only, no personal data.  Any scope."""
    who = principal(request)
    return [sel.programme_summary(p) for p in sel.programmes_seen(who.area)]


@api.get(
    "/programmes/{path:code}/aggregates",
    response={200: AggregatesOut, **NOT_FOUND},
    operation_id="programmeAggregates",
    summary="Angka agregat dasbor / Dashboard aggregates",
    tags=["programmes"],
    openapi_extra=_security(AGGREGATES_READ),
)
def programme_aggregates(request: HttpRequest, code: str) -> Any:
    """Angka dasbor pimpinan dari daftar yang berlaku, tanpa data pribadi.

    The leaders' dashboard figures of the list in force, no personal data."""
    who = principal(request, AGGREGATES_READ)
    found = sel.aggregates(_programme(code, who))
    if found is None:
        raise ApiProblem("not-found", f"programme {code} has no aggregates yet (no list in force)")
    return found


@api.get(
    "/programmes/{path:code}",
    response={200: ProgrammeOut, **NOT_FOUND},
    operation_id="programmeGet",
    summary="Satu program / One programme",
    tags=["programmes"],
    openapi_extra=_security(None),
)
def programme_get(request: HttpRequest, code: str) -> Any:
    """Satu program dan daftar yang berlaku.  One programme and its list in force.  Any scope."""
    return sel.programme_summary(_programme(code, principal(request)))


# --------------------------------------------------------------------------- members


@api.get(
    "/members/{nik}",
    response={200: MemberOut, **NOT_FOUND},
    operation_id="memberStatus",
    summary="Status kepesertaan per NIK / Member status by NIK",
    tags=["members"],
    openapi_extra=_security(STATUS_READ),
)
def member_status(request: HttpRequest, nik: Annotated[str, PathParam(pattern=r"^[0-9]{16}$")]) -> Any:
    """Kepesertaan NIK ini yang kelurahannya di wilayah klien (404 bila tidak ada; setiap akses dicatat).

    The memberships of this NIK whose kelurahan is in the client's area (404 when none; every access
    is audited)."""
    who = principal(request, STATUS_READ)
    found = sel.memberships(nik=nik, area=who.area)
    audit_record(
        acting_user=who.actor,
        action="member.view",
        object_type="enrolment.member",
        after={"area": who.area, "found": len(found)},
        note=nik,
        area_code=who.area,
    )
    if not found:
        raise ApiProblem("not-found", "no member with this NIK in the client's area")
    return {"nik": nik, "memberships": found}


# --------------------------------------------------------------------------- enrolment batches


def _batch(number: str, who: Principal) -> Any:
    from sigap.enrolment.models import EnrolmentBatch

    batch = EnrolmentBatch.objects.select_related("programme").filter(number=number).first()
    if batch is None:
        raise ApiProblem("not-found", f"batch {number} does not exist")
    _programme(batch.programme.code, who, whole_region=True)
    return batch


@api.get(
    "/batches",
    response={200: list[BatchOut], **NOT_FOUND},
    operation_id="batchList",
    summary="Batch pendaftaran / Enrolment batches",
    tags=["bpjs"],
    openapi_extra=_security(BPJS_WRITE),
)
def batch_list(request: HttpRequest, programme: Annotated[str | None, Query(max_length=64)] = None) -> Any:
    """Batch pendaftaran kolektif program di wilayah klien (semua, atau satu program).

    Collective-registration batches of the programmes in the client's area (all, or one programme)."""
    from sigap.enrolment.models import EnrolmentBatch

    who = principal(request, BPJS_WRITE)
    batches = EnrolmentBatch.objects.select_related("programme").order_by("id")
    if programme is not None:
        batches = batches.filter(programme=_programme(programme, who, whole_region=True))
    return [sel.batch_summary(b) for b in batches if b.programme.region.startswith(who.area)]


MAX_LINES = 5000


@api.get(
    "/batches/{path:number}/lines",
    response={200: BatchLines, **NOT_FOUND},
    operation_id="batchLines",
    summary="Baris batch (data pendaftaran) / Batch lines (registration data)",
    tags=["bpjs"],
    openapi_extra=_security(BPJS_WRITE),
)
def batch_lines(
    request: HttpRequest,
    number: str,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LINES)] = 1000,
) -> Any:
    """Kolom berkas pendaftaran kolektif dan jawaban tiap baris, per halaman (dicatat di log audit).

    The collective-registration file's columns and each line's answer, a page at a time (audited)."""
    who = principal(request, BPJS_WRITE)
    batch = _batch(number, who)
    total, lines = sel.batch_lines(batch, area=who.area, offset=offset, limit=limit)
    audit_record(
        acting_user=who.actor,
        action="batch.pull",
        obj=batch,
        after={"offset": offset, "limit": limit, "lines": len(lines), "total": total},
    )
    following = offset + len(lines)
    return {
        "batch": batch.number,
        "total": total,
        "offset": offset,
        "limit": limit,
        "next_offset": following if following < total else None,
        "lines": lines,
    }


ANSWER_COLUMNS = {
    "NIK": "nik",
    "KPJ": "kpj",
    "STATUS": "status",
    "ALASAN": "reason",
    "TANGGAL_EFEKTIF": "effective_date",
}


@api.post(
    "/batches/{path:number}/answers",
    response={200: AnswersOut, **NOT_FOUND, 409: Problem, 413: Problem},
    operation_id="batchAnswers",
    summary="Jawaban BPJS TK / BPJS TK's answer",
    tags=["bpjs"],
    openapi_extra=_security(BPJS_WRITE),
)
def batch_answers(request: HttpRequest, number: str, payload: AnswersIn) -> Any:
    """Jawaban BPJS TK untuk baris batch: diperiksa dan diterapkan persis seperti impor berkas jawaban
    (semua sah, atau tidak ada yang diterapkan).  Jawaban yang sama dua kali tidak mengubah apa pun.

    BPJS TK's answer for lines of the batch: checked and applied exactly as the answer-file import
    (all valid, or nothing applied).  The same answer twice changes nothing; a different answer for a
    line already answered is a 409 conflict."""
    from sigap.enrolment.actions import response_apply
    from sigap.enrolment.response import ANSWERED_DIFFERENTLY

    who = principal(request, BPJS_WRITE)
    batch = _batch(number, who)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    # The rows as the answer file's layout holds them (sigap.enrolment.response), numbered like a
    # file's rows (row 1 is the header) so a problem at row N is mapped back to answers[N - 2].
    rows = [
        (i + 2, [a.nik, a.kpj, a.status, a.reason, a.effective_date]) for i, a in enumerate(payload.answers)
    ]
    try:
        result = response_apply(
            batch=batch,
            source=f"api-{who.client.client_id}-{stamp}",  # no file: the call that brought them
            header=list(ANSWER_COLUMNS),
            rows=rows,
            acting_user=who.actor,
        )
    except UserError as e:
        problem = problems.from_user_error(
            e, rows={row: f"answers[{row - 2}]" for row, _cells in rows}, columns=ANSWER_COLUMNS
        )
        if e.details and all(getattr(d, "kind", "") == ANSWERED_DIFFERENTLY for d in e.details):
            problem.kind = "conflict"
        raise problem from None
    found = result.as_dict()
    return {k: found[k] for k in AnswersOut.model_fields}


# --------------------------------------------------------------------------- payments


def _payment_out(payment: Any) -> dict[str, Any]:
    from sigap.billing.models import Payment

    reversal = Payment.objects.filter(reverses=payment).first()
    return {
        "sp2d_number": payment.sp2d_number,
        "programme": payment.programme.code,
        "sp2d_date": payment.sp2d_date,
        "amount": payment.amount,
        "allocations": [
            {"invoice": a.invoice.number, "amount": a.amount}
            for a in payment.allocations.select_related("invoice").order_by(
                "invoice__month", "invoice__supplement"
            )
        ],
        "reversed": reversal is not None,
        "reversal": (
            {"date": reversal.sp2d_date, "amount": reversal.amount, "reason": reversal.reason}
            if reversal
            else None
        ),
    }


@api.post(
    "/payments",
    response={200: PaymentOut, 201: PaymentOut, **NOT_FOUND, 409: Problem},
    operation_id="paymentRecord",
    summary="Catat SP2D / Record an SP2D payment",
    tags=["payments"],
    openapi_extra=_security(PAYMENTS_WRITE),
)
def payment_record(request: HttpRequest, payload: PaymentIn) -> Any:
    """Catat pencairan SP2D dan alokasinya ke tagihan (yang tertua dulu).  Idempoten per nomor SP2D:
    kiriman ulang yang sama mengembalikan pembayaran yang ada (200); jumlah/tanggal lain 409.

    Record an SP2D disbursement, allocated to invoices oldest first.  Idempotent by SP2D number: the
    same push again returns the recorded payment (200); a different amount or date is a 409."""
    from sigap.billing.actions import PaymentConflict, payment_post

    who = principal(request, PAYMENTS_WRITE)
    programme = _programme(payload.programme, who, whole_region=True)
    try:
        posted = payment_post(
            programme=programme,
            sp2d_number=payload.sp2d_number,
            sp2d_date=payload.sp2d_date,
            amount=payload.amount,
            invoices=payload.invoices,
            months=payload.months,
            exact=payload.exact,
            acting_user=who.actor,
        )
    except PaymentConflict as e:
        number = e.payment.sp2d_number
        if not e.payment.programme.region.startswith(who.area):  # another area's payment: nothing shown
            raise ApiProblem("conflict", f"SP2D number {number} is already used") from None
        raise ApiProblem(
            "conflict",
            f"SP2D {number} was already recorded differently; a recorded payment never changes: "
            f"reverse it (POST /api/v1/payments/{{number}}/reversal) and push the correct SP2D",
            errors=[
                {"field": d.field, "reason": f"recorded as {_shown(d.recorded)}, pushed {_shown(d.sent)}"}
                for d in e.differences
            ],
        ) from None
    return Status(201 if posted.created else 200, _payment_out(posted.payment))


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _payment(number: str, who: Principal) -> Any:
    from sigap.billing.selectors import sp2d_payment

    payment = sp2d_payment(number)
    if payment is None:
        raise ApiProblem("not-found", f"SP2D {number} was not recorded")
    _programme(payment.programme.code, who, whole_region=True)
    return payment


@api.post(
    "/payments/{path:number}/reversal",
    response={200: PaymentOut, 201: PaymentOut, **NOT_FOUND},
    operation_id="paymentReverse",
    summary="Batalkan SP2D / Reverse an SP2D payment",
    tags=["payments"],
    openapi_extra=_security(PAYMENTS_WRITE),
)
def payment_reverse(request: HttpRequest, number: str, payload: ReversalIn) -> Any:
    """Koreksi satu-satunya: pembatalan (jumlah negatif) yang membuka lagi tagihannya.  Idempoten.

    The only correction: a reversal (negative amount) re-opening its invoices.  Idempotent: a payment
    already reversed is returned as it is (200)."""
    from sigap.billing.actions import payment_reverse as reverse

    who = principal(request, PAYMENTS_WRITE)
    payment = _payment(number, who)
    from sigap.billing.models import Payment

    if Payment.objects.filter(reverses=payment).exists():
        return Status(200, _payment_out(payment))
    reverse(payment=payment, reason=payload.reason, date=payload.date, acting_user=who.actor)
    return Status(201, _payment_out(payment))


@api.get(
    "/payments/{path:number}",
    response={200: PaymentOut, **NOT_FOUND},
    operation_id="paymentGet",
    summary="Satu SP2D / One SP2D payment",
    tags=["payments"],
    openapi_extra=_security(PAYMENTS_WRITE),
)
def payment_get(request: HttpRequest, number: str) -> Any:
    """Pembayaran yang tercatat untuk nomor SP2D ini.  The payment recorded under this SP2D number."""
    return _payment_out(_payment(number, principal(request, PAYMENTS_WRITE)))


# --------------------------------------------------------------------------- grievances


@api.post(
    "/grievances",
    response={201: GrievanceOut, **ERRORS},
    operation_id="grievanceFile",
    summary="Catat pengaduan dari kanal lain / File a grievance from another channel",
    tags=["grievances"],
    openapi_extra=_security(GRIEVANCES_WRITE),
)
def grievance_file(request: HttpRequest, payload: GrievanceIn) -> Any:
    """Pengaduan warga yang masuk lewat kanal lain (mis. SP4N-LAPOR!); dijawab dengan nomor tiket.
    Aturannya sama dengan halaman publik: nomor telepon wajib.

    A citizen's grievance received through another channel; answered with the ticket number.  The
    rules of the public page apply: a phone number is required."""
    from sigap.pengaduan.actions import grievance_file as file
    from sigap.pengaduan.models import Grievance
    from sigap.reference import regions

    who = principal(request, GRIEVANCES_WRITE)
    code = payload.kode_kelurahan.strip()
    if len(code) == 10 and regions().get(code) is not None and not code.startswith(who.area):
        raise ApiProblem(
            "forbidden",
            f"kelurahan {code} is outside the client's area {who.area}",
            errors=[{"field": "kode_kelurahan", "reason": "outside the client's area"}],
        )
    request.api_note = payload.channel  # type: ignore[attr-defined]  # in the call's audit row
    grievance = file(
        channel=Grievance.CITIZEN,
        category=payload.category,
        text=payload.text,
        kode_kelurahan=code,
        now=timezone.now(),
        nik=payload.nik,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        acting_user=who.actor,
    )
    return Status(
        201,
        {
            "number": grievance.number,
            "category": grievance.category,
            "state": grievance.state,
            "kode_kelurahan": grievance.kode_kelurahan,
            "created_at": grievance.created_at,
            "due_at": grievance.due_at,
        },
    )


# --------------------------------------------------------------------------- DCI (ADR 0021)

from sigap.api.dci import router as dci_router  # noqa: E402 -- after the handlers it relies on

api.add_router("/dci", dci_router)

# The DCI authz and JWKS paths beside the DCI registry endpoints: the same token and key endpoints.
api.post(
    "/dci/oauth2/client/token",
    auth=None,
    response={200: TokenOut, 400: Problem, 401: Problem, 422: Problem, 429: Problem, 503: Problem},
    operation_id="dciTokenIssue",
    summary="DCI authz: token akses / access token (= POST /api/v1/oauth/token)",
    tags=["dci"],
    openapi_extra={"security": [], "x-scope": "none"},
)(token_issue)
api.get(
    "/dci/.well-known/jwks.json",
    auth=None,
    response=Jwks,
    operation_id="dciJwks",
    summary="DCI JWKS: kunci publik / signing keys (= GET /api/v1/.well-known/jwks.json)",
    tags=["dci"],
    openapi_extra={"security": [], "x-scope": "none"},
)(jwks)
