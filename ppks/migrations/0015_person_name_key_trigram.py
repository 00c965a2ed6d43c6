"""Trigram index on the name key for list and header search (``name_key LIKE '%…%'``) on PostgreSQL.

Built concurrently, so people stay writable while it builds; SQLite searches without it.
"""

from django.db import migrations

from config.migration_operations import PostgresIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ppks", "0014_person_name_key_spacing_and_sounds")]

    operations = [
        PostgresIndexConcurrently(name="ppks_person_name_key_trgm", table="ppks_person",
                                  definition="USING gin (name_key gin_trgm_ops)", extension="pg_trgm"),
    ]
