"""Request and response shapes of ``/api/v1/`` (pydantic, through django-ninja): the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

# Text the API stores or passes to a file import: printable, one line.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
NO_NUL = r"^[^\x00]*$"  # a database text never holds NUL
OneLine = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=300)]
Money = Annotated[int, Field(ge=0, le=10**16, description="rupiah (bilangan bulat / whole rupiah)")]


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = []
    error: str | None = Field(None, description="OAuth 2.0 error code (token endpoint only)")
    code: str | None = Field(None, description="DCI error code (/api/v1/dci/ only): err.request.bad, ...")


class FieldProblem(Schema):
    field: str
    reason: str


Problem.model_rebuild()


# --------------------------------------------------------------------------- tokens


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class Jwk(Schema):
    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class Jwks(Schema):
    keys: list[Jwk]


# --------------------------------------------------------------------------- programmes


class ListInForce(Schema):
    run: int
    kind: str
    state: str
    approved_at: dt.datetime | None
    list_sha256: str
    selected: int
    waiting: int
    cost_per_person: Money
    cost: Money
    remaining: int
    members: dict[str, int] = Field(description="anggota per status / members by state")


class ProgrammeOut(Schema):
    code: str
    name: str
    region: str
    fiscal_year: int
    budget: Money
    coverage_start: str
    funding: str
    list_in_force: ListInForce | None


class Counts(Schema):
    people: int
    eligible: int
    selected: int
    waiting: int
    members: int
    covered: int
    exited: int  # were covered, then left (never the rejected)
    rejected: int  # registration rejected by BPJS TK


class AreaRow(Counts):
    code: str
    name: str | None


class DesilRow(Counts):
    desil: int | None


class OccupationRow(Counts):
    pekerjaan: str


class MonthRow(Schema):
    month: dt.date
    covered: int
    invoiced: int
    paid: int
    committed: int


class Realisation(Schema):
    on: str | None = None
    allocated: int | None = None
    invoiced: int | None = None
    paid: int | None = None
    outstanding: int | None = None
    committed: int | None = None
    remaining: int | None = None
    members: int | None = None
    runs_out: str | None = None


class AggregatesOut(Schema):
    programme: str
    run: int | None
    computed_on: dt.date
    totals: Counts
    estimate: int | None
    covered_share_bp: int | None = Field(description="persen x 100 / percent x 100 (4392 = 43.92%)")
    per_kecamatan: list[AreaRow]
    per_kelurahan: list[AreaRow]
    per_desil: list[DesilRow]
    per_occupation: list[OccupationRow]
    months: list[MonthRow]
    realisation: Realisation
    premiums_paid: int
    claims_paid: int | None


# --------------------------------------------------------------------------- members


class Period(Schema):
    start_month: dt.date
    end_month: dt.date | None


class Membership(Schema):
    programme: str
    programme_name: str
    state: str
    state_label: str
    kpj: str
    kode_kelurahan: str
    periods: list[Period]
    exit_date: dt.date | None
    exit_reason: str


class MemberOut(Schema):
    nik: str
    memberships: list[Membership]


# --------------------------------------------------------------------------- batches


class BatchOut(Schema):
    number: str
    programme: str
    state: str
    coverage_start: dt.date
    exported_on: dt.date | None
    members: int
    pending: int
    accepted: int
    rejected: int
    sha256: str


class BatchLine(Schema):
    nik: str
    nama: str
    tempat_lahir: str
    tanggal_lahir: dt.date
    jenis_kelamin: str
    alamat: str
    rt: str
    rw: str
    kelurahan: str
    kode_kelurahan: str
    pekerjaan: str
    program: str
    upah_dilaporkan: int
    mulai_kepesertaan: dt.date
    status: str
    kpj: str


class BatchLines(Schema):
    batch: str
    total: int
    offset: int
    limit: int
    next_offset: int | None
    lines: list[BatchLine]


MAX_ANSWERS = 10_000


class AnswerIn(Schema):
    nik: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=ONE_LINE)]
    status: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=ONE_LINE)] = Field(
        description="DITERIMA/ACCEPTED atau/or DITOLAK/REJECTED"
    )
    kpj: OneLine = ""
    reason: OneLine = Field("", description="alasan penolakan / why rejected (ALASAN)")
    effective_date: OneLine = Field("", description="tanggal efektif / effective date, YYYY-MM-DD")


class AnswersIn(Schema):
    answers: Annotated[list[AnswerIn], Field(min_length=1, max_length=MAX_ANSWERS)]


class AnswersOut(Schema):
    batch: str
    duplicate: bool
    accepted: int
    rejected: int
    unchanged: int
    pending: int
    batch_state: str
    runs_enrolled: list[int]
    notes: list[str]


# --------------------------------------------------------------------------- payments


class PaymentIn(Schema):
    programme: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ONE_LINE)]
    sp2d_number: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=ONE_LINE)]
    sp2d_date: dt.date
    amount: Annotated[int, Field(gt=0, le=10**16, description="rupiah (bilangan bulat / whole rupiah)")]
    invoices: (
        Annotated[
            list[Annotated[str, StringConstraints(max_length=100, pattern=ONE_LINE)]], Field(max_length=24)
        ]
        | None
    ) = None
    months: Literal[3, 6, 12] | None = None
    exact: bool = False


class Allocation(Schema):
    invoice: str
    amount: int


class ReversalOut(Schema):
    date: dt.date
    amount: int
    reason: str


class PaymentOut(Schema):
    sp2d_number: str
    programme: str
    sp2d_date: dt.date
    amount: int
    allocations: list[Allocation]
    reversed: bool
    reversal: ReversalOut | None


class ReversalIn(Schema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=NO_NUL)]
    date: dt.date | None = None


# --------------------------------------------------------------------------- grievances


class GrievanceIn(Schema):
    category: Annotated[str, StringConstraints(max_length=16, pattern=ONE_LINE)] = Field(
        description="sanggahan, data, layanan, klaim, lainnya"
    )
    text: Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
    kode_kelurahan: Annotated[str, StringConstraints(max_length=10, pattern=ONE_LINE)]
    contact_phone: Annotated[str, StringConstraints(max_length=32, pattern=ONE_LINE)]
    nik: Annotated[str, StringConstraints(max_length=16, pattern=ONE_LINE)] = ""
    contact_name: Annotated[str, StringConstraints(max_length=200, pattern=ONE_LINE)] = ""
    channel: Annotated[str, StringConstraints(max_length=60, pattern=ONE_LINE)] = Field(
        "", description="nama kanal asal / originating channel (SP4N-LAPOR!, call centre...)"
    )


class GrievanceOut(Schema):
    number: str
    category: str
    state: str
    kode_kelurahan: str
    created_at: dt.datetime
    due_at: dt.datetime
