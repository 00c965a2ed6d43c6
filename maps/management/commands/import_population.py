"""manage.py import_population FILE.csv: population per region for the "PPKS per 1,000 population" measure.

The CSV has a header ``code,population,year,source`` (dotted Kemendagri codes, any level), e.g.
``35.11,790000,2024,BPS Kabupaten Bondowoso 2024``. All or nothing: bad lines are listed with
their line and column and nothing is written; the same file again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maps.services import population_import


class Command(BaseCommand):
    help = "Impor jumlah penduduk per wilayah (CSV: code,population,year,source)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Berkas CSV (UTF-8).")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError("Berkas tidak ditemukan: {}".format(file))
        with open(file, encoding="utf-8-sig", newline="") as handle:
            try:
                result = population_import(lines=handle, source_name=file.name)
            except Exception as error:  # a missing header is a ValidationError with the Indonesian message
                raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        if result.errors:
            for message in result.errors:
                self.stderr.write(message)
            raise CommandError("{} kesalahan; tidak ada yang disimpan.".format(len(result.errors)))
        self.stdout.write(self.style.SUCCESS("{} baru, {} diperbarui, {} tidak berubah.".format(
            result.created, result.updated, result.unchanged)))
