"""manage.py load_map_data: load the bundled region boundaries (and, with --refresh-figures, the map figures).

Idempotent and fast: the bundle's SHA-256 is remembered, so a second run only reads the file's
digest ("Tidak ada perubahan"). Part of ``make run``'s set-up.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from maps import geodata
from maps.services import figures_refresh, shapes_load


class Command(BaseCommand):
    help = "Muat batas wilayah bawaan untuk peta (provinsi, kab/kota, kecamatan, titik desa)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(geodata.BUNDLE_PATH), help="Berkas .jsonl.gz.")
        parser.add_argument("--force", action="store_true", help="Muat ulang walau berkas tidak berubah.")
        parser.add_argument("--refresh-figures", action="store_true",
                            help="Sesudahnya hitung ulang angka peta yang berubah (lengkap bila belum pernah).")

    def handle(self, *args, path, force, refresh_figures, **options):
        result = shapes_load(path=Path(path), force=force)
        if result.unchanged:
            self.stdout.write("Batas wilayah: tidak ada perubahan ({} wilayah, {:.1f} s).".format(
                result.regions, result.seconds))
        else:
            self.stdout.write(self.style.SUCCESS(
                "Batas wilayah dimuat: {} wilayah, {} titik desa, {} dihapus ({:.1f} s).".format(
                    result.regions, result.points, result.removed, result.seconds)))
        if refresh_figures:
            refreshed = figures_refresh()
            self.stdout.write("Angka peta: {} kecamatan dihitung ulang ({}, {:.1f} s).".format(
                refreshed.districts, refreshed.kind, refreshed.seconds))
