import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dimensions", "0003_validated_has_time")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="record_rule",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ppks_freshness", "Kemutakhiran daftar PPKS desa"),
                    ("ppks_served_share", "Persentase PPKS yang dilayani atau rujukannya tuntas"),
                    ("psks_active_types", "Jumlah jenis PSKS aktif di desa"),
                ],
                max_length=20,
                verbose_name="dihitung dari catatan",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="scored_from",
            field=models.CharField(
                choices=[("respondents", "Jawaban responden"), ("records", "Catatan aplikasi")],
                default="respondents",
                help_text="Instrumen menentukan: skor indikator administratif dari catatan aplikasi atau dari "
                "jawaban responden (yang lain ditampilkan sebagai pembanding).",
                max_length=12,
                verbose_name="skor dari",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(("scored_from", "records"), _negated=True) | models.Q(("record_rule", ""), _negated=True),
                name="indicator_scored_from_records_has_rule",
                violation_error_message="Indikator yang diskor dari catatan harus punya aturan perhitungan.",
            ),
        ),
        migrations.CreateModel(
            name="RecordValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="nilai")),
                ("description", models.CharField(max_length=250, verbose_name="keterangan")),
                ("score", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="skor dari catatan")),
                ("respondents_mean", models.DecimalField(blank=True, decimal_places=4, max_digits=5, null=True, verbose_name="rata-rata jawaban responden")),
                ("as_of", models.DateField(verbose_name="per tanggal")),
                ("used_for_score", models.BooleanField(default=False, verbose_name="dipakai untuk skor")),
                ("assessment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="record_values", to="dimensions.assessment")),
                ("indicator", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="record_values", to="dimensions.indicator")),
            ],
            options={
                "verbose_name": "nilai indikator dari catatan",
                "verbose_name_plural": "nilai indikator dari catatan",
                "ordering": ["assessment", "indicator__code"],
                "constraints": [
                    models.UniqueConstraint(fields=("assessment", "indicator"), name="record_value_once"),
                    models.CheckConstraint(condition=models.Q(("used_for_score", True), _negated=True) | models.Q(("score__isnull", False)), name="record_value_scored_has_score"),
                ],
            },
        ),
    ]
