"""Issue 8: the browser's import (a background job) links a roster like `sigap roster import` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linkage.helpers import linkage_people, linkage_roster
from registry.registry_factory import write_csv, write_roster_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _job(admin: Any, data_dir: Path, name: str, kind: str, write: Any) -> Any:
    from sigap.jobs.actions import job_start
    from sigap.jobs.models import Job

    upload = Path("uploads") / kind / name
    (data_dir / upload).parent.mkdir(parents=True, exist_ok=True)
    write(data_dir / upload)
    job = job_start(
        kind=Job.SNAPSHOT_IMPORT,
        params={"upload": str(upload), "kind": kind, "mapping": None, "reference_date": "2026-01-01"},
        acting_user=admin,
    )
    assert job.state == Job.DONE, job.error
    return job


def test_browser_import_job_links_the_roster(data_dir: Path) -> None:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.audit.models import AuditEvent
    from sigap.programmes.models import RosterLinkage

    admin = user_create(
        username="admin", password="sandi-rahasia-1", role=roles.ADMIN_DINAS, area_code="3275"
    )
    people = linkage_people()
    registry = _job(admin, data_dir, "dtsen.csv", "registry", lambda p: write_csv(p, people))
    assert "linkage" not in registry.result
    roster = _job(
        admin, data_dir, "bpjs.csv", "roster", lambda p: write_roster_csv(p, linkage_roster(people))
    )
    linkage = RosterLinkage.objects.get(pk=roster.result["linkage"])
    assert linkage.roster_id == roster.result["snapshot"] and linkage.created_by == admin
    assert (roster.result["linked_rows"], roster.result["review_rows"]) == (4, 1)
    assert AuditEvent.objects.get(action="roster.link").actor == admin

    # the audit log reads it as a sentence
    from django.test import Client
    from django.urls import reverse

    auditor = user_create(
        username="auditor", password="sandi-rahasia-1", role=roles.AUDITOR, area_code="3275"
    )
    client = Client()
    client.force_login(auditor)
    log = client.get(reverse("web:audit-log")).content.decode()
    assert "mencocokkan daftar peserta BPJS TK dengan registri: pencocokan daftar peserta BPJS TK" in log
