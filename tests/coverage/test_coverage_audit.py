"""The coverage actions in the audit log's words (sigap.audit.labels)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .test_reference_web import login

pytestmark = pytest.mark.django_db


def test_a_reference_figure_in_the_audit_log_reads_as_a_sentence(data_dir: Any) -> None:
    client, _ = login("admin_dinas", "3275")
    form = {"region": "3275", "year": "2025", "estimate": "200.000", "source": "DPRD Kota Bekasi"}
    assert client.post(reverse("coverage:references"), form).status_code == 302
    audit, _ = login("auditor", "3275")
    log = audit.get(reverse("web:audit-log")).content.decode()
    assert 'mengubah <a href="/kelola/cakupan/">angka acuan pekerja rentan 3275 2025</a>' in log
    assert ">reference.set<" not in log  # the filter's option value is the code; what shows is words
