"""Log audit: filter, page through and export the audit trail (the export is itself audited)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.audit import labels
from sigap.audit.actions import audit_record
from sigap.audit.selectors import visible_events
from sigap.web import exportfiles, exportjobs
from sigap.web.access import AUDIT_ROLES, role_required
from sigap.web.exportfiles import audit_events, audit_filters

CSV = exportfiles.CONTENT_TYPES["csv"]

PAGE_SIZE = 50
#: Excel's sheet holds 1,048,576 rows: the header and this many events.
XLSX_MAX_EVENTS = exportfiles.XLSX_MAX_EVENTS


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


@role_required(AUDIT_ROLES)
def audit_export(request: HttpRequest, fmt: str = "csv") -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters = audit_filters(request.GET)
    events = audit_events(request.user, filters)
    rows = events.count()
    if fmt == "xlsx" and rows > XLSX_MAX_EVENTS:
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
    filename = f"log-audit-{stamp}.{fmt}"

    def inline() -> HttpResponseBase:
        if fmt == "xlsx":
            handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="log-audit-")
            os.close(handle)
            path = Path(name)
            exportfiles.audit_xlsx_write(events, path)
            opened = path.open("rb")
            path.unlink()  # the open handle keeps the data until the response is sent
            return FileResponse(opened, as_attachment=True, filename=filename)
        response = StreamingHttpResponse(exportfiles.audit_csv_lines(events), content_type=CSV)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    return exportjobs.export_or_job(
        request,
        export="audit",
        fmt=fmt,
        rows=rows,
        filename=filename,
        params={"query": request.GET.urlencode()},
        back=f"{reverse('web:audit-log')}?{request.GET.urlencode()}",
        inline=inline,
    )
