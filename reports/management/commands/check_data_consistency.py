"""manage.py check_data_consistency [--region CODE] [--limit N]: does the data obey the programme's rules?"""

from django.core.management.base import BaseCommand, CommandError

from reports.consistency import run_checks
from villages import codes


class Command(BaseCommand):
    help = (
        "Periksa apakah data menaati aturan program: stimulan tidak di masa depan dan tidak sebelum rencana "
        "disetujui tanpa alasan, belanja dalam masa rencana, tahap DBS sesuai catatan, kriteria usia/jenis "
        "kelamin kategori PPKS, dan urutan tanggal. Keluar dengan kode 1 bila ada masalah."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="Kode wilayah (mis. 35.11); kosong = seluruh data.")
        parser.add_argument("--limit", type=int, default=20, help="Contoh masalah yang ditampilkan per pemeriksaan.")

    def handle(self, *args, region, limit, **options):
        region = region.strip()
        if region and codes.region_level(region) is None:
            raise CommandError("Kode wilayah '{}' tidak sah.".format(region))
        results = run_checks(region=region, limit=limit)
        total = 0
        for result in results:
            total += result.count
            if result.count:
                self.stdout.write(self.style.ERROR("{}: {} masalah".format(result.name, result.count)))
                for problem in result.problems:
                    self.stdout.write("  - " + problem)
            else:
                self.stdout.write("{}: sesuai".format(result.name))
        if total:
            raise CommandError("{} masalah konsistensi data ditemukan.".format(total))
        self.stdout.write(self.style.SUCCESS("Data konsisten dengan aturan program."))
