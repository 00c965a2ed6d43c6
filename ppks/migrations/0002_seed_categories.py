"""Seed the three Ditjen and the 26 PPKS categories with their default directorate (from 2022-01-01)."""

import datetime

from django.db import migrations

from ppks.categories_data import CATEGORIES, DIRECTORATES

ASSIGNED_FROM = datetime.date(2022, 1, 1)  # Permensos 1/2022: three Ditjen remain (DOMAIN.md §1.5)


def seed(apps, schema_editor):
    Directorate = apps.get_model("ppks", "Directorate")
    Category = apps.get_model("ppks", "Category")
    CategoryDirectorate = apps.get_model("ppks", "CategoryDirectorate")
    directorates = {
        code: Directorate.objects.update_or_create(code=code, defaults={"name": name})[0] for code, name in DIRECTORATES
    }
    for row in CATEGORIES:
        values = {key: value for key, value in row.items() if key not in {"code", "directorate"}}
        category, _created = Category.objects.update_or_create(code=row["code"], defaults=values)
        CategoryDirectorate.objects.get_or_create(
            category=category, directorate=directorates[row["directorate"]], valid_from=ASSIGNED_FROM
        )


def unseed(apps, schema_editor):
    apps.get_model("ppks", "CategoryDirectorate").objects.filter(valid_from=ASSIGNED_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("ppks", "0001_registry")]

    operations = [migrations.RunPython(seed, unseed)]
