"""manage.py seed_demo: demo accounts (one per role) and demo village data, safe to run repeatedly."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from config.demo import demo_year
from villages.models import Cohort, SocialPillar, Village, VillageProfile
from villages.services import cohort_save, cohort_village_add, village_profile_update

DEMO_PASSWORD = "demo-sidbs-2026"
DEMO_VILLAGES = ("35.11.01.2001", "35.11.01.2002", "35.11.02.2001")
DEMO_COHORT = "Desa Melesat Bondowoso"
# Pillars of Sucolor beyond its Karang Taruna (IKSM indicator 2.1 counts the PSKS types active in a village).
SUCOLOR_PILLARS = (
    ("tagana", "Tagana Maesan", "Koordinator Tagana"), ("psm", "PSM Desa Sucolor", "Ibu Sulastri"),
    ("lks", "LKS Sejahtera Sucolor", "Pengurus LKS"), ("pensosmas", "Penyuluh Sosial Kecamatan Maesan", "Rina"),
)
DEMO_ACCOUNTS = (
    {"username": "admin", "first_name": "Admin", "last_name": "SI-DBS", "role": User.Role.ADMIN},
    {"username": "analis", "first_name": "Analis", "last_name": "Kemensos", "role": User.Role.KEMENSOS_ANALYST},
    {"username": "dinsos.jatim", "first_name": "Dinsos", "last_name": "Jawa Timur",
     "role": User.Role.DINSOS_PROVINSI, "region_code": "35"},
    {"username": "dinsos.bondowoso", "first_name": "Dinsos", "last_name": "Bondowoso",
     "role": User.Role.DINSOS_KABUPATEN, "region_code": "35.11"},
    {"username": "pensosmas.maesan", "first_name": "Rina", "last_name": "Wulandari", "role": User.Role.PENSOSMAS},
)


class Command(BaseCommand):
    help = "Buat akun demo per peran dan data desa demo (Kab. Bondowoso). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="Izinkan walau DJANGO_DEBUG tidak aktif (jangan!)."
        )

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo hanya untuk pengembangan (DJANGO_DEBUG=1): akun demo berkata sandi umum.")
        villages = list(Village.objects.filter(code__in=DEMO_VILLAGES).order_by("code"))
        if len(villages) != len(DEMO_VILLAGES):
            raise CommandError("Kode wilayah demo belum ada; jalankan 'manage.py import_regions' dahulu.")
        admin = None
        for spec in DEMO_ACCOUNTS:
            user, _created = User.objects.update_or_create(
                username=spec["username"],
                defaults={**spec, "is_staff": spec["role"] == User.Role.ADMIN,
                          "is_superuser": spec["role"] == User.Role.ADMIN},
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if user.role == User.Role.ADMIN:
                admin = user
            if user.role == User.Role.PENSOSMAS:
                user.assigned_villages.set(villages[:2])
        year = demo_year()
        for index, village in enumerate(villages):
            if not VillageProfile.objects.filter(village=village).exists():
                village_profile_update(
                    village=village,
                    actor=admin,
                    notes="Data demo.",
                    lokus_years=[year - 1, year] if index < 2 else [year],
                )
            SocialPillar.objects.get_or_create(
                village=village,
                kind=SocialPillar.Kind.KARANG_TARUNA,
                name="Karang Taruna {}".format(village.name.title()),
                defaults={"contact_person": "Ketua Karang Taruna", "phone": "081234567890"},
            )
        for kind, name, contact in SUCOLOR_PILLARS:
            SocialPillar.objects.get_or_create(village=villages[0], kind=kind, name=name,
                                               defaults={"contact_person": contact})
        cohort = Cohort.objects.filter(name=DEMO_COHORT).first() or cohort_save(actor=admin, data={
            "name": DEMO_COHORT, "year": year, "region_code": "35.11", "target_villages": 10, "target_graduated": 3,
            "description": "Angkatan percontohan Desa/Kelurahan Berketahanan Sosial Kabupaten Bondowoso (demo)."})
        for village in villages:
            cohort_village_add(cohort=cohort, village=village, actor=admin)
        self.stdout.write(self.style.SUCCESS("Akun demo siap (kata sandi untuk semua: {}):".format(DEMO_PASSWORD)))
        for spec in DEMO_ACCOUNTS:
            scope = spec.get("region_code") or ("desa " + ", ".join(DEMO_VILLAGES[:2]) if spec["role"] == "pensosmas"
                                                else "nasional")
            self.stdout.write("  {:<20} {:<18} {}".format(spec["username"], spec["role"], scope))
