"""Exports that grow with the number of people or audit rows, written to a file (ADR 0024).

The audit log (CSV and Excel), a programme's members (Excel) and an invoice's lines (Excel: one line
per member billed) are written by the functions here,
whether a request writes them (a small export, :data:`settings.SIGAP_EXPORT_INLINE_ROWS` rows or
fewer) or a background job does (``list_export``: :mod:`sigap.jobs.kinds` calls
:func:`export_write`; the request goes to the job's page, :mod:`sigap.web.exportjobs`).  Both read
the rows through the same scoped query for the same user and the same filters (the request's query
string, kept on the job), so a job's file holds exactly what the request would have sent.

This module imports no view and no job code (the job runner imports it: no import cycle).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.accounts.scoping import area_prefix
from sigap.audit import labels
from sigap.audit.models import AuditEvent
from sigap.audit.selectors import visible_events
from sigap.billing.models import Invoice, InvoiceLine
from sigap.core import csvsafe
from sigap.core.money import Month
from sigap.core.tariff import COMPONENT_LABELS
from sigap.enrolment.models import Member
from sigap.errors import UserError
from sigap.programmes.models import Programme
from sigap.reference import regions
from sigap.web.access import AUDIT_ROLES, FINANCE_ROLES, MEMBER_ROLES, allowed, visible_programmes
from sigap.web.listing import XLSX, xlsx_write
from sigap.web.moneyforms import MemberFilterForm

Progress = Callable[..., None]
#: ``DATA_DIR/exports/<job id>/<file>``: a job's file, kept for :data:`KEEP` (``sigap cleanup``).
EXPORT_DIR = "exports"
KEEP = dt.timedelta(days=1)
#: The progress callback is called once per this many rows.
PROGRESS_EVERY = 2000
WRITING = "Writing"


def _report(progress: Progress | None, total: int, rows: Iterable[Any]) -> Iterator[Any]:
    """``rows`` unchanged, telling ``progress`` how far the writing is every few thousand rows."""
    n = 0
    for n, row in enumerate(rows, start=1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(WRITING, n, total)
        yield row
    if progress is not None:
        progress(WRITING, n, total or n)


# --------------------------------------------------------------------------- the audit log

#: The CSV keeps machine-readable column names (scripts read it); the Excel file is for people.
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "note", "before", "after", "area")
#: Excel's sheet holds 1,048,576 rows: the header and this many events.
XLSX_MAX_EVENTS = 1_048_575


def xlsx_columns() -> tuple[str, ...]:
    return (
        _("Waktu"),
        _("Pengguna"),
        _("Kode aksi"),
        _("Jenis objek"),
        _("ID objek"),
        _("Catatan"),
        _("Sebelum"),
        _("Sesudah"),
        _("Wilayah"),
        _("Apa yang terjadi"),
    )


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def audit_filters(params: Any) -> dict[str, Any]:
    """The cleaned filters from a query dict (bad dates are ignored and reported)."""
    raw_from, raw_to = params.get("dari", ""), params.get("sampai", "")
    return {
        "user": params.get("pengguna", "").strip()[:150],
        "action": params.get("aksi", "").strip()[:64],
        "object": params.get("objek", "").strip()[:130],
        "date_from": _date(raw_from),
        "date_to": _date(raw_to),
        "bad_dates": [d for d in (raw_from, raw_to) if d.strip() and _date(d) is None],
    }


def audit_events(user: Any, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The events of the viewer's area (in the query: page, CSV and XLSX alike) that match ``filters``."""
    events = visible_events(user)
    if filters["user"]:
        events = events.filter(
            Q(actor_label__iexact=filters["user"]) | Q(actor__username__iexact=filters["user"])
        )
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["object"]:
        # "tagihan #3", "penetapan sasaran #4", "usulan" (a kind in words) or "billing.invoice#3"
        text = filters["object"]
        kind, hash_, ident = text.partition("#")
        kind, ident = kind.strip(), ident.strip()
        named = labels.object_type_for(kind) if kind else None
        if hash_:
            events = events.filter(object_id=ident)
            if kind:
                events = events.filter(object_type__iexact=named or kind)
        elif named:
            events = events.filter(object_type=named)
        else:
            events = events.filter(Q(object_type__icontains=text) | Q(object_id=text))
    tz = timezone.get_current_timezone()
    if filters["date_from"]:
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        events = events.filter(at__gte=start)
    if filters["date_to"]:
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(at__lt=end)
    return events.select_related("actor__profile").order_by("-at", "-id")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text for either export, defused against formula injection (:mod:`sigap.core.csvsafe`)."""
    return csvsafe.cell("" if value is None else str(value))


def _values(events: QuerySet[AuditEvent], *, sentences: bool = False) -> Iterator[list[str]]:
    """Each event as the export's cells (time in the local zone, JSON for before/after); with
    ``sentences`` the row ends with what happened in words (:mod:`sigap.audit.labels`)."""
    for chunk in _chunks(events):
        texts = [line.text for line in labels.describe(chunk)] if sentences else [""] * len(chunk)
        for e, text in zip(chunk, texts, strict=True):
            yield _cells(e) + ([_cell(text)] if sentences else [])


def _chunks(events: QuerySet[AuditEvent], size: int = 2000) -> Iterator[list[AuditEvent]]:
    chunk: list[AuditEvent] = []
    for e in events.iterator(chunk_size=size):
        chunk.append(e)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cells(e: AuditEvent) -> list[str]:
    return [
        _cell(timezone.localtime(e.at).isoformat(timespec="seconds")),
        _cell(e.actor_label),
        _cell(e.action),
        _cell(e.object_type),
        _cell(e.object_id),
        _cell(e.note),
        _cell(json.dumps(e.before, ensure_ascii=False) if e.before is not None else ""),
        _cell(json.dumps(e.after, ensure_ascii=False) if e.after is not None else ""),
        _cell(e.area_code),
    ]


def audit_csv_lines(
    events: QuerySet[AuditEvent], progress: Progress | None = None, total: int = 0
) -> Iterator[str]:
    """The CSV export line by line (a request streams them; a job writes them to a file)."""
    writer = csvsafe.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for values in _report(progress, total, _values(events)):
        yield writer.writerow(values)


def audit_xlsx_write(
    events: QuerySet[AuditEvent], path: Path, progress: Progress | None = None, total: int = 0
) -> int:
    """The Excel export (what happened in words in the last column); returns the events written."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    row = 0
    try:
        sheet = book.add_worksheet(_("Log audit")[:31])
        bold = book.add_format({"bold": True})
        for col, title in enumerate(xlsx_columns()):
            sheet.write_string(0, col, title, bold)
        values = _values(events[:XLSX_MAX_EVENTS], sentences=True)
        for row, cells in enumerate(_report(progress, total, values), start=1):
            for col, value in enumerate(cells):
                sheet.write_string(row, col, value)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 4, 18)
        sheet.set_column(5, 7, 60)
        sheet.set_column(8, 8, 12)
        sheet.set_column(9, 9, 80)
    finally:
        book.close()
    return row


def _audit_write(user: Any, params: Mapping[str, Any], path: Path, progress: Progress) -> int:
    events = audit_events(user, audit_filters(QueryDict(params.get("query", ""))))
    total = int(params.get("rows") or 0)
    if params["fmt"] == "xlsx":
        return audit_xlsx_write(events, path, progress, total)
    lines = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in audit_csv_lines(events, progress, total):
            out.write(line)
            lines += 1
    return lines - 1  # the header


# --------------------------------------------------------------------------- members


def place(code: str) -> str:
    found = regions().get(code)
    return found.name if found is not None else code


def members_in_area(user: Any, programme: Programme) -> QuerySet[Member]:
    """The programme's members inside the user's area (the filter is part of the query)."""
    return Member.objects.filter(programme=programme, kode_kelurahan__startswith=area_prefix(user))


def filtered_members(
    user: Any, programme: Programme, params: Any
) -> tuple[QuerySet[Member], MemberFilterForm]:
    """The members list's filters (``q``, ``state``, ``kelurahan``) applied to the user's members."""
    base = members_in_area(user, programme)
    codes = sorted(set(base.values_list("kode_kelurahan", flat=True)))
    form = MemberFilterForm(params or None, kelurahan=[(c, f"{place(c)} ({c})") for c in codes])
    members = base
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        if query:
            members = (
                members.filter(nik=query)
                if query.isdigit() and len(query) == 16
                else members.filter(Q(nama__icontains=query) | Q(nik__startswith=query))
            )
        if data["state"]:
            members = members.filter(state=data["state"])
        if data["kelurahan"]:
            members = members.filter(kode_kelurahan=data["kelurahan"])
    return members, form


def member_headers() -> list[str]:
    return [
        _("Peringkat"),
        "NIK",
        _("Nama"),
        _("Tanggal lahir"),
        _("Jenis kelamin"),
        _("Kode kelurahan"),
        _("Kelurahan"),
        _("Pekerjaan"),
        _("Desil"),
        _("Status"),
        _("Nomor KPJ"),
    ]


def member_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    for m in members.order_by("rank", "id").iterator(chunk_size=2000):
        yield [
            m.rank,
            m.nik,
            m.nama,
            m.tanggal_lahir,
            m.jenis_kelamin,
            m.kode_kelurahan,
            place(m.kode_kelurahan),
            m.pekerjaan,
            m.desil,
            m.get_state_display(),
            m.kpj,
        ]


def _members_write(user: Any, params: Mapping[str, Any], path: Path, progress: Progress) -> int:
    programme = next((p for p in visible_programmes(user) if p.pk == params.get("programme")), None)
    if programme is None:
        raise UserError(_("Program #%(id)s tidak ada.") % {"id": params.get("programme")})
    members, _form = filtered_members(user, programme, QueryDict(params.get("query", "")))
    rows = _report(progress, int(params.get("rows") or 0), member_rows(members))
    return xlsx_write(str(path), title=_("Peserta"), headers=member_headers(), rows=rows)


# --------------------------------------------------------------------------- an invoice's lines


def invoices_in_area(user: Any) -> QuerySet[Invoice]:
    """Invoices of the programmes whose whole region lies inside the user's area (an invoice's lines
    name everybody the programme insures: a kelurahan or a kota inside a province programme does not
    open them)."""
    prefix = area_prefix(user)
    ids = [p.pk for p in visible_programmes(user) if str(p.region).startswith(prefix)]
    return Invoice.objects.filter(programme_id__in=ids)


def invoice_lines(invoice: Invoice, query: str) -> QuerySet[InvoiceLine]:
    """The invoice's lines, those of one NIK or name when ``query`` is given (the page's search)."""
    lines = InvoiceLine.objects.filter(invoice=invoice).select_related("member", "reverses")
    if query:
        lines = lines.filter(Q(member__nik=query) | Q(member__nama__icontains=query))
    return lines


def component_cells(parts: Mapping[str, int]) -> list[int | str]:
    """One spreadsheet cell per programme (JKK, JKM, JHT): its amount, or empty when not paid."""
    return [parts[code] if code in parts else "" for code in COMPONENT_LABELS]


def line_components(invoice: Invoice, amount: int) -> dict[str, int]:
    """A line's amount per programme: the invoice's breakdown (a reversal line: its negative)."""
    parts = {code: int(value) for code, value in (invoice.premium_components or {}).items()}
    if amount == invoice.premium:
        return parts
    if amount == -invoice.premium:
        return {code: -value for code, value in parts.items()}
    return {}


def invoice_line_headers() -> list[str]:
    return [
        "NIK",
        _("Nama"),
        _("Nomor KPJ"),
        _("Bulan"),
        _("Jenis"),
        _("Jumlah"),
        _("Alasan"),
        *COMPONENT_LABELS.values(),  # Jumlah per programme (JKK, JKM, JHT): they add up to it
    ]


def invoice_line_rows(invoice: Invoice, lines: QuerySet[InvoiceLine]) -> Iterator[list[Any]]:
    for ln in lines.order_by("id").iterator(chunk_size=2000):
        yield [
            ln.member.nik,
            ln.member.nama,
            ln.member.kpj,
            str(Month.of(ln.month)),
            ln.get_kind_display(),
            ln.amount,
            ln.reason,
            *component_cells(line_components(invoice, ln.amount)),
        ]


def _invoice_lines_write(user: Any, params: Mapping[str, Any], path: Path, progress: Progress) -> int:
    invoice = invoices_in_area(user).filter(pk=int(params.get("invoice") or 0)).first()
    if invoice is None:
        raise UserError(_("Tagihan #%(id)s tidak ada.") % {"id": params.get("invoice")})
    lines = invoice_lines(invoice, str(params.get("q", "")))
    rows = _report(progress, int(params.get("rows") or 0), invoice_line_rows(invoice, lines))
    return xlsx_write(str(path), title=_("Tagihan"), headers=invoice_line_headers(), rows=rows)


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Export:
    """One kind of export a job may write: who may have it, what it is called, how it is written."""

    roles: frozenset[str]
    title: Any  # lazy text: "Log audit", "Daftar peserta"
    write: Callable[[Any, Mapping[str, Any], Path, Progress], int]


EXPORTS: dict[str, Export] = {
    "audit": Export(AUDIT_ROLES, gettext_lazy("Log audit"), _audit_write),
    "members": Export(MEMBER_ROLES, gettext_lazy("Daftar peserta"), _members_write),
    "invoice_lines": Export(FINANCE_ROLES, gettext_lazy("Rincian tagihan"), _invoice_lines_write),
}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def export_of(params: Mapping[str, Any]) -> Export:
    found = EXPORTS.get(str(params.get("export", "")))
    if found is None or params.get("fmt") not in CONTENT_TYPES:
        raise UserError(_("Jenis unduhan tidak dikenal."))
    return found


def folder(job_id: int) -> Path:
    return Path(settings.DATA_DIR) / EXPORT_DIR / str(job_id)


def export_file(job: Any) -> Path | None:
    """The finished file of an export job, if it is still there."""
    name = Path(str((job.result or {}).get("file", ""))).name
    if not name:
        return None
    path = folder(job.pk) / name
    return path if path.is_file() else None


def export_write(*, job_id: int, user: Any, params: Mapping[str, Any], progress: Progress) -> dict[str, Any]:
    """Write the export ``params`` name for ``user`` into ``DATA_DIR/exports/<job_id>/`` (a working
    folder renamed into place: never a half file).  The user's roles are checked again: a role
    taken away since the request gets no file."""
    export = export_of(params)
    if not allowed(user, export.roles):
        raise UserError(_("Anda tidak lagi berhak atas unduhan ini."))
    name = Path(str(params.get("filename", ""))).name or f"unduhan.{params['fmt']}"
    root = Path(settings.DATA_DIR) / EXPORT_DIR
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".tmp-{uuid.uuid4().hex}"
    work.mkdir()
    try:
        progress(WRITING, 0, int(params.get("rows") or 0))
        rows = export.write(user, params, work / name, progress)
        target = folder(job_id)
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"file": name, "rows": rows, "bytes": (target / name).stat().st_size}
