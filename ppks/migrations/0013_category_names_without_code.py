"""Category names no longer repeat their code: "Anak dengan Kedisabilitasan (ADK)" becomes
"Anak dengan Kedisabilitasan", since every page shows a category as "name (code)"."""

from django.db import migrations

RENAMED = {
    "ADK": ("Anak dengan Kedisabilitasan (ADK)", "Anak dengan Kedisabilitasan"),
    "BWBLP": ("Bekas Warga Binaan Lembaga Pemasyarakatan (BWBLP)", "Bekas Warga Binaan Lembaga Pemasyarakatan"),
    "ODHA": ("Orang dengan HIV/AIDS (ODHA)", "Orang dengan HIV/AIDS"),
    "PMBS": ("Pekerja Migran Bermasalah Sosial (PMBS)", "Pekerja Migran Bermasalah Sosial"),
}


def rename(apps, schema_editor, forward=True):
    Category = apps.get_model("ppks", "Category")
    for code, (old, new) in RENAMED.items():
        before, after = (old, new) if forward else (new, old)
        # Only the seeded name: a name an administrator changed since is left as it is.
        Category.objects.filter(code=code, name=before).update(name=after)


def restore(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("ppks", "0012_person_kk_check_decile_validators")]

    operations = [migrations.RunPython(rename, restore)]
