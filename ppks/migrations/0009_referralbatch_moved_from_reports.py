"""ReferralBatch moves from reports to ppks (it belongs to the referral workflow); its tables keep their names.

State only: the table ``reports_referralbatch`` and its registrations table stay as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ppks", "0008_region_code_statistics"),
        ("reports", "0002_village_profile_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReferralBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("region_code", models.CharField(blank=True, max_length=13, verbose_name="wilayah")),
                        ("letter_number", models.CharField(max_length=60, unique=True, verbose_name="nomor surat")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="dikirim")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                         to=settings.AUTH_USER_MODEL)),
                        ("directorate", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                          to="ppks.directorate", verbose_name="direktorat tujuan")),
                        ("registrations", models.ManyToManyField(db_table="reports_referralbatch_registrations",
                                                                 related_name="referral_batches",
                                                                 to="ppks.registration")),
                    ],
                    options={
                        "verbose_name": "batch rujukan",
                        "verbose_name_plural": "batch rujukan",
                        "ordering": ["-created_at"],
                        "db_table": "reports_referralbatch",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
