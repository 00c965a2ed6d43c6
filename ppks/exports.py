"""Export of the filtered registration list as CSV (streamed) or XLSX (openpyxl write-only).

The rows come from ``registration_list`` (region scoping and the list filters). NIK and No. KK
are written in full only where the NIK rule allows it (``ppks.permissions.FULL_NIK["list_export"]``:
administrators and Dinas Sosial staff); every other role gets them masked.
"""

import csv
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _

from ppks.nik import mask_nik
from ppks.permissions import full_nik_allowed

CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_headers() -> list[str]:
    return [
        _("Nama"), _("NIK"), _("No. KK"), _("Jenis kelamin"), _("Tanggal lahir"), _("Desa/kelurahan"),
        _("Kecamatan"), _("Dusun"), _("RT"), _("RW"), _("Kategori"), _("Direktorat"), _("Status"),
        _("Tanggal daftar"),
    ]


def shows_full_nik(user) -> bool:
    """Whether the list export carries full NIK and No. KK for ``user`` (the NIK rule, "list_export")."""
    return full_nik_allowed(user, "list_export")


def safe_cell(value: str) -> str:
    """Neutralise a spreadsheet formula in a text cell (CSV injection): every CSV/XLSX export uses this."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(queryset, *, full_nik: bool):
    """One list of cell values per registration, read in chunks."""
    status_labels = dict(queryset.model.Status.choices)
    show = (lambda value: value or "") if full_nik else mask_nik
    for registration in queryset.iterator(chunk_size=CHUNK_SIZE):
        person = registration.person
        village = registration.village
        yield [
            safe_cell(person.name),
            show(person.nik),
            show(person.kk_number),
            person.sex,
            person.birth_date.isoformat() if person.birth_date else "",
            safe_cell(village.name),
            safe_cell(village.district.name),
            safe_cell(person.dusun),
            person.rt,
            person.rw,
            registration.category.code,
            registration.directorate.code if registration.directorate_id else "",
            str(status_labels.get(registration.status, registration.status)),
            timezone.localtime(registration.created_at).date().isoformat(),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows):
    """Lines of CSV (UTF-8 with BOM so Excel reads it right), one per yielded row."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(export_headers())
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(rows):
    """A temporary file holding the workbook (write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registrasi PPKS"))
    sheet.append(export_headers())
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
