"""Production settings for gunicorn: ``gunicorn -c python:sigap.gunicorn_conf sigap.wsgi``.

One process per core uses both cores despite the GIL; two threads each (see ``threads``).
The application is loaded once in the master (``preload_app``) and its objects are frozen out of the
garbage collector's sight (``gc.freeze``): the workers share those pages copy-on-write, and a collection
no longer walks Django's whole object graph in the middle of a request (the p99 spikes under load).
Each worker listens on a socket of its own (``SO_REUSEPORT``): the kernel spreads new connections evenly
over them.  On one shared socket, whichever worker woke first took the connections, and a worker keeps a
keep-alive connection for good: 32 connections split 30/2, 24/8 or 26/6 between two workers, and the busy
worker's queue was the status check's p99 (bench/citizen_check.py: 63 -> 38 ms).  Only for TCP
addresses with a fixed port (a Unix socket path, a port 0 or sockets handed over by systemd cannot be
shared this way: one socket then, as before); ``SIGAP_REUSE_PORT=0`` turns it off.  A HUP reload keeps
the shape the master started with.  gunicorn's USR2 upgrade needs the master's shared socket: with
sockets per worker, restart the service instead (or set ``SIGAP_REUSE_PORT=0``).
Override with SIGAP_WORKERS, SIGAP_THREADS, SIGAP_BIND.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from typing import Any

bind = os.environ.get("SIGAP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# one process per core, two threads each: a slow response (a large download to a slow client) holds one
# thread, not the worker.  With a socket per worker, bench/citizen_check.py gave status-check p99 41 ms with
# one thread and 44 ms with two (goal 50); alternating runs on a noisy day favoured one thread (41 vs 60 ms).
# SIGAP_THREADS=1 where only quick requests are served.
workers = int(os.environ.get("SIGAP_WORKERS", str(os.cpu_count() or 1)))
threads = int(os.environ.get("SIGAP_THREADS", "2"))
preload_app = True
keepalive = 30
backlog = 2048
reuse_port = os.environ.get("SIGAP_REUSE_PORT", "1") != "0"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat file in memory


def reuse_port_applies(addresses: list[Any], environ: Mapping[str, str], pid: int) -> bool:
    """Whether every listening address can be one socket per worker.  ``addresses`` as gunicorn parsed
    them (``cfg.address``): ``(host, port)`` for TCP, a path for a Unix socket, a number for ``fd://``.
    Only TCP with a fixed port, and no socket inherited from gunicorn's own re-exec (``GUNICORN_FD``)
    or from systemd (``LISTEN_FDS`` for this process)."""
    if "GUNICORN_FD" in environ:
        return False
    if environ.get("LISTEN_FDS") and environ.get("LISTEN_PID") == str(pid):
        return False
    return bool(addresses) and all(
        isinstance(address, tuple) and isinstance(address[1], int) and address[1] != 0
        for address in addresses
    )


def on_starting(server: Any) -> None:
    # the final addresses (``--bind`` on the command line overrides this file): one shared socket when
    # they cannot be one per worker
    if server.cfg.reuse_port and not reuse_port_applies(server.cfg.address, os.environ, os.getpid()):
        server.cfg.set("reuse_port", False)


def on_reload(server: Any) -> None:
    # HUP reads this file again: keep the shape the master has (its shared sockets, or none)
    if server.cfg.reuse_port and (
        server.LISTENERS or server.systemd or not reuse_port_applies(server.cfg.address, {}, 0)
    ):
        server.cfg.set("reuse_port", False)


def when_ready(server: Any) -> None:
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    # fewer, larger young-generation collections; the frozen app objects are never scanned
    gc.set_threshold(50_000, 20, 20)
