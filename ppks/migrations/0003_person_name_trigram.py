"""Trigram index for registry name search on PostgreSQL (``person__name__icontains``).

Built concurrently (config/migration_operations.py), so people stay writable while it builds.
"""

from django.db import migrations

from config.migration_operations import PostgresIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ppks", "0002_seed_categories")]

    operations = [
        PostgresIndexConcurrently(name="ppks_person_name_trgm", table="ppks_person",
                                  definition="USING gin (UPPER(name::text) gin_trgm_ops)", extension="pg_trgm"),
    ]
