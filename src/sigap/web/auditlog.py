"""Log audit: filter, page through and export the audit trail (the export is itself audited)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.audit import labels
from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.audit.selectors import visible_events
from sigap.core import csvsafe
from sigap.web.access import AUDIT_ROLES, role_required

PAGE_SIZE = 50
#: The CSV keeps machine-readable column names (scripts read it); the Excel file is for people.
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "note", "before", "after", "area")


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


def _filters_after(filters: dict[str, Any]) -> dict[str, str]:
    """The filters that were set, as the audit row records them (the same for the page and exports)."""
    return {k: str(v) for k, v in filters.items() if v and k != "bad_dates"}


@role_required(AUDIT_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = audit_filters(request.GET)
    events = audit_events(request.user, filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("halaman"))
    # Looking at the log is a disclosure like any list: who looked, at which filters and page
    # (recorded after the page's query, so the row itself shows on the next look, not this one).
    audit_record(
        acting_user=request.user,
        action="audit.view",
        after={**_filters_after(filters), "page": page.number, "shown": len(page.object_list)},
        note=", ".join(f"{k}={v}" for k, v in request.GET.items() if str(v).strip() and k != "halaman")[:500],
    )
    query = request.GET.copy()
    query.pop("halaman", None)
    actions = visible_events(request.user).order_by("action").values_list("action", flat=True).distinct()
    context = {
        "nav": "audit",
        "filters": filters,
        "page": page,
        "lines": labels.describe(page.object_list),
        "actions": labels.action_choices(actions),
        "query": query.urlencode(),
    }
    return render(request, "sigap/audit_log.html", context)


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


def _rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csvsafe.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for values in _values(events):
        yield writer.writerow(values)


#: Excel's sheet holds 1,048,576 rows: the header and this many events.
XLSX_MAX_EVENTS = 1_048_575


def _xlsx(events: QuerySet[AuditEvent]) -> Path:
    import tempfile

    import xlsxwriter

    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="log-audit-")
    os.close(handle)
    book = xlsxwriter.Workbook(
        name, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    try:
        sheet = book.add_worksheet(_("Log audit")[:31])
        bold = book.add_format({"bold": True})
        for col, title in enumerate(xlsx_columns()):
            sheet.write_string(0, col, title, bold)
        for row, values in enumerate(_values(events[:XLSX_MAX_EVENTS], sentences=True), start=1):
            for col, value in enumerate(values):
                sheet.write_string(row, col, value)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 4, 18)
        sheet.set_column(5, 7, 60)
        sheet.set_column(8, 8, 12)
        sheet.set_column(9, 9, 80)
    finally:
        book.close()
    return Path(name)


@role_required(AUDIT_ROLES)
def audit_export(request: HttpRequest, fmt: str = "csv") -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters = audit_filters(request.GET)
    events = audit_events(request.user, filters)
    if fmt == "xlsx" and events.count() > XLSX_MAX_EVENTS:
        messages.error(
            request,
            _("Terlalu banyak baris untuk satu lembar Excel (%(n)s): persempit saringan atau unduh CSV.")
            % {"n": f"{XLSX_MAX_EVENTS:,}".replace(",", ".")},
        )
        return redirect(f"{reverse('web:audit-log')}?{request.GET.urlencode()}")
    # Recorded first: the export row itself is part of what an auditor later sees.
    audit_record(
        acting_user=request.user,
        action="audit.export",
        after={"format": fmt, **_filters_after(filters)},
        note=request.GET.urlencode()[:500],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "xlsx":
        path = _xlsx(events)
        handle = path.open("rb")
        path.unlink()  # the open handle keeps the data until the response is sent
        return FileResponse(handle, as_attachment=True, filename=f"log-audit-{stamp}.xlsx")
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="log-audit-{stamp}.csv"'
    return response
