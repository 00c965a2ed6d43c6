"""Database triggers that write ``PersonHistory`` for every change to people and registrations.

PostgreSQL gets one generic plpgsql function (a jsonb diff of OLD and NEW, so new columns are
covered by themselves); SQLite gets per-table triggers generated from the column lists frozen
below. When a column is added to Person or Registration, add a migration that calls
``history.install_operation`` with the new lists (tests/ppks/test_privacy.py fails until then).
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


class Migration(migrations.Migration):

    dependencies = [
        ("ppks", "0006_privacy_history"),
    ]

    operations = [history.install_operation(COLUMNS)]
