"""Anonymise people whose data is past the retention period (UU 27/2022; ``SIDBS_RETENTION_YEARS``)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ppks.privacy import retention_apply, retention_cutoff


class Command(BaseCommand):
    help = _("Anonimkan data orang yang masa retensinya sudah lewat (registrasi terakhir selesai/ditolak).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("Hanya hitung, tanpa mengubah data."))
        parser.add_argument("--batch-size", type=int, default=500, help=_("Jumlah orang per transaksi."))

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size harus 1 atau lebih."))
        result = retention_apply(dry_run=dry_run, batch_size=batch_size)
        self.stdout.write(_("Masa retensi: {years} tahun (registrasi terakhir selesai sebelum {cutoff}).").format(
            years=settings.SIDBS_RETENTION_YEARS, cutoff=retention_cutoff().date().isoformat()))
        if dry_run:
            self.stdout.write(_("Uji coba: {count} orang akan dianonimkan.").format(count=result["eligible"]))
        else:
            self.stdout.write(self.style.SUCCESS(_("{count} orang dianonimkan dalam {batches} batch.").format(
                count=result["anonymised"], batches=result["batches"])))
