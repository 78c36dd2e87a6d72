"""State changes that read models follow: the writers *send*, the read models *subscribe*.

Writers (enrolment, lifecycle, billing) know nothing of the read models of :mod:`sigap.status`; they
announce what changed, and :class:`sigap.status.apps.StatusConfig` connects the receivers.  Signals
run synchronously in the sender's transaction, so a receiver decides itself what happens now and what
waits for the commit (``transaction.on_commit``).

``members_changed(programme_ids=..., added=...)``
    members of these programmes changed.  ``added=True``: a list came into force (approval); the
    citizen answers are rebuilt inside the approving transaction and switch when it commits.
``money_changed(programme=...)``
    invoices or payments of the programme changed (the dashboard's realisation and months).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

members_changed = Signal()
money_changed = Signal()


def announce_members(programme_ids: Iterable[int], *, added: bool = False) -> None:
    members_changed.send(sender=None, programme_ids=sorted(set(programme_ids)), added=added)


def announce_money(programme: Any) -> None:
    money_changed.send(sender=None, programme=programme)
