"""manage.py seed_demo: demo accounts (one per role) and demo village data, safe to run repeatedly."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Signatory, User
from accounts.offices import office_for_region
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
    {"username": "unit.rehsos", "first_name": "Dewi", "last_name": "Anggraini", "role": User.Role.UNIT_OFFICER},
)
# Demo offices: fictitious addresses, people and NIPs (the kop surat, signatories and Tembusan of the letters).
DEMO_OFFICES = (
    {"region_code": "35.11", "address": "Jalan Raya Situbondo Nomor 1", "postal_code": "68211",
     "phone": "(0332) 420000", "email": "dinsos@bondowoso.contoh.go.id", "website": "dinsos.bondowoso.contoh.go.id",
     "copies_to": "Bupati Bondowoso (sebagai laporan)\nKepala Dinas Sosial Provinsi Jawa Timur",
     "signatories": (
         {"mode": Signatory.Mode.HEAD, "name": "Drs. Hendra Wijaya, M.Si.", "nip": "197003151995031002",
          "rank": Signatory.Rank.IV_C},
         {"mode": Signatory.Mode.ON_BEHALF, "name": "Sri Rahayu, S.Sos., M.M.", "nip": "197808122003122004",
          "rank": Signatory.Rank.IV_A, "position": "Sekretaris"},
     )},
    {"region_code": "35", "address": "Jalan Gayung Kebonsari Nomor 56B", "city": "Surabaya", "postal_code": "60235",
     "phone": "(031) 8290000", "email": "dinsos@jatim.contoh.go.id", "website": "dinsos.jatim.contoh.go.id",
     "copies_to": "Gubernur Jawa Timur (sebagai laporan)",
     "signatories": (
         {"mode": Signatory.Mode.ACTING, "name": "Dr. Bambang Sutrisno, S.H., M.H.", "nip": "196905201994031005",
          "rank": Signatory.Rank.IV_D},
     )},
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
        # One hash for every demo account: hashing is deliberately slow (0.3 s each), the password is shared anyway.
        password_hash = make_password(DEMO_PASSWORD)
        for spec in DEMO_ACCOUNTS:
            user, _created = User.objects.update_or_create(
                username=spec["username"],
                defaults={**spec, "is_staff": spec["role"] == User.Role.ADMIN,
                          "is_superuser": spec["role"] == User.Role.ADMIN},
            )
            user.password = password_hash
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
        self._offices()
        for line in demo_account_lines():
            self.stdout.write(line)

    def _offices(self) -> None:
        """The two demo offices with their kop data and signatories."""
        for spec in DEMO_OFFICES:
            office = office_for_region(spec["region_code"])
            for name in ("address", "city", "postal_code", "phone", "email", "website", "copies_to"):
                if name in spec:
                    setattr(office, name, spec[name])
            office.full_clean()
            office.save()
            for signatory in spec["signatories"]:
                Signatory.objects.get_or_create(office=office, nip=signatory["nip"], defaults=signatory)


def demo_account_lines() -> list[str]:
    """The demo accounts as a small table (``make run`` prints it again once the server listens)."""
    lines = ["Akun demo (kata sandi untuk semua: {}):".format(DEMO_PASSWORD)]
    for spec in DEMO_ACCOUNTS:
        scope = spec.get("region_code") or {
            "pensosmas": "desa " + ", ".join(DEMO_VILLAGES[:2]), "unit_officer": "rujukan ke Ditjen Rehsos",
        }.get(spec["role"], "nasional")
        lines.append("  {:<20} {:<18} {}".format(spec["username"], spec["role"], scope))
    return lines
