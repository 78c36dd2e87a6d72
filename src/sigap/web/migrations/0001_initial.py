from django.db import migrations, models


def unlogged(apps, schema_editor):
    # PostgreSQL: counters need no crash safety, so no write-ahead log and no fsync per hit.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE web_ratecounter SET UNLOGGED")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("bucket", models.CharField(max_length=80, primary_key=True, serialize=False)),
                ("hits", models.IntegerField()),
                ("window_ends", models.FloatField(db_index=True)),
            ],
            options={
                "verbose_name": "rate-limit counter",
            },
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
