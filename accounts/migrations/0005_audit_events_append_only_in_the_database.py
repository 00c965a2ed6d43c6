"""Audit events are append-only in the database itself, not only in the ORM (issue 15, item 7).

PostgreSQL: a row trigger refuses every UPDATE and DELETE on ``accounts_auditevent``, whatever the
path (raw SQL, ``QuerySet._raw_delete``, ``bulk_create(update_conflicts=True)``), unless the
transaction has set ``sidbs.audit_maintenance`` to ``prune``, which only ``manage.py audit_prune``
does (deleting events past a retention date, itself audited). SQLite (development and tests) refuses
UPDATE; its DELETE stays open because Django's test database flush deletes rows one table at a time.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('sidbs.audit_maintenance', true) = 'prune' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Peristiwa audit tidak boleh diubah atau dihapus (append-only).'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
BEGIN
    SELECT RAISE(ABORT, 'Peristiwa audit tidak boleh diubah (append-only).');
END
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS accounts_auditevent_no_update"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [("accounts", "0004_offices_signatories_notifications_form_tokens")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
