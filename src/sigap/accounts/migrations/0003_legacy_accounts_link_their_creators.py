"""Accounts made before people were recorded (0002 made each its own person) are linked back to the
account that created them, as the audit log recorded it (``user.create`` by an officer): whoever chose
an account's first password stays the same person as that account for maker-checker.  Accounts made
from the console (no actor) stay their own person."""

from django.db import migrations


def link_creators(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    creators = dict(
        AuditEvent.objects.filter(action="user.create", actor__isnull=False)
        .order_by("id")
        .values_list("object_id", "actor_id")
    )

    def root(user_id):
        seen = {user_id}
        while (creator := creators.get(str(user_id))) is not None and creator not in seen:
            seen.add(creator)
            user_id = creator
        return user_id

    for profile in Profile.objects.filter(created_by__isnull=True).order_by("user_id"):
        creator = creators.get(str(profile.user_id))
        if creator is None or creator == profile.user_id:
            continue
        profile.created_by_id = creator
        if profile.owner_id in (None, profile.user_id):
            profile.owner_id = root(profile.user_id)
        profile.save(update_fields=["created_by", "owner"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_people_rolegrant"),
        ("audit", "0003_auditevent_area_backfill"),
    ]

    operations = [migrations.RunPython(link_creators, migrations.RunPython.noop)]
