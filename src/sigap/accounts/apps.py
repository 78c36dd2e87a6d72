from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_role_groups(**kwargs: Any) -> None:
    """Create one group per role with its permissions (idempotent; runs after every migrate).

    ``post_migrate`` is sent once per app, and each app's permissions are created by its own signal:
    the groups are set once, after the last app's (every ``sigap`` command migrates first: doing it for
    each of ~25 apps cost 0.7 s a command)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from sigap.accounts.roles import PERMISSIONS

    sender = kwargs.get("sender")
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not None and sender is not last:
        return

    for role, perms in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


class AccountsConfig(AppConfig):
    name = "sigap.accounts"
    label = "accounts"
    verbose_name = "Akun dan peran"

    def ready(self) -> None:
        post_migrate.connect(sync_role_groups, dispatch_uid="sigap.accounts.sync_role_groups")
        from django.contrib.auth.signals import user_logged_in

        from sigap.accounts.sessions import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="sigap.accounts.sessions.mark_login")
