"""Trigram indexes for name search on PostgreSQL (icontains compiles to UPPER(name) LIKE ...).

Other databases keep the plain b-tree name index from 0001.
"""

from django.db import migrations

TABLES = ("villages_village", "villages_district", "villages_regency")


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS {table}_name_trgm ON {table} USING gin (UPPER(name::text) gin_trgm_ops)".format(
                table=table
            )
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute("DROP INDEX IF EXISTS {table}_name_trgm".format(table=table))


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
