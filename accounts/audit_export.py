"""The audit log as CSV, streamed row by row (safe for spreadsheet programs)."""

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

HEADER = ("waktu", "pelaku", "tindakan", "jenis_objek", "id_objek", "objek", "alamat_ip", "rincian")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection, ASVS 1.2.10)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def audit_csv_rows(queryset: QuerySet) -> Iterator[str]:
    """CSV lines (UTF-8 BOM first, for Excel) of ``queryset``, read in chunks."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADER)
    for event in queryset.iterator(chunk_size=2000):
        yield writer.writerow([
            timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
            safe_cell(event.actor.username if event.actor_id else ""),
            safe_cell(event.action),
            safe_cell(event.object_type),
            safe_cell(event.object_id),
            safe_cell(event.object_repr),
            event.ip_address or "",
            safe_cell(json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else ""),
        ])
