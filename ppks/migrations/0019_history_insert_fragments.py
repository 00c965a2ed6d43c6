"""History of inserted rows built from one text fragment per column (PostgreSQL).

``ppks_record_history_rows()`` is replaced (``CREATE OR REPLACE``; the triggers stay attached): its
INSERT branch builds each row's changes from per-column fragments generated from the table's
columns at each statement, instead of aggregating ``jsonb_each(to_jsonb(row))`` per row. Same
history rows (masked NIK and No. KK), about half the trigger's CPU for a 100,000-row import (issue
21). SQLite's per-row triggers are unchanged.
"""

from django.db import migrations

from ppks import history


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(history.POSTGRES_FUNCTION, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("ppks", "0018_history_statement_triggers"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
