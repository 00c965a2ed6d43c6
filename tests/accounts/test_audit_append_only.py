"""Audit events cannot be changed or removed, by any path, except by the documented prune command."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_record

pytestmark = pytest.mark.django_db


def event() -> AuditEvent:
    return audit_record(actor=None, action="uji.peristiwa", detail={"a": 1})


def refused(statement: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError:
        return True
    return False


def test_raw_sql_cannot_update_an_event():
    row = event()
    assert refused("UPDATE accounts_auditevent SET action = 'diubah' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=row.pk).update(action="diubah")  # past the QuerySet guard
    assert AuditEvent.objects.get(pk=row.pk).action == "uji.peristiwa"


def test_bulk_upsert_cannot_rewrite_an_event():
    if connection.vendor != "postgresql":
        pytest.skip("ON CONFLICT DO UPDATE diuji di PostgreSQL")
    row = event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.bulk_create([AuditEvent(pk=row.pk, action="ditimpa")], update_conflicts=True,
                                       update_fields=["action"], unique_fields=["id"])
    assert AuditEvent.objects.get(pk=row.pk).action == "uji.peristiwa"


def test_raw_delete_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite membiarkan DELETE (flush basis data uji); produksi memakai PostgreSQL")
    row = event()
    assert refused("DELETE FROM accounts_auditevent WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk)._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_prune_is_the_one_way_and_it_is_audited():
    recent = event()
    two_years_ago = timezone.now() - datetime.timedelta(days=800)
    with connection.cursor() as cursor:  # an old event, inserted as it was written then (inserts stay open)
        cursor.execute(
            "INSERT INTO accounts_auditevent (action, object_type, object_id, object_repr, occurred_at, detail) "
            "VALUES ('uji.lama', '', '', '', %s, %s)", [two_years_ago, "{}"])
    cutoff = (timezone.localdate() - datetime.timedelta(days=400)).isoformat()
    out = io.StringIO()
    call_command("audit_prune", "--before", cutoff, stdout=out)
    assert "1 peristiwa audit" in out.getvalue()
    assert not AuditEvent.objects.filter(action="uji.lama").exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.get(action="accounts.audit_prune").detail == {"before": cutoff, "deleted": 1}
    with pytest.raises(CommandError, match="satu tahun"):
        call_command("audit_prune", "--before", timezone.localdate().isoformat())
