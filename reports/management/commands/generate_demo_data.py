"""manage.py generate_demo_data --persons N [--province CODE] [--seed S] [--replace]"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.demo_data import generate, generate_programme, generated_data_delete


class Command(BaseCommand):
    help = (
        "Buat data sintetis berskala nasional: orang dengan NIK sah pada kode wilayah nyata dan registrasi "
        "PPKS lintas kategori dan status. Dapat diulang dengan --seed yang sama."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument("--province", default=None, help="Kode provinsi, mis. 35; kosong = seluruh Indonesia.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--replace", action="store_true", help="Hapus data hasil generator sebelumnya dahulu.")
        parser.add_argument("--programme-villages", type=int, default=0,
                            help="Jumlah desa lokus dengan asesmen tervalidasi dan rencana aksi disetujui.")
        parser.add_argument("--allow-production", action="store_true",
                            help="Izinkan tanpa DJANGO_DEBUG=1 (basis data uji beban terpisah saja).")

    def handle(self, *args, persons, province, seed, replace, programme_villages, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "generate_demo_data hanya untuk pengembangan dan uji beban (DJANGO_DEBUG=1): data sintetis "
                "bercampur dengan data orang sungguhan dan penulisannya mengunci tabel registri."
            )
        if persons < 1:
            raise CommandError("--persons harus lebih dari 0.")
        if replace:
            deleted = generated_data_delete()
            self.stdout.write("Dihapus: {} orang, {} registrasi lama.".format(*deleted))
        started = time.perf_counter()
        try:
            result = generate(persons=persons, province=province, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            "{:,} orang dan {:,} registrasi di {:,} desa dalam {:.1f} detik.".format(
                result.persons, result.registrations, result.villages, time.perf_counter() - started
            ).replace(",", ".")
        ))
        if programme_villages:
            added = generate_programme(villages=programme_villages, province=province, seed=seed)
            self.stdout.write(self.style.SUCCESS("{} desa lokus dengan asesmen dan rencana aksi.".format(added)))
