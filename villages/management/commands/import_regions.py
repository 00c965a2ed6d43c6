"""manage.py import_regions [PATH]: upsert the Kemendagri region codes from a ``code,name`` CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villages.services import bundled_regions_path, regions_import_file


class Command(BaseCommand):
    help = (
        "Impor kode wilayah Kemendagri (provinsi sampai desa) dari CSV 'kode,nama' berkode titik. "
        "Tanpa PATH, memakai data bawaan villages/data/wilayah.csv.gz (38 provinsi, idn-area-data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Berkas CSV; bila kosong memakai data bawaan paket.")
        parser.add_argument("--max-errors", type=int, default=50, help="Jumlah baris salah yang ditampilkan.")

    def handle(self, *args, path=None, max_errors=50, **options):
        source = Path(path) if path else bundled_regions_path()
        if not source.is_file():
            raise CommandError("Berkas {} tidak ditemukan.".format(source))
        self.stdout.write("Mengimpor {} ...".format(source))
        result = regions_import_file(path=source)
        for error in result.errors[:max_errors]:
            self.stderr.write(str(error))
        if len(result.errors) > max_errors:
            self.stderr.write("... dan {} baris salah lainnya.".format(len(result.errors) - max_errors))
        style = self.style.SUCCESS if result.changed else self.style.NOTICE
        self.stdout.write(style(result.summary()))
