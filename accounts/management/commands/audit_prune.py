"""manage.py audit_prune --before 2020-01-01 [--dry-run]: the one way to delete old audit events.

Audit events are append-only in the database (accounts migration 0005). This command opens that
lock for its own transaction only (``sidbs.audit_maintenance = prune`` on PostgreSQL), deletes the
events that occurred before the given date, and records an audit event that it did so.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_record


class Command(BaseCommand):
    help = "Hapus peristiwa audit sebelum tanggal tertentu (retensi log audit); tercatat sebagai peristiwa audit."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True,
                            help="Tanggal (YYYY-MM-DD); peristiwa sebelum tanggal ini dihapus.")
        parser.add_argument("--dry-run", action="store_true", help="Hitung saja, jangan hapus.")

    def handle(self, *args, before, dry_run=False, **options):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError as error:
            raise CommandError("--before harus tanggal YYYY-MM-DD.") from error
        if day > timezone.localdate() - datetime.timedelta(days=365):
            raise CommandError("Peristiwa audit disimpan sekurang-kurangnya satu tahun; pilih tanggal yang lebih lama.")
        old = AuditEvent.objects.filter(occurred_at__date__lt=day)
        count = old.count()
        if dry_run:
            self.stdout.write("{} peristiwa audit sebelum {} akan dihapus.".format(count, day.isoformat()))
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('sidbs.audit_maintenance', 'prune', true)")
            cursor.execute("DELETE FROM accounts_auditevent WHERE occurred_at < %s",
                           [datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)])
            deleted = cursor.rowcount
            audit_record(actor=None, action="accounts.audit_prune", detail={"before": day.isoformat(),
                                                                             "deleted": deleted})
        self.stdout.write(self.style.SUCCESS("{} peristiwa audit sebelum {} dihapus.".format(deleted, day.isoformat())))
