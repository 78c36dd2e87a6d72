"""Log audit: filter, page through and export the audit trail (the export is itself audited)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from sigap.audit.actions import audit_record
from sigap.audit.models import AuditEvent
from sigap.web.access import AUDIT_ROLES, role_required

PAGE_SIZE = 50
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "note", "before", "after")


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


def audit_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters["user"]:
        events = events.filter(
            Q(actor_label__iexact=filters["user"]) | Q(actor__username__iexact=filters["user"])
        )
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["object"]:
        text = filters["object"]
        if "#" in text:
            kind, _, ident = text.partition("#")
            events = events.filter(object_type__iexact=kind.strip(), object_id=ident.strip())
        else:
            events = events.filter(Q(object_type__icontains=text) | Q(object_id=text))
    tz = timezone.get_current_timezone()
    if filters["date_from"]:
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        events = events.filter(at__gte=start)
    if filters["date_to"]:
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


@role_required(AUDIT_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = audit_filters(request.GET)
    events = audit_events(filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    context = {
        "nav": "audit",
        "filters": filters,
        "page": page,
        "actions": list(actions),
        "query": query.urlencode(),
    }
    return render(request, "sigap/audit_log.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must not start with = + - @ (or tab/CR).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    import json

    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(timezone.localtime(e.at).isoformat(timespec="seconds")),
                _cell(e.actor_label),
                _cell(e.action),
                _cell(e.object_type),
                _cell(e.object_id),
                _cell(e.note),
                _cell(json.dumps(e.before, ensure_ascii=False) if e.before is not None else ""),
                _cell(json.dumps(e.after, ensure_ascii=False) if e.after is not None else ""),
            ]
        )


@role_required(AUDIT_ROLES)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = audit_filters(request.GET)
    events = audit_events(filters)
    # Recorded first: the export row itself is part of what an auditor later sees.
    audit_record(
        acting_user=request.user,
        action="audit.export",
        after={k: str(v) for k, v in filters.items() if v and k != "bad_dates"},
        note=request.GET.urlencode()[:500],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="log-audit-{stamp}.csv"'
    return response
