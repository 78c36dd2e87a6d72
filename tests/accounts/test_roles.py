import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from sigap.accounts.actions import user_create
from sigap.accounts.roles import AUDITOR, OPERATOR_KELURAHAN
from sigap.accounts.scoping import area_prefix, in_area, may_see_personal_data
from sigap.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_operator_kelurahan_is_scoped_to_their_kelurahan():
    user = user_create(
        username="op-bintara", password="x" * 12, role=OPERATOR_KELURAHAN, area_code="3275021001"
    )
    assert area_prefix(user) == "3275021001"
    assert in_area(user, "3275021001") and not in_area(user, "3275021002")
    assert may_see_personal_data(user)
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_area_code_must_fit_the_role():
    with pytest.raises(ValidationError):
        user_create(username="op-bad", password="x" * 12, role=OPERATOR_KELURAHAN, area_code="3275")


def test_auditor_group_has_audit_permission():
    user = user_create(username="aud", password="x" * 12, role=AUDITOR, area_code="3275")
    assert user.has_perm("audit.view_auditevent")
    assert not user.has_perm("programmes.add_targetingrun")


def test_user_without_role_sees_nothing():
    with pytest.raises(PermissionDenied):
        area_prefix(AnonymousUser())


@pytest.mark.django_db
def test_migrate_gives_every_role_group_all_its_permissions():
    """The groups are set once, after the last app's permissions exist (sync_role_groups)."""
    from django.contrib.auth.models import Group

    from sigap.accounts.apps import sync_role_groups
    from sigap.accounts.roles import PERMISSIONS

    for role, perms in PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == set(perms), role
    Group.objects.all().delete()
    from django.apps import apps

    sync_role_groups(sender=apps.get_app_config("accounts"))  # not the last app: nothing to do
    assert not Group.objects.exists()
    sync_role_groups()  # called by hand: always
    assert Group.objects.count() == len(PERMISSIONS)
