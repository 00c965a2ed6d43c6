"""manage.py import_regions [PATH] [--dry-run] [--allow-deactivate]: upsert the Kemendagri region codes from a
``code,name`` CSV, refusing a file that would retire many codes (a stale file) unless told otherwise."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from villages.services import RegionImportRefused, bundled_regions_path, regions_import_file


class Command(BaseCommand):
    help = (
        "Impor kode wilayah Kemendagri (provinsi sampai desa) dari CSV 'kode,nama' berkode titik. "
        "Tanpa PATH, memakai data bawaan villages/data/wilayah.csv.gz (38 provinsi, idn-area-data). "
        "Berkas yang akan menonaktifkan lebih dari SIDBS_REGION_DEACTIVATE_MAX_SHARE kode aktif (bawaan 1%) "
        "atau seluruh provinsi ditolak kecuali dengan --allow-deactivate."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Berkas CSV; bila kosong memakai data bawaan paket.")
        parser.add_argument("--max-errors", type=int, default=50, help="Jumlah baris salah yang ditampilkan.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Hanya tampilkan rencana perubahan; tidak ada yang disimpan.")
        parser.add_argument("--allow-deactivate", action="store_true",
                            help="Izinkan menonaktifkan banyak kode atau seluruh provinsi (berkas memang lebih baru).")

    def handle(self, *args, path=None, max_errors=50, dry_run=False, allow_deactivate=False, **options):
        source = Path(path) if path else bundled_regions_path()
        if not source.is_file():
            raise CommandError("Berkas {} tidak ditemukan.".format(source))
        self.stdout.write("{} {} ...".format("Memeriksa (uji coba)" if dry_run else "Mengimpor", source))
        try:
            result = regions_import_file(path=source, dry_run=dry_run, allow_deactivate=allow_deactivate)
        except RegionImportRefused as refused:
            self.stdout.write("Rencana: {}".format(refused.result.summary()))
            raise CommandError("Impor ditolak, tidak ada yang disimpan. {}".format(refused.message)) from refused
        for error in result.errors[:max_errors]:
            self.stderr.write(str(error))
        if len(result.errors) > max_errors:
            self.stderr.write("... dan {} baris salah lainnya.".format(len(result.errors) - max_errors))
        if dry_run:
            self.stdout.write("Rencana (uji coba, tidak disimpan): {}".format(result.summary()))
            if result.refusal:
                self.stdout.write(self.style.WARNING("Impor sungguhan akan ditolak: {}".format(result.refusal)))
            else:
                self.stdout.write("Batas penonaktifan {:.1%}: impor sungguhan akan diterima.".format(
                    settings.SIDBS_REGION_DEACTIVATE_MAX_SHARE))
            return
        style = self.style.SUCCESS if result.changed else self.style.NOTICE
        self.stdout.write(style(result.summary()))
