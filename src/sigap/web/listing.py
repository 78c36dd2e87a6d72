"""Small helpers for list pages: sort, paginate and export a queryset to Excel; the business date.

A list page declares its sortable columns (``?sort=key`` or ``?sort=-key``, unknown keys fall back to
the default); the page links keep every other GET parameter.  Excel exports are written with
XlsxWriter with formulas off (a cell starting with ``=`` stays text: no spreadsheet injection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def today() -> dt.date:
    """The business date the pages work on (one place, so tests can pin it)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Listing:
    page: Page[Any]
    sort: str  # the applied sort key, with "-" for descending
    sort_links: dict[str, str]  # column key -> query string that sorts by it (toggling direction)
    page_query: str  # query string without ``page`` (append ``&page=N``)


def _query(params: Mapping[str, str], **changes: str | None) -> str:
    from urllib.parse import urlencode

    merged = {k: v for k, v in params.items() if v not in ("", None)}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return urlencode(merged)


def sorted_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    sorts: Mapping[str, Sequence[str]],
    default: str,
    per_page: int = PER_PAGE,
) -> Listing:
    """Sort ``queryset`` by ``?sort=`` (a key of ``sorts`` -> order_by fields) and return one page."""
    wanted = request.GET.get("sort", default)
    key = wanted.removeprefix("-")
    if key not in sorts:
        wanted, key = default, default.removeprefix("-")
    descending = wanted.startswith("-")
    fields = [(f"-{f}" if not f.startswith("-") else f[1:]) if descending else f for f in sorts[key]]
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page"}
    links = {
        k: _query(params, sort=f"-{k}" if (k == key and not descending) else k, page=None) for k in sorts
    }
    page = Paginator(queryset.order_by(*fields), per_page).get_page(request.GET.get("page"))
    return Listing(page=page, sort=wanted, sort_links=links, page_query=_query(params, page=None))


def xlsx_write(target: Any, *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one sheet to ``target`` (a path or a binary buffer): a bold header row then ``rows``
    (ints stay numbers); returns the number of rows written."""
    # constant_memory writes row by row to temporary files (rows come in order): lower memory and time.
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    r = 0
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(r, col, "ya" if value else "tidak")
            elif isinstance(value, int):
                sheet.write_number(r, col, value, money)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return r


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """An .xlsx attachment with one sheet: a bold header row then ``rows`` (ints stay numbers)."""
    buffer = io.BytesIO()
    xlsx_write(buffer, title=title, headers=headers, rows=rows)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
