"""History written set-based: statement-level triggers with transition tables replace the per-row ones.

PostgreSQL: ``ppks_record_history()`` (FOR EACH ROW) is dropped with its triggers and three
statement-level triggers per table (insert, update, delete: PostgreSQL allows one event per
trigger with transition tables) call ``ppks_record_history_rows()``, which writes the history rows
of a whole statement in one ``INSERT ... SELECT``. Both databases now also mask No. KK in the
history (SQLite's triggers are regenerated for that). Reversing keeps the statement-level triggers
(they record the same rows).
"""

from django.db import migrations

from ppks import history

COLUMNS = {
    "ppks_person": [
        "id", "nik", "nik_status", "kk_number", "name", "name_key", "birth_place", "birth_date", "sex", "village_id",
        "dusun", "rt", "rw", "street_address", "phone", "disability", "dtsen_decile", "dtsen_decile_as_of",
        "merged_into_id", "anonymised_at", "created_by_id", "created_at", "updated_at",
    ],
    "ppks_registration": [
        "id", "person_id", "category_id", "village_id", "status", "needs", "assessed_on", "directorate_id",
        "rejection_reason", "client_uuid", "created_by_id", "created_at", "updated_at", "submitted_at",
        "verified_at", "verified_by_id", "referred_at", "served_at", "closed_at",
    ],
}


def forwards(apps, schema_editor):
    history.install_operation(COLUMNS).code(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("ppks", "0017_bulk_actions_and_import_registrations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
