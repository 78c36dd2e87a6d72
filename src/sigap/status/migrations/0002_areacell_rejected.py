# "Keluar" no longer includes members rejected by BPJS TK (sigap.enrolment.figures): a new column for
# the rejected, and the cells already computed are split from the members table (no status_refresh
# needed; the dashboard shows the same numbers as the money pages right after the upgrade).

from django.db import migrations, models
from django.db.models import Count

OUTSIDE = "outside"  # sigap.core.selection.OUTSIDE (a migration keeps its own copy)


def split_rejected(apps, schema_editor):
    AreaCell = apps.get_model("status", "AreaCell")
    Member = apps.get_model("enrolment", "Member")
    Programme = apps.get_model("programmes", "Programme")
    ProgrammeFigures = apps.get_model("status", "ProgrammeFigures")
    for programme in Programme.objects.filter(pk__in=AreaCell.objects.values("programme_id")):
        counts = {}
        rows = (
            Member.objects.filter(programme=programme, state__in=("exited", "rejected"))
            .values_list("kode_kelurahan", "desil", "pekerjaan", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        for kelurahan, desil, pekerjaan, state, n in rows:
            code = kelurahan if kelurahan and kelurahan.startswith(programme.region) else OUTSIDE
            cell = counts.setdefault((code, desil, pekerjaan[:100]), {"exited": 0, "rejected": 0})
            cell[state] += n
        for (code, desil, pekerjaan), cell in counts.items():
            AreaCell.objects.filter(
                programme=programme, kode_kelurahan=code, desil=desil, pekerjaan=pekerjaan
            ).update(exited=cell["exited"], rejected=cell["rejected"])
        for figures in ProgrammeFigures.objects.filter(programme=programme):
            totals = dict(figures.totals or {})
            totals["exited"] = sum(c["exited"] for c in counts.values())
            totals["rejected"] = sum(c["rejected"] for c in counts.values())
            figures.totals = totals
            figures.save(update_fields=["totals"])


class Migration(migrations.Migration):
    dependencies = [
        ("status", "0001_initial"),
        ("enrolment", "0002_batch_exported_on_exit_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="areacell",
            name="rejected",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(split_rejected, migrations.RunPython.noop),
    ]
