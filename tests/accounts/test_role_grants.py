"""Maker-checker for accounts: Kepala Dinas and Auditor roles need a second person, and run approval
is refused by person, not only by account (review finding: an Admin Dinas created a Kepala Dinas
account, logged in as it and approved the list they had submitted themselves)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from sigap.accounts import roles
from sigap.accounts.actions import (
    pending_grant,
    user_create,
    user_reactivate,
    user_role_change,
    user_role_confirm,
    user_role_refuse,
)
from sigap.accounts.models import Profile, RoleGrant
from sigap.audit.models import AuditEvent
from sigap.enrolment.actions import run_approve, run_submit
from sigap.errors import UserError
from sigap.programmes.models import TargetingRun
from web.conftest import World, _fresh_cache, world  # noqa: F401 -- fixtures reused

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-panjang-9"


def _console_user(name: str, role: str = roles.ADMIN_DINAS, area: str = "3275") -> Any:
    """An account made at the console (``sigap user create`` without ``--as``): its own person."""
    return user_create(username=name, password=PASSWORD, role=role, area_code=area)


def _logs_in(name: str) -> bool:
    response = Client().post(reverse("web:login"), {"username": name, "password": PASSWORD})
    return response.status_code == 302


def _events(action: str, user: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)).order_by("id"))


def test_an_admin_cannot_approve_their_own_run_through_a_kepala_account_they_made(world: World) -> None:  # noqa: F811
    """The review's reproduction, end to end through the screens."""
    admin = world.users[roles.ADMIN_DINAS]
    run = world.run
    run_submit(run=run, acting_user=admin)
    client = Client()
    client.force_login(admin)
    form = {"username": "kepala.palsu", "password": PASSWORD, "role": roles.KEPALA_DINAS, "area_code": "3275"}
    response = client.post(reverse("ops:users"), form, follow=True)
    assert "berlaku setelah dikonfirmasi Admin Dinas lain" in response.content.decode()
    fake = get_user_model().objects.get(username="kepala.palsu")
    # until a second person confirms, the account has no role and cannot log in
    assert not fake.is_active and not Profile.objects.filter(user=fake).exists() and not fake.groups.exists()
    assert not _logs_in("kepala.palsu")
    with pytest.raises(UserError, match="dikonfirmasi"):
        user_reactivate(user=fake, acting_user=world.users["superuser"])

    # even once a genuine second Admin Dinas confirms it, it is still the maker's account
    second = _console_user("admin.dua")
    user_role_confirm(grant=pending_grant(fake), acting_user=second)
    fake.refresh_from_db()
    assert fake.is_active and fake.profile.role == roles.KEPALA_DINAS and _logs_in("kepala.palsu")
    as_fake = Client()
    as_fake.force_login(fake)
    response = as_fake.post(reverse("web:approval-approve", args=[run.pk]), follow=True)
    assert any("maker-checker" in str(m) for m in response.context["messages"])
    run.refresh_from_db()
    assert run.state == TargetingRun.SUBMITTED and run.decided_by is None
    with pytest.raises(UserError, match="dibuat atau diberi peran oleh pengaju"):
        run_approve(run=run, acting_user=fake)
    # the Kepala Dinas made at the console approves it
    assert (
        run_approve(run=run, acting_user=world.users[roles.KEPALA_DINAS]).run.state == TargetingRun.APPROVED
    )


def test_the_second_person_is_neither_the_requester_nor_an_account_linked_to_them(world: World) -> None:  # noqa: F811
    requester = world.users[roles.ADMIN_DINAS]
    auditor = user_create(
        username="auditor.baru",
        password=PASSWORD,
        role=roles.AUDITOR,
        area_code="3275",
        acting_user=requester,
    )
    grant = pending_grant(auditor)
    assert grant is not None and (grant.role, grant.area_code, grant.new_account) == ("auditor", "3275", True)

    with pytest.raises(UserError, match="empat mata"):
        user_role_confirm(grant=grant, acting_user=requester)
    # an Admin Dinas account the requester made (no confirmation needed for that role) is the same person
    puppet = user_create(
        username="admin.boneka",
        password=PASSWORD,
        role=roles.ADMIN_DINAS,
        area_code="3275",
        acting_user=requester,
    )
    assert puppet.profile.created_by == requester and puppet.profile.owner == requester
    with pytest.raises(UserError, match="terkait dengan peminta"):
        user_role_confirm(grant=grant, acting_user=puppet)
    # ... and so is an account that account made in turn (the owner is the root of the chain)
    grandchild = user_create(
        username="admin.cucu", password=PASSWORD, role=roles.ADMIN_DINAS, area_code="3275", acting_user=puppet
    )
    assert grandchild.profile.owner == requester
    with pytest.raises(UserError, match="terkait dengan peminta"):
        user_role_confirm(grant=grant, acting_user=grandchild)
    # a Kabupaten admin may not grant a Kota role; a Kepala Dinas has no right to grant at all
    with pytest.raises(UserError, match="di luar wilayah Anda"):
        user_role_confirm(grant=grant, acting_user=_console_user("admin.kab", area="3216"))
    with pytest.raises(UserError, match="tidak boleh"):
        user_role_confirm(grant=grant, acting_user=world.users[roles.KEPALA_DINAS])
    with pytest.raises(UserError, match="--as"):
        user_role_confirm(grant=grant, acting_user=None)
    auditor.refresh_from_db()
    assert not auditor.is_active and pending_grant(auditor) is not None

    second = _console_user("admin.dua")
    user_role_confirm(grant=grant, acting_user=second)
    auditor.refresh_from_db()
    profile = auditor.profile
    assert auditor.is_active and (profile.role, profile.area_code) == ("auditor", "3275")
    assert (profile.created_by, profile.owner) == (requester, requester)
    assert (profile.role_requested_by, profile.role_confirmed_by) == (requester, second)
    assert auditor.has_perm("audit.view_auditevent")
    grant.refresh_from_db()
    assert (grant.state, grant.decided_by) == (RoleGrant.CONFIRMED, second)
    with pytest.raises(UserError, match="sudah diputuskan"):
        user_role_confirm(grant=grant, acting_user=second)

    # the audit rows: the request (by the requester) and the confirmation (by the second person)
    (created,) = _events("user.create", auditor)
    assert created.actor == requester and created.area_code == "3275"
    assert created.after == {
        "role": None, "area_code": "3275", "is_active": False, "role_requested": "auditor", "grant": grant.pk,
    }  # fmt: skip
    (confirmed,) = _events("user.role_confirm", auditor)
    assert confirmed.actor == second and confirmed.area_code == "3275" and confirmed.before is None
    assert confirmed.after == {
        "role": "auditor", "area_code": "3275", "grant": grant.pk, "requested_by": requester.username,
        "new_account": True,
    }  # fmt: skip


def test_changing_an_account_to_an_approving_role_waits_and_can_be_refused(world: World) -> None:  # noqa: F811
    requester, second = world.users[roles.ADMIN_DINAS], _console_user("admin.dua")
    leader = world.users[roles.PIMPINAN]
    grant = user_role_change(user=leader, role=roles.KEPALA_DINAS, area_code="3275", acting_user=requester)
    assert grant is not None and not grant.new_account
    leader.refresh_from_db()
    assert leader.profile.role == roles.PIMPINAN  # no such role until confirmed
    (requested,) = _events("user.role_request", leader)
    assert requested.actor == requester and requested.before == {"role": "pimpinan", "area_code": "3275"}
    with pytest.raises(UserError, match="menunggu konfirmasi"):
        user_role_change(user=leader, role=roles.AUDITOR, area_code="3275", acting_user=second)

    user_role_refuse(grant=grant, acting_user=second, reason="bukan pejabat yang ditunjuk")
    leader.refresh_from_db()
    assert leader.profile.role == roles.PIMPINAN and pending_grant(leader) is None
    (refused,) = _events("user.role_refuse", leader)
    assert refused.actor == second and refused.note == "bukan pejabat yang ditunjuk"

    # asked again and confirmed: the new Kepala Dinas may not approve what the requester submitted
    grant = user_role_change(user=leader, role=roles.KEPALA_DINAS, area_code="3275", acting_user=requester)
    user_role_confirm(grant=grant, acting_user=second)
    leader.refresh_from_db()
    assert leader.profile.role == roles.KEPALA_DINAS and list(
        leader.groups.values_list("name", flat=True)
    ) == [roles.KEPALA_DINAS]
    (confirmed,) = _events("user.role_confirm", leader)
    assert confirmed.before == {"role": "pimpinan", "area_code": "3275"}
    run_submit(run=world.run, acting_user=requester)
    with pytest.raises(UserError, match="maker-checker"):
        run_approve(run=world.run, acting_user=leader)
    # a role change to a role that neither approves nor audits is made at once
    assert user_role_change(user=leader, role=roles.PIMPINAN, area_code="3275", acting_user=requester) is None
    leader.refresh_from_db()
    assert leader.profile.role == roles.PIMPINAN and _events("user.role_change", leader)


def test_an_approver_who_made_the_submitters_account_is_refused(world: World) -> None:  # noqa: F811
    root = world.users["superuser"]
    maker = user_create(
        username="admin.buatan", password=PASSWORD, role=roles.ADMIN_DINAS, area_code="3275", acting_user=root
    )
    run_submit(run=world.run, acting_user=maker)
    with pytest.raises(UserError, match="maker-checker"):
        run_approve(run=world.run, acting_user=root)
    # a superuser is a person too: the Kepala Dinas it asks for needs someone else's confirmation
    head = user_create(
        username="kepala.root", password=PASSWORD, role=roles.KEPALA_DINAS, area_code="3275", acting_user=root
    )
    assert pending_grant(head) is not None and not head.is_active


def test_only_a_kepala_dinas_decides_a_run(world: World) -> None:  # noqa: F811
    run_submit(run=world.run, acting_user=world.users[roles.ADMIN_DINAS])
    for role in (roles.ADMIN_DINAS, roles.AUDITOR, roles.PIMPINAN):
        with pytest.raises(UserError, match="hanya Kepala Dinas"):
            run_approve(run=world.run, acting_user=_console_user(f"lain.{role}", role=role))


def test_the_console_grants_directly_and_the_audit_row_says_so(world: World) -> None:  # noqa: F811
    head = _console_user("kepala.pertama", role=roles.KEPALA_DINAS)
    assert head.is_active and head.profile.role == roles.KEPALA_DINAS and pending_grant(head) is None
    assert (head.profile.created_by, head.profile.owner) == (None, head)
    (created,) = _events("user.create", head)
    assert created.actor is None and created.actor_label.startswith("cli")
    assert created.after == {"role": "kepala_dinas", "area_code": "3275", "granted": "console"}


def test_the_users_screen_lists_requests_and_a_second_admin_confirms(world: World, settings: Any) -> None:  # noqa: F811
    requester = world.users[roles.ADMIN_DINAS]
    user_create(
        username="auditor.kota",
        password=PASSWORD,
        role=roles.AUDITOR,
        area_code="3275",
        acting_user=requester,
    )
    grant = RoleGrant.objects.get()
    as_requester = Client()
    as_requester.force_login(requester)
    page = as_requester.get(reverse("ops:users")).content.decode()
    section = page.split('id="permintaan"')[1].split("</table>")[0]
    assert "auditor.kota" in section and "Batalkan" in section and "Konfirmasi" not in section
    response = as_requester.post(reverse("ops:user-grant-decide", args=[grant.pk, "konfirmasi"]), follow=True)
    assert "empat mata" in response.content.decode()

    second = _console_user("admin.dua")
    as_second = Client()
    as_second.force_login(second)
    response = as_second.post(reverse("ops:user-grant-decide", args=[grant.pk, "konfirmasi"]), follow=True)
    assert "dikonfirmasi" in response.content.decode()
    assert get_user_model().objects.get(username="auditor.kota").profile.role == roles.AUDITOR

    # changing a role on the screen: to Kepala Dinas it waits; the English screen says so too
    as_second.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    change = {"form": "role", "username": "pimpinan", "role": roles.KEPALA_DINAS, "area_code": "3275"}
    response = as_second.post(reverse("ops:users"), change, follow=True)
    assert "takes effect once another Admin Dinas confirms it" in response.content.decode()
    assert pending_grant(world.users[roles.PIMPINAN]) is not None
    bad = as_second.post(reverse("ops:users"), {**change, "username": "tidak.ada"})
    assert bad.status_code == 400 and "tidak.ada" in bad.content.decode()


def test_the_django_admin_cannot_grant_power() -> None:
    from django.contrib import admin

    user_admin = admin.site._registry[get_user_model()]
    readonly = user_admin.get_readonly_fields(None, None)
    assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= set(readonly)
    assert not admin.site._registry[Profile].has_change_permission(None)
    assert not admin.site._registry[RoleGrant].has_change_permission(None)


def test_cli_bootstrap_then_two_people(world: World) -> None:  # noqa: F811
    from sigap.cli import _register, cli

    _register()
    runner = CliRunner()

    def call(*args: str, code: int = 0, password: str = "") -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], input=password, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return json.loads(result.output.strip().splitlines()[-1])

    first = call(
        "user", "create", "kepala.kota", "--role", "kepala_dinas", "--area", "3275", "--password-stdin",
        password=PASSWORD + "\n",
    )  # fmt: skip
    assert (first["role"], first["active"], first["pending"]) == ("kepala_dinas", True, None)
    asked = call(
        "user", "create", "auditor.kota", "--role", "auditor", "--area", "3275", "--password-stdin",
        "--as", "admin_dinas", password=PASSWORD + "\n",
    )  # fmt: skip
    assert (asked["role"], asked["active"], asked["pending"]["role"]) == (None, False, "auditor")
    assert [u["username"] for u in call("user", "list", "--pending")["users"]] == ["auditor.kota"]
    refused = call("user", "confirm", "auditor.kota", "--as", "admin_dinas", code=2)
    assert "empat mata" in refused["error"]
    _console_user("admin.dua")
    done = call("user", "confirm", "auditor.kota", "--as", "admin.dua")
    assert (done["role"], done["active"], done["pending"]) == ("auditor", True, None)
    weak = call("user", "create", "op.x", "--role", "pimpinan", "--area", "3275", "--password-stdin",
                password="123\n", code=2)  # fmt: skip
    assert weak["error"] == "password refused"
