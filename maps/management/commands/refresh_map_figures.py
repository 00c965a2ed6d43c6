"""manage.py refresh_map_figures [--full]: bring the map figures up to date now (Celery beat does it too)."""

from django.core.management.base import BaseCommand

from maps.services import figures_refresh


class Command(BaseCommand):
    help = "Hitung ulang angka peta per wilayah (yang berubah, atau semuanya dengan --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Hitung ulang semua kecamatan.")

    def handle(self, *args, full, **options):
        result = figures_refresh(full=full)
        if result.busy:
            self.stdout.write(self.style.WARNING("Penghitungan lain sedang berjalan; coba lagi sebentar lagi."))
            return
        self.stdout.write(self.style.SUCCESS("{} kecamatan dihitung ulang ({}, {:.1f} s).".format(
            result.districts, result.kind, result.seconds)))
