"""Trigram index for registry name search on PostgreSQL (``person__name__icontains``)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ppks_person_name_trgm ON ppks_person USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ppks_person_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("ppks", "0002_seed_categories")]

    operations = [migrations.RunPython(create_index, drop_index)]
