"""SIGAP as a DCI Social Registry client: pull a registry extract through the SR search (ADR 0021).

``registry_pull`` asks a Social Registry's ``/registry/sync/search`` page by page (``pagination``
page_size/page_number until ``total_count`` is reached), turns each Group/Member record into the rows of
a DTSEN extract (:func:`sigap.core.dci.source_rows`), writes them to a pipe-delimited file under
``DATA_DIR/dci/`` and imports that file through :func:`sigap.registry.actions.snapshot_import` -- the
path every registry file takes: the same checks, the same rejection reasons and report, and the same
idempotency (the same records again give the same snapshot).

The token comes from the SR's ``/oauth2/client/token`` (client credentials) unless one is given.
Only ``http``/``https`` URLs; every answer is size-capped; a refused or unreadable answer is a
:class:`~sigap.errors.UserError` naming the page, the DCI reason code and its message.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from sigap.core import dci
from sigap.core.schema import SOURCE_COLUMNS
from sigap.errors import UserError

COLUMNS = (*SOURCE_COLUMNS, "status_hidup")
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # one page of an answer
MAX_PAGES = 100_000
SENDER_ID = "sigap"


@dataclass(frozen=True)
class Pulled:
    """What the pull read: pages, SR records, extract rows and the file written."""

    path: Path
    pages: int
    records: int
    rows: int
    total_count: int


Post = Callable[[str, bytes, Mapping[str, str]], tuple[int, bytes]]


def _post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 -- scheme checked
            return int(answer.status), answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as e:
        return int(e.code), e.read(64 * 1024)
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise UserError(f"{url}: the social registry cannot be reached ({e})") from None


def _base(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"{url}: a DCI social registry URL starts with https:// (or http://)")
    return url.strip().rstrip("/")


def _json(status: int, body: bytes, what: str) -> Any:
    if len(body) > MAX_ANSWER_BYTES:
        raise UserError(
            f"{what}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MB; ask smaller pages"
        )
    try:
        found = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        found = None
    if status >= 400:
        errors = found.get("errors") if isinstance(found, dict) else None
        said = "; ".join(
            f"{e.get('code', '')} {e.get('message', '')}".strip() for e in errors or [] if isinstance(e, dict)
        ) or body[:300].decode("utf-8", "replace")
        raise UserError(f"{what}: the social registry answered HTTP {status}: {said}")
    if not isinstance(found, dict):
        raise UserError(f"{what}: the answer is not a JSON object")
    return found


def token_fetch(base: str, client_id: str, secret: str, *, post: Post) -> str:
    """An access token from the SR's ``/oauth2/client/token`` (DCI authz, client credentials)."""
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    status, raw = post(
        f"{base}/oauth2/client/token", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    found = _json(status, raw, "token")
    token = found.get("access_token")
    if not isinstance(token, str) or not token:
        raise UserError("token: the social registry's answer holds no access_token")
    return token


def search_message(
    query_type: str, query: Any, *, page: int, page_size: int, transaction_id: str
) -> dict[str, Any]:
    """One page's sync search request in the DCI envelope."""
    now = timezone.now().isoformat(timespec="seconds")
    return {
        "signature": "",
        "header": {
            "version": dci.VERSION,
            "message_id": str(uuid.uuid4()),
            "message_ts": now,
            "action": "search",
            "sender_id": SENDER_ID,
            "total_count": 1,
            "is_msg_encrypted": False,
        },
        "message": {
            "transaction_id": transaction_id,
            "search_request": [
                {
                    "reference_id": f"{transaction_id}-{page}",
                    "timestamp": now,
                    "search_criteria": {
                        "version": dci.VERSION,
                        "reg_event_type": "REGISTER",
                        "query_type": query_type,
                        "response_entity": "Group",
                        "query": query,
                        "pagination": {"page_size": page_size, "page_number": page},
                    },
                }
            ],
        },
    }


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _page(found: Mapping[str, Any], page: int) -> tuple[list[Any], int | None]:
    what = f"page {page}"
    head = _object(found.get("header"))
    if head.get("status") == dci.REJECTED:
        raise UserError(
            f"{what}: the social registry refused the request: {head.get('status_reason_code') or ''} "
            f"{head.get('status_reason_message') or ''}".strip()
        )
    message = found.get("message")
    items = message.get("search_response") if isinstance(message, dict) else None
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        raise UserError(f"{what}: the answer has no message.search_response")
    item = items[0]
    if item.get("status") == dci.REJECTED:
        raise UserError(
            f"{what}: the social registry refused the search: {item.get('status_reason_code') or ''} "
            f"{item.get('status_reason_message') or ''}".strip()
        )
    data = _object(item.get("data"))
    records = data.get("reg_records", [])
    if not isinstance(records, list):
        raise UserError(f"{what}: data.reg_records is not a list")
    paging = _object(item.get("pagination"))
    total = paging.get("total_count")
    if isinstance(total, str) and total.strip().isdigit():
        total = int(total)
    if total in (None, "") or isinstance(total, bool):
        return records, None  # no count: read on until a short (or empty) page
    if not isinstance(total, int) or total < 0:
        raise UserError(f"{what}: pagination.total_count {str(total)[:20]!r} is not a count")
    return records, total


def registry_pull(
    url: str,
    *,
    query_type: str = dci.PREDICATE,
    query: Any = None,
    page_size: int = 500,
    token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    timeout: float = 60.0,
    post: Post | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Pulled:
    """Read the whole extract the query selects, page by page, into a DTSEN-layout file."""
    base = _base(url)
    if not 1 <= page_size <= 10_000:
        raise UserError("--page-size: 1 to 10000 records a page")
    send: Post = post or (lambda u, b, h: _post(u, b, h, timeout))
    if token is None and client_id:
        token = token_fetch(base, client_id, client_secret or "", post=send)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    transaction_id = uuid.uuid4().hex
    folder = Path(settings.DATA_DIR) / "dci"
    folder.mkdir(parents=True, exist_ok=True)
    host = urllib.parse.urlsplit(base).hostname or "sr"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    partial = folder / f".{transaction_id}.part"
    digest = hashlib.sha256()
    pages = records = rows = 0
    expected: int | None = None
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="|", lineterminator="\n")
            writer.writerow(COLUMNS)
            page = 1
            while page <= MAX_PAGES:
                body = json.dumps(
                    search_message(
                        query_type, query, page=page, page_size=page_size, transaction_id=transaction_id
                    )
                ).encode()
                status, raw = send(f"{base}/registry/sync/search", body, headers)
                found, total = _page(_json(status, raw, f"page {page}"), page)
                if page == 1:
                    expected = total
                elif total != expected:
                    raise UserError(
                        f"page {page}: total_count changed from {expected} to {total} while reading; "
                        "the registry changed under the pull -- pull again"
                    )
                pages += 1
                for record in found:
                    for row in dci.source_rows(record):
                        writer.writerow([row.get(c, "") for c in COLUMNS])
                        rows += 1
                records += len(found)
                if progress is not None:
                    progress(records, total if total is not None else records)
                if not found or (records >= total if total is not None else len(found) < page_size):
                    break
                page += 1
            else:
                raise UserError(f"more than {MAX_PAGES} pages; ask larger pages (--page-size)")
        if expected is not None and records < expected:
            raise UserError(f"the registry announced {expected} records but sent {records}")
        digest.update(partial.read_bytes())
        path = folder / f"dci-{host}-{stamp}-{digest.hexdigest()[:12]}.csv"
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Pulled(
        path=path,
        pages=pages,
        records=records,
        rows=rows,
        total_count=expected if expected is not None else records,
    )


def registry_import_dci(
    url: str, *, reference_date: dt.date, acting_user: Any = None, progress: Any = None, **pull: Any
) -> tuple[Pulled, Any]:
    """Pull the extract and import it as a registry snapshot (:func:`snapshot_import`, no mapping:
    the file is written in SIGAP's own column names)."""
    from sigap.registry.actions import snapshot_import

    pulled = registry_pull(url, **pull)
    if pulled.rows == 0:
        raise UserError(f"{url}: the social registry sent no people for this query")
    result = snapshot_import(
        path=pulled.path, kind="registry", mapping=None, reference_date=reference_date,
        acting_user=acting_user, progress=progress,
    )  # fmt: skip
    return pulled, result
