"""ReferralBatch now lives in ppks (state only; the tables keep their names)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_village_profile_kind"),
        ("ppks", "0009_referralbatch_moved_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reportjob",
                    name="batch",
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                               related_name="job", to="ppks.referralbatch"),
                ),
                migrations.DeleteModel(name="ReferralBatch"),
            ],
            database_operations=[],
        ),
    ]
