"""The baseline for bench/dashboard.py: a minimal WSGI app answering every GET with one static page.

No framework, no database: the bytes of the dashboard page SIGAP served (``BENCH_PAGE_FILE``), read
once, answered as they are.  Served by gunicorn exactly like SIGAP, it is what the same server, the
same loopback and the same load generator can do with a page of that size: the ceiling.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PAGE = Path(os.environ.get("BENCH_PAGE_FILE", "")).read_bytes() if os.environ.get("BENCH_PAGE_FILE") else b""
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [PAGE]
