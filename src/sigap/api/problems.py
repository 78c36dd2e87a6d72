"""Errors as problem details (RFC 9457, ``application/problem+json``).

Every refusal of the API is one JSON object: ``type`` (a link to its explanation in the API docs),
``title``, ``status``, ``detail`` and ``errors`` (``[{field, reason}]``, one per wrong input).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from sigap.errors import UserError

MEDIA_TYPE = "application/problem+json"
DOCS = "/api/v1/docs"
logger = logging.getLogger("sigap.api")

#: slug -> (status, title in Bahasa Indonesia / English)
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Permintaan tidak dapat dibaca / Malformed request"),
    "unauthorized": (401, "Perlu token akses yang sah / A valid access token is needed"),
    "forbidden": (403, "Di luar cakupan atau wilayah klien / Outside the client's scope or area"),
    "not-found": (404, "Tidak ditemukan / Not found"),
    "conflict": (409, "Bertentangan dengan data yang sudah ada / Conflicts with existing data"),
    "too-large": (413, "Permintaan terlalu besar / Request too large"),
    "invalid": (422, "Masukan tidak sah / Invalid input"),
    "refused": (422, "Ditolak oleh aturan SIGAP / Refused by a SIGAP rule"),
    "rate-limited": (429, "Terlalu banyak permintaan / Too many requests"),
    "internal": (500, "Kesalahan di SIGAP / Error inside SIGAP"),
    "unavailable": (503, "Sementara tidak tersedia / Temporarily unavailable"),
}


class ApiProblem(Exception):
    """Raise from an endpoint to answer with a problem document."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail
        self.errors = [{"field": str(e["field"]), "reason": str(e["reason"])} for e in errors]
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    @property
    def status(self) -> int:
        return KINDS[self.kind][0]


def response(problem: ApiProblem) -> HttpResponse:
    status, title = KINDS[problem.kind]
    body = {
        "type": f"{DOCS}#problem-{problem.kind}",
        "title": title,
        "status": status,
        "detail": problem.detail,
        "errors": problem.errors,
        **problem.extra,
    }
    result = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=f"{MEDIA_TYPE}; charset=utf-8"
    )
    for name, value in problem.headers.items():
        result[name] = value
    return result


# "row 12, column KPJ: ..." and its Indonesian "baris 12, kolom KPJ: ..." (the messages follow the language)
_ROW = re.compile(r"(?:row|baris) (?P<row>\d+)(?:, (?:column|kolom) (?P<column>[A-Z_]+))?: (?P<reason>.*)$")


def from_user_error(
    error: UserError, *, rows: Mapping[int, str] | None = None, columns: Mapping[str, str] | None = None
) -> ApiProblem:
    """A refused action as a problem.  A :class:`~sigap.usulan.errors.FieldError` names its field;
    the problems of a file import (``file: row N, column C: reason``) are mapped back to the JSON
    fields they came from with ``rows`` (file row -> JSON path) and ``columns`` (column -> field)."""
    errors: list[dict[str, str]] = []
    field = getattr(error, "field", None)
    if isinstance(field, str):
        errors.append({"field": field, "reason": error.message})
    for line in error.details:
        found = _ROW.search(line)
        if found and rows is not None and int(found["row"]) in rows:
            base = rows[int(found["row"])]
            column = found["column"]
            name = (columns or {}).get(column or "", (column or "").lower())
            errors.append({"field": f"{base}.{name}" if name else base, "reason": found["reason"]})
        else:
            errors.append({"field": "", "reason": line})
    return ApiProblem("refused", error.message, errors=errors)


def from_validation(errors: Iterable[Mapping[str, Any]]) -> ApiProblem:
    """Schema validation errors of the request (django-ninja/pydantic) as a problem."""
    found = []
    for e in errors:
        loc = [str(part) for part in e.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "form", "header"):
            source, rest = loc[0], loc[1:]
            if source in ("body", "form") and len(rest) > 1:
                rest = rest[1:]  # the name of the endpoint's body argument
            loc = rest or [source]
        found.append({"field": ".".join(loc), "reason": str(e.get("msg", "invalid"))})
    return ApiProblem("invalid", "the request does not match the API schema (see errors)", errors=found)


def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return response(ApiProblem("internal", "an unexpected error; it was logged for the SIGAP team"))
