"""A server process pays its first-request work at start, not on a citizen's request
(sigap.web.warmup, run by sigap.wsgi; with gunicorn's preload in the master, before the fork).

Before: the first request in each gunicorn worker imported the whole URLconf (the API's schemas,
pyarrow, numpy...), ~1.2 s of CPU, and its neighbours waited behind it -- the p99 of the status check
under load.  A fresh interpreter imports ``sigap.wsgi`` as gunicorn does, then serves the public pages
in both languages: no module may be imported by those requests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sigap.web import warmup

SCRIPT = r"""
import io, json, sys
from sigap.wsgi import application
before = set(sys.modules)
statuses = []
for path, language in (("/cek-status/", "id"), ("/cek-status/", "en"), ("/masuk/", "id"), ("/", "en")):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "wsgi.input": io.BytesIO(b""),
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.errors": sys.stderr, "HTTP_ACCEPT_LANGUAGE": language,
    }
    seen = {}
    b"".join(application(environ, lambda status, headers, exc=None: seen.update(status=status)))
    statuses.append(seen["status"])
print(json.dumps({"statuses": statuses, "imported": sorted(set(sys.modules) - before)}))
"""


def test_the_first_requests_import_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SIGAP_DATA_DIR": str(tmp_path / "data"),
        "SIGAP_ENV": "development",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert [s.split()[0] for s in found["statuses"]] == ["200", "200", "200", "302"]
    assert found["imported"] == []


def test_every_warmed_template_exists() -> None:
    warmup.warm_up()  # raises TemplateDoesNotExist for a template renamed without updating the list
    assert len(warmup.TEMPLATES) >= 5
