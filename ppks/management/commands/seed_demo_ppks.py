"""manage.py seed_demo_ppks: demo PPKS registrations in Kab. Bondowoso and the demo receiving units (idempotent).

Referrals are sent by ``seed_demo_letters`` (reports), through the same letter service as the web page.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from ppks import services
from ppks.models import Category, Directorate, Person, ServiceUnit
from villages.models import Village

DEMO_PEOPLE = (
    # name, nik, sex, birth date, village, category, final status
    ("Siti Aminah", "3511015203850003", "P", datetime.date(1985, 3, 12), "35.11.01.2001", "PRSE", "submitted"),
    ("Muhammad Rizki", "3511011006150001", "L", datetime.date(2015, 6, 10), "35.11.01.2001", "AT", "verified"),
    ("Sumarno", "3511010101500002", "L", datetime.date(1950, 1, 1), "35.11.01.2001", "LUT", "verified"),
    ("Sri Wahyuni", "3511014408800004", "P", datetime.date(1980, 8, 4), "35.11.01.2002", "FM", "draft"),
    ("Bambang Hartono", "3511021712700005", "L", datetime.date(1970, 12, 17), "35.11.02.2001", "PD", "submitted"),
    ("Tuminah", None, "P", datetime.date(1948, 5, 5), "35.11.02.2001", "LUT", "submitted"),
    ("Ahmad Fauzi", "3511011505900006", "L", datetime.date(1990, 5, 15), "35.11.01.2002", "FM", "rejected"),
)
DEMO_UNITS = (
    ("rehsos", "Sentra Terpadu Prof. Dr. Soeharso Surakarta", ServiceUnit.Kind.SENTRA, True),
    ("rehsos", "Sentra Terpadu Pangudi Luhur Bekasi", ServiceUnit.Kind.SENTRA, True),
    ("dayasos", "Direktorat Pemberdayaan Sosial Perorangan, Keluarga dan Kelembagaan Masyarakat",
     ServiceUnit.Kind.DIRECTORATE, False),
    ("linjamsos", "Direktorat Jaminan Sosial", ServiceUnit.Kind.DIRECTORATE, False),
)
STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "verified": ["submit", "verify"],
    "rejected": ["submit", "reject"],
}


class Command(BaseCommand):
    help = "Buat registrasi PPKS demo di Kab. Bondowoso (butuh seed_demo). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo_ppks hanya untuk pengembangan (DJANGO_DEBUG=1).")
        pensosmas = User.objects.filter(username="pensosmas.maesan").first()
        dinsos = User.objects.filter(username="dinsos.bondowoso").first()
        if pensosmas is None or dinsos is None:
            raise CommandError("Jalankan 'manage.py seed_demo' dahulu.")
        self._units()
        created = 0
        for name, nik, sex, birth_date, village_code, category_code, status in DEMO_PEOPLE:
            if Person.objects.filter(name=name, birth_date=birth_date).exists():
                continue
            actor = pensosmas if pensosmas.assigned_villages.filter(code=village_code).exists() else dinsos
            person = services.person_create(actor=actor, data={
                "name": name, "nik": nik, "nik_status": "ada" if nik else "belum_punya", "sex": sex,
                "birth_place": "Bondowoso", "birth_date": birth_date, "village": Village.objects.get(code=village_code),
                "dusun": "Krajan", "rt": "002", "rw": "001", "kk_number": "",
                # A disability category names the disability (services.category_criteria_warnings).
                "disability": "fisik" if category_code in services.DISABILITY_CATEGORIES else "",
            })
            registration = services.registration_create(
                actor=actor, person=person, category=Category.objects.get(code=category_code),
                needs="Data demo: kebutuhan dasar dan pendampingan.",
            )
            if registration.warnings:  # demo data obey the same category rule as every entry path
                raise CommandError("Data demo {} melanggar kriteria kategori: {}".format(
                    name, "; ".join(registration.warnings)))
            for action in STEPS[status]:
                registration = services.registration_transition(
                    registration=registration, action=action, actor=actor if action == "submit" else dinsos,
                    note="Data demo tidak lengkap." if action == "reject" else "",
                )
            created += 1
        self.stdout.write(self.style.SUCCESS("{} registrasi PPKS demo dibuat.".format(created)))

    def _units(self) -> None:
        """Demo units under the Ditjen (real Kemensos unit names) and the demo unit officer at Ditjen Rehsos."""
        for directorate_code, name, kind, needs_nik in DEMO_UNITS:
            directorate = Directorate.objects.get(code=directorate_code)
            head = ServiceUnit.objects.get(directorate=directorate, kind=ServiceUnit.Kind.DITJEN, parent=None)
            ServiceUnit.objects.get_or_create(name=name, directorate=directorate, defaults={
                "kind": kind, "parent": head, "needs_full_nik": needs_nik})
        officer = User.objects.filter(username="unit.rehsos").first()
        if officer is not None:
            ServiceUnit.objects.get(directorate__code="rehsos", kind=ServiceUnit.Kind.DITJEN, parent=None
                                    ).officers.add(officer)
