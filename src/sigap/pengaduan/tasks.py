"""Background task wrapper (django-tasks): run it from a scheduler, e.g. every hour."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def escalate_late_grievances() -> int:
    from sigap.pengaduan.actions import grievances_escalate

    return len(grievances_escalate(now=timezone.now()))
