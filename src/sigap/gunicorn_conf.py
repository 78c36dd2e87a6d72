"""Production settings for gunicorn: ``gunicorn -c python:sigap.gunicorn_conf sigap.wsgi``.

One process per core uses both cores despite the GIL; two threads each overlap the database round trip.
The application is loaded once in the master (``preload_app``) and its objects are frozen out of the
garbage collector's sight (``gc.freeze``): the workers share those pages copy-on-write, and a collection
no longer walks Django's whole object graph in the middle of a request (the p99 spikes under load).
Override with SIGAP_WORKERS, SIGAP_THREADS, SIGAP_BIND.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("SIGAP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# one process per core, two threads each: measured best on 2 cores (bench/citizen_check.py; 4x4 doubled p99)
workers = int(os.environ.get("SIGAP_WORKERS", str(os.cpu_count() or 1)))
threads = int(os.environ.get("SIGAP_THREADS", "2"))
preload_app = True
keepalive = 30
backlog = 2048
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat file in memory


def when_ready(server: Any) -> None:
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    # fewer, larger young-generation collections; the frozen app objects are never scanned
    gc.set_threshold(50_000, 20, 20)
