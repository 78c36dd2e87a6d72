# AreaCell.programme: no database constraint and no index of its own (the (programme, kode_kelurahan)
# index leads with it): on PostgreSQL the deferred foreign-key check of a province's million cells cost
# ~3.5 s at commit; Django still cascades a deleted programme.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0005_roster_linkage'),
        ('status', '0002_areacell_rejected'),
    ]

    operations = [
        migrations.AlterField(
            model_name='areacell',
            name='programme',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.programme'),
        ),
    ]
