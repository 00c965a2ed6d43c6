"""manage.py restore [NAME|latest] [--database-url URL] [--files]: a backup into an empty database, checked."""

from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Pulihkan cadangan ke basis data kosong (dibuat bila belum ada) dan periksa jumlah baris tiap tabel "
            "serta checksum tabel registrasi terhadap manifes; --files juga memulihkan berkas tersimpan.")

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default="latest", help="Nama cadangan (bawaan: yang terbaru).")
        parser.add_argument("--database-url", default="",
                            help="Basis data tujuan, mis. postgres://user@host:5432/sidbs_pulih (bawaan DATABASE_URL).")
        parser.add_argument("--files", action="store_true",
                            help="Pulihkan juga unggahan dan laporan ke penyimpanan (DJANGO_STORAGE_URL).")

    def handle(self, *args, name="latest", database_url="", files=False, **options):
        try:
            result = backup_restore(name=name, database_url=database_url, files=files,
                                    progress=lambda text: self.stdout.write("  " + text))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            "Cadangan {name} dipulihkan dan cocok dengan manifesnya: {tables} tabel, {rows} baris.".format(**result)))
        if files:
            self.stdout.write("Berkas: {restored} dipulihkan, {skipped} sudah ada.".format(**result["files"]))
