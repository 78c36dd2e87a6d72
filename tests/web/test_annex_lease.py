"""Work done inside a web request keeps its working folder fresh (review of wave 2).

The cleanup removes ``.tmp-*`` entries untouched for a lease (120 s).  The decree annex of a large list
renders for minutes inside the request that asks for it; before, the cleanup of a worker starting
meanwhile removed its folder and the request ended in a 500.  Here the lease stands at 1 s and the
render at 2.5 s."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from web.conftest import World, approve

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cleanup_leaves_an_annex_being_rendered(world: World, settings: Any, monkeypatch: Any) -> None:
    from sigap.enrolment import annex
    from sigap.enrolment.actions import annex_write
    from sigap.jobs.cleanup import data_cleanup

    approve(world)
    settings.SIGAP_JOB_LEASE_SECONDS = 1.0
    render = annex.write_pdf

    def slow(*args: Any) -> Any:
        time.sleep(2.5)
        return render(*args)

    monkeypatch.setattr(annex, "write_pdf", slow)
    reports: list[Any] = []

    def cleanup() -> None:
        time.sleep(1.8)  # the folder is older than the lease by now
        reports.append(data_cleanup(trigger="worker"))

    thread = threading.Thread(target=cleanup)
    thread.start()
    try:
        out = annex_write(run=world.run, acting_user=world.users["kepala_dinas"])
    finally:
        thread.join()
    assert out["pdf"].is_file() and out["xlsx"].is_file()
    assert reports and not [p for p in reports[0].removed if ".tmp-annex-" in str(p)]
