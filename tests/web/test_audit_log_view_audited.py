"""Opening the audit log is itself recorded: who looked, with which filters (issue 9), like every
other list of personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.accounts import roles
from sigap.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_opening_and_filtering_the_audit_log_is_recorded_with_its_filters(world: Any) -> None:
    auditor = world.users[roles.AUDITOR]
    client = Client()
    client.force_login(auditor)
    assert client.get(reverse("web:audit-log")).status_code == 200
    page = client.get(reverse("web:audit-log"), {"aksi": "run.approve", "dari": "2026-01-01", "halaman": "1"})
    assert page.status_code == 200
    views = list(AuditEvent.objects.filter(action="audit.view").order_by("id"))
    assert [v.actor_label for v in views] == [auditor.username, auditor.username]
    assert views[0].after["page"] == 1 and "action" not in views[0].after
    assert views[1].after["action"] == "run.approve" and views[1].after["date_from"] == "2026-01-01"
    assert views[1].note == "aksi=run.approve, dari=2026-01-01"
    assert views[1].area_code == auditor.profile.area_code
    # the next look shows the earlier one as a sentence with what was filtered
    text = client.get(reverse("web:audit-log"), {"aksi": "audit.view"}).content.decode()
    assert "membuka log audit" in text
    assert "aksi=run.approve, dari=2026-01-01" in text


def test_an_operator_cannot_open_the_log_and_leaves_no_view_row(world: Any) -> None:
    client = Client()
    client.force_login(world.users[roles.OPERATOR_KELURAHAN])
    assert client.get(reverse("web:audit-log")).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="audit.view").exists()
