"""Account actions: create a user with a role and area, change a role, grant approving/auditing roles
with a second person (maker-checker for accounts), block and unblock logins.  Every one is audited.

Granting a role of ``roles.CONFIRMED_ROLES`` (Kepala Dinas approves lists, the Auditor audits) needs
two people: a user with the right to grant *requests* it (``user_create`` or ``user_role_change``), a
different person with that right *confirms* it (``user_role_confirm``) or refuses it.  Until then a
new account has no role and cannot log in; an existing account keeps its old role.

The console (``sigap user ...`` without ``--as``: whoever administers the server, who already holds
the database) grants directly: that is how a new installation gets its first Kepala Dinas.  The audit
row of such a grant says ``"granted": "console"``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.guards import require_region, require_role
from sigap.accounts.models import Profile, RoleGrant
from sigap.accounts.persons import person_of, persons
from sigap.accounts.roles import CONFIRMED_ROLES, GRANT_ROLES
from sigap.audit.actions import Actor, actor_label, audit_record, stored_user
from sigap.errors import UserError


def _check_role_area(role: str, area_code: str) -> None:
    """The role exists and the area code fits it (raises ValidationError, as the form would)."""
    Profile(role=role, area_code=area_code).full_clean(
        exclude=["user", "created_by", "owner", "role_requested_by", "role_confirmed_by"]
    )


def _needs_second_person(role: str, requester: Any) -> bool:
    """A named user asks for an approving/auditing role: another person must confirm."""
    return role in CONFIRMED_ROLES and requester is not None


def _pending(user: Any) -> RoleGrant | None:
    return RoleGrant.objects.filter(user_id=user.pk, state=RoleGrant.PENDING).first()


def pending_grant(user: Any) -> RoleGrant | None:
    """The account's role request waiting for confirmation, if any."""
    return _pending(user)


def _set_role(user: Any, profile: Profile | None, **fields: Any) -> Profile:
    if profile is None:
        profile = Profile(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user", "created_by", "owner", "role_requested_by", "role_confirmed_by"])
    profile.save()
    user.groups.set([Group.objects.get(name=profile.role)])
    return profile


@transaction.atomic
def user_create(*, username: str, password: str, role: str, area_code: str, acting_user: Actor = None) -> Any:
    """A user with a role and an area; an officer creates accounts only inside their own area.

    A Kepala Dinas or Auditor account made by a user is created *without* a role and inactive: the role
    is a request (:class:`RoleGrant`) that another person confirms with :func:`user_role_confirm`.
    """
    require_role(acting_user, GRANT_ROLES, what="membuat akun")
    require_region(acting_user, area_code, what="area code")
    _check_role_area(role, area_code)
    creator = stored_user(acting_user)
    user = get_user_model().objects.create_user(username=username, password=password)
    if _needs_second_person(role, creator):
        user.is_active = False
        user.save(update_fields=["is_active"])
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            area_code=area_code,
            new_account=True,
            requested_by=creator,
            requested_at=timezone.now(),
        )
        audit_record(
            acting_user=acting_user,
            action="user.create",
            obj=user,
            area_code=area_code,
            after={
                "role": None,
                "area_code": area_code,
                "is_active": False,
                "role_requested": role,
                "grant": grant.pk,
            },
            note=f"peran {role} menunggu konfirmasi orang lain",
        )
        return user
    _set_role(
        user,
        None,
        role=role,
        area_code=area_code,
        created_by=creator,
        owner_id=person_of(creator) if creator is not None else user.pk,
        role_requested_by=creator,
        role_confirmed_by=None,
    )
    after: dict[str, Any] = {"role": role, "area_code": area_code}
    if role in CONFIRMED_ROLES:
        after["granted"] = "console"
    audit_record(acting_user=acting_user, action="user.create", obj=user, area_code=area_code, after=after)
    return user


@transaction.atomic
def user_role_change(*, user: Any, role: str, area_code: str, acting_user: Actor) -> RoleGrant | None:
    """Change an account's role or area.  To a Kepala Dinas or Auditor role (or such a role in another
    area) this is a request that another person confirms: returns the pending :class:`RoleGrant` and
    leaves the account as it is.  Any other change is made at once (returns None)."""
    require_role(acting_user, GRANT_ROLES, what="mengubah peran akun")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    profile = Profile.objects.filter(user_id=user.pk).first()
    if profile is not None:
        require_region(acting_user, profile.area_code, what="user area")
    require_region(acting_user, area_code, what="area code")
    _check_role_area(role, area_code)
    if _pending(user) is not None:
        raise UserError(
            _("Akun %(u)s sudah punya permintaan peran yang menunggu konfirmasi.")
            % {"u": user.get_username()}
        )
    before = {"role": profile.role, "area_code": profile.area_code} if profile is not None else None
    if before == {"role": role, "area_code": area_code}:
        raise UserError(_("Akun %(u)s sudah berperan itu di wilayah itu.") % {"u": user.get_username()})
    requester = stored_user(acting_user)
    if _needs_second_person(role, requester):
        grant = RoleGrant.objects.create(
            user=user, role=role, area_code=area_code, requested_by=requester, requested_at=timezone.now()
        )
        audit_record(
            acting_user=acting_user,
            action="user.role_request",
            obj=user,
            area_code=area_code,
            before=before,
            after={"role_requested": role, "area_code": area_code, "grant": grant.pk},
        )
        return grant
    fields: dict[str, Any] = {
        "role": role,
        "area_code": area_code,
        "role_requested_by": requester,
        "role_confirmed_by": None,
    }
    if profile is None:  # an account made outside SIGAP (a script's): it is its own person
        fields["owner_id"] = user.pk
    _set_role(user, profile, **fields)
    after: dict[str, Any] = {"role": role, "area_code": area_code}
    if role in CONFIRMED_ROLES:
        after["granted"] = "console"
    audit_record(
        acting_user=acting_user,
        action="user.role_change",
        obj=user,
        area_code=area_code,
        before=before,
        after=after,
    )
    return None


def _lock_grant(grant: RoleGrant) -> RoleGrant:
    locked = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.state != RoleGrant.PENDING:
        raise UserError(
            _("Permintaan peran #%(id)s sudah diputuskan (%(state)s).")
            % {"id": locked.pk, "state": locked.get_state_display()}
        )
    return locked


def _decider(grant: RoleGrant, acting_user: Actor, what: str) -> Any:
    user = stored_user(acting_user)
    if user is None:
        raise UserError(_("Permintaan peran diputuskan oleh pengguna bernama (--as NAMA)."))
    require_role(user, GRANT_ROLES, what=what)
    require_region(user, grant.area_code, what="area code")
    return user


@transaction.atomic
def user_role_confirm(*, grant: RoleGrant, acting_user: Actor) -> Any:
    """The second person confirms a role request: the account gets the role (a new account becomes
    active).  Refused when the confirmer is the requester, the account itself, or linked to either
    (made by, or given a role by, the same person: :mod:`sigap.accounts.persons`)."""
    grant = _lock_grant(grant)
    confirmer = _decider(grant, acting_user, "mengonfirmasi peran")
    target = get_user_model().objects.select_for_update().get(pk=grant.user_id)
    requester = grant.requested_by
    if confirmer.pk in (grant.requested_by_id, target.pk):
        raise UserError(
            _(
                "Peran %(role)s untuk %(u)s diminta oleh %(who)s: orang lain yang berhak yang harus "
                "mengonfirmasinya (empat mata)."
            )
            % {"role": grant.role, "u": target.get_username(), "who": actor_label(requester)}
        )
    if persons(confirmer) & (persons(requester) | persons(target)):
        raise UserError(
            _(
                "Akun %(me)s terkait dengan peminta atau akun %(u)s (dibuat atau diberi peran oleh orang "
                "yang sama): orang lain yang harus mengonfirmasi peran ini (empat mata)."
            )
            % {"me": confirmer.get_username(), "u": target.get_username()}
        )
    profile = Profile.objects.filter(user_id=target.pk).first()
    before = {"role": profile.role, "area_code": profile.area_code} if profile is not None else None
    fields: dict[str, Any] = {
        "role": grant.role,
        "area_code": grant.area_code,
        "role_requested_by": requester,
        "role_confirmed_by": confirmer,
    }
    if profile is None:
        if grant.new_account and requester is not None:
            fields["created_by"] = requester
            fields["owner_id"] = person_of(requester)
        else:
            fields["owner_id"] = target.pk
    _set_role(target, profile, **fields)
    if grant.new_account and not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active"])
    grant.state = RoleGrant.CONFIRMED
    grant.decided_by = confirmer
    grant.decided_at = timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        acting_user=acting_user,
        action="user.role_confirm",
        obj=target,
        area_code=grant.area_code,
        before=before,
        after={
            "role": grant.role,
            "area_code": grant.area_code,
            "grant": grant.pk,
            "requested_by": actor_label(requester),
            "new_account": grant.new_account,
        },
    )
    return target


@transaction.atomic
def user_role_refuse(*, grant: RoleGrant, acting_user: Actor, reason: str = "") -> RoleGrant:
    """Refuse (or, by its requester, withdraw) a role request: the account stays as it was (a new
    account stays without a role and inactive)."""
    grant = _lock_grant(grant)
    user = _decider(grant, acting_user, "menolak permintaan peran")
    grant.state = RoleGrant.REFUSED
    grant.decided_by = user
    grant.decided_at = timezone.now()
    grant.reason = reason.strip()
    grant.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    audit_record(
        acting_user=acting_user,
        action="user.role_refuse",
        obj=grant.user,
        area_code=grant.area_code,
        after={"role_requested": grant.role, "area_code": grant.area_code, "grant": grant.pk},
        note=grant.reason,
    )
    return grant


def _set_active(*, user: Any, active: bool, acting_user: Any) -> Any:
    if acting_user is not None and getattr(acting_user, "pk", None) == user.pk and not active:
        raise UserError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    profile = getattr(user, "profile", None)
    if profile is not None:
        require_region(acting_user, profile.area_code, what="user area")
    elif active and RoleGrant.objects.filter(user_id=user.pk, new_account=True).exists():
        # a new account waiting for (or refused) its role logs in only once its role is confirmed
        raise UserError(
            _("Akun %(u)s baru aktif setelah perannya dikonfirmasi.") % {"u": user.get_username()}
        )
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit_record(
            acting_user=acting_user,
            action="user.activate" if active else "user.deactivate",
            obj=locked,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return locked


def user_deactivate(*, user: Any, acting_user: Any) -> Any:
    """Block a login (the account and its history stay; nothing is deleted). Not one's own."""
    return _set_active(user=user, active=False, acting_user=acting_user)


def user_reactivate(*, user: Any, acting_user: Any) -> Any:
    return _set_active(user=user, active=True, acting_user=acting_user)
