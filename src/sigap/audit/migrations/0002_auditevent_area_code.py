"""AuditEvent.area_code: the region an event belongs to; the audit log shows each viewer their area.

Existing events get their area in 0003 (a separate transaction: PostgreSQL refuses to build this
column's index after rows of the table were updated in the same transaction).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="area_code",
            field=models.CharField(blank=True, db_index=True, default="", max_length=10, verbose_name="wilayah"),
        ),
    ]
