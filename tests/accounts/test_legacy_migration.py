"""Upgrading an installation of wave 1: an Admin Dinas who created a Kepala Dinas account (and so chose
its first password) is the same person as that account for maker-checker, as the audit log recorded
it.  Migration 0002 had made every old account its own person (review of wave 2)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0002_profile_people_rolegrant"), ("audit", "0003_auditevent_area_backfill")]
AFTER = [("accounts", "0003_legacy_accounts_link_their_creators")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_an_account_made_by_an_officer_before_the_upgrade_is_linked_to_that_officer() -> None:
    apps = _migrate(BEFORE)
    User = apps.get_model("auth", "User")  # type: ignore[attr-defined]
    Profile = apps.get_model("accounts", "Profile")  # type: ignore[attr-defined]
    AuditEvent = apps.get_model("audit", "AuditEvent")  # type: ignore[attr-defined]
    console = User.objects.create(username="admin.lama")
    kadis = User.objects.create(username="kadis.lama")
    helper = User.objects.create(username="staf.lama")
    for user, role in ((console, "admin_dinas"), (kadis, "kepala_dinas"), (helper, "admin_dinas")):
        Profile.objects.create(user=user, role=role, area_code="3275", owner=user)
    AuditEvent.objects.create(action="user.create", object_type="auth.user", object_id=str(console.pk))
    AuditEvent.objects.create(
        action="user.create", object_type="auth.user", object_id=str(helper.pk), actor=console
    )
    AuditEvent.objects.create(
        action="user.create", object_type="auth.user", object_id=str(kadis.pk), actor=helper
    )

    apps = _migrate(AFTER)
    Profile = apps.get_model("accounts", "Profile")  # type: ignore[attr-defined]
    rows = {p.user_id: (p.created_by_id, p.owner_id) for p in Profile.objects.all()}
    assert rows[console.pk] == (None, console.pk)  # made from the console: its own person
    assert rows[helper.pk] == (console.pk, console.pk)
    assert rows[kadis.pk] == (helper.pk, console.pk)  # the chain leads back to one person

    from django.contrib.auth import get_user_model

    from sigap.accounts.persons import same_person

    users = get_user_model().objects
    assert same_person(users.get(pk=kadis.pk), users.get(pk=helper.pk))
