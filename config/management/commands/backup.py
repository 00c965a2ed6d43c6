"""manage.py backup: the database and every stored file to SIDBS_BACKUP_URL, then retention (config/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, backup_create, backup_storage, backups_list


class Command(BaseCommand):
    help = ("Cadangkan basis data (pg_dump format custom, atau salinan SQLite) dan semua berkas tersimpan ke "
            "SIDBS_BACKUP_URL, lalu hapus cadangan lama (simpan SIDBS_BACKUP_KEEP terbaru).")

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int,
                            help="Jumlah cadangan terbaru yang disimpan (bawaan SIDBS_BACKUP_KEEP).")
        parser.add_argument("--list", action="store_true", help="Hanya tampilkan cadangan yang ada.")

    def handle(self, *args, keep=None, list=False, **options):
        if list:
            names = backups_list(backup_storage())
            for name in names:
                self.stdout.write(name)
            if not names:
                self.stdout.write("Belum ada cadangan.")
            return
        try:
            manifest = backup_create(keep=keep, progress=lambda text: self.stdout.write("  " + text))
        except BackupError as error:
            raise CommandError(str(error)) from None
        database = manifest["database"]
        self.stdout.write(self.style.SUCCESS(
            "Cadangan {name}: {tables} tabel, {rows} baris, {files} berkas ({megabytes:.1f} MB).".format(
                name=manifest["name"], tables=len(database["tables"]), rows=sum(database["tables"].values()),
                files=manifest["files"]["count"], megabytes=manifest["files"]["bytes"] / 1e6)))
        for removed in manifest["removed"]:
            self.stdout.write("Cadangan lama dihapus: {}".format(removed))
