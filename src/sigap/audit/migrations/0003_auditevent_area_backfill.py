"""Existing audit events get the same area ``audit_record`` gives new ones (``event_area``),
set-based: first the object's region, then the actor's area where it is narrower (or the object has
none).  Events with neither stay "" (the whole installation: superusers only).
"""

from django.db import migrations
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce

#: object_type -> (app, model, path to the region code)
OBJECT_AREAS = {
    "enrolment.member": ("enrolment", "Member", "kode_kelurahan"),
    "enrolment.memberexit": ("enrolment", "MemberExit", "member__kode_kelurahan"),
    "enrolment.enrolmentbatch": ("enrolment", "EnrolmentBatch", "programme__region"),
    "enrolment.bpjsresponse": ("enrolment", "BpjsResponse", "batch__programme__region"),
    "claims.incident": ("claims", "Incident", "kode_kelurahan"),
    "claims.claim": ("claims", "Claim", "incident__kode_kelurahan"),
    "claims.scholarship": ("claims", "Scholarship", "claim__incident__kode_kelurahan"),
    "pengaduan.grievance": ("pengaduan", "Grievance", "kode_kelurahan"),
    "usulan.dataupdaterequest": ("usulan", "DataUpdateRequest", "kode_kelurahan"),
    "programmes.programme": ("programmes", "Programme", "region"),
    "programmes.targetingrun": ("programmes", "TargetingRun", "programme__region"),
    "billing.invoice": ("billing", "Invoice", "programme__region"),
    "billing.payment": ("billing", "Payment", "programme__region"),
    "jobs.job": ("jobs", "Job", "area_code"),
    "auth.user": ("accounts", "Profile", "area_code"),  # looked up by user id below
}


def backfill_areas(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Profile = apps.get_model("accounts", "Profile")
    object_pk = Cast(OuterRef("object_id"), BigIntegerField())
    for object_type, (app, name, path) in OBJECT_AREAS.items():
        model = apps.get_model(app, name)
        key = {"user_id": object_pk} if object_type == "auth.user" else {"pk": object_pk}
        region = Subquery(model.objects.filter(**key).values(path)[:1])
        AuditEvent.objects.filter(object_type=object_type, object_id__regex=r"^[0-9]+$").update(
            area_code=Coalesce(region, Value(""))
        )
    # the actor's area where it lies inside the object's region, or where the object has none
    AuditEvent.objects.filter(
        actor__isnull=False,
        actor__is_superuser=False,
        actor__profile__area_code__startswith=F("area_code"),
    ).update(area_code=Subquery(Profile.objects.filter(user_id=OuterRef("actor_id")).values("area_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_auditevent_area_code"),
        ("accounts", "0002_profile_people_rolegrant"),
        ("billing", "0002_invoice_supplement"),
        ("claims", "0001_initial"),
        ("enrolment", "0002_batch_exported_on_exit_source"),
        ("jobs", "0002_batch_export_kind"),
        ("pengaduan", "0001_initial"),
        ("programmes", "0002_targetingrun_decided_at_targetingrun_decided_by_and_more"),
        ("usulan", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill_areas, migrations.RunPython.noop)]
