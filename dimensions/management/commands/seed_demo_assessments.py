"""manage.py seed_demo_assessments: a validated baseline and a submitted endline for the demo village."""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from dimensions import services
from dimensions.models import Assessment, Indicator
from villages.models import Village

INSTITUTIONS = ("PKK", "Karang Taruna", "LKS Sejahtera", "Majelis Taklim", "Kelompok Tani", "BPD", "Posyandu",
                "Tagana", "RT/RW", "Tokoh adat")


class Command(BaseCommand):
    help = "Buat asesmen demo (baseline tervalidasi, endline diajukan) di desa Sucolor. Aman diulang."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo_assessments hanya untuk pengembangan (DJANGO_DEBUG=1).")
        pensosmas = User.objects.filter(username="pensosmas.maesan").first()
        dinsos = User.objects.filter(username="dinsos.bondowoso").first()
        if pensosmas is None or dinsos is None:
            raise CommandError("Jalankan 'manage.py seed_demo' dahulu.")
        village = Village.objects.get(code="35.11.01.2001")
        codes = list(Indicator.objects.filter(dimension__instrument__is_active=True).values_list("code", flat=True))
        rng = random.Random(12)
        for phase, shift in (("baseline", 0), ("endline", 1)):
            if Assessment.objects.filter(village=village, year=2026, phase=phase).exists():
                continue
            assessment = services.assessment_create(actor=pensosmas, village=village, year=2026, phase=phase,
                                                    period_label="Demo")
            rows = [{"name": "Responden {}".format(number + 1), "institution": INSTITUTIONS[number % 10],
                     "answers": {code: min(5, rng.randint(1, 4) + shift) for code in codes}} for number in range(12)]
            services.answers_replace(assessment=assessment, actor=pensosmas, rows=rows)
            assessment = services.assessment_submit(assessment=assessment, actor=pensosmas)
            if phase == "baseline":
                services.assessment_validate(assessment=assessment, actor=dinsos)
        self.stdout.write(self.style.SUCCESS("Asesmen demo siap."))
