"""manage.py seed_demo_assessments: Sucolor's validated baseline and submitted endline, Pujer Baru's baseline draft.

Dated within the demo year (config/demo.py): Sucolor's baseline was submitted on 20 January and
validated on 3 February; its endline was submitted on 20 November and waits for validation, so
every "latest assessment" still means the baseline. Pujer Baru is collecting its baseline (Look).
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from config.demo import demo_moment, demo_year
from dimensions import services
from dimensions.models import Assessment, Indicator
from villages.models import Village

INSTITUTIONS = ("PKK", "Karang Taruna", "LKS Sejahtera", "Majelis Taklim", "Kelompok Tani", "BPD", "Posyandu",
                "Tagana", "RT/RW", "Tokoh adat")


def respondents(codes: list[str], rng: random.Random, shift: int, count: int = 12) -> list[dict]:
    return [{"name": "Responden {}".format(number + 1), "institution": INSTITUTIONS[number % 10],
             "sex": "P" if number % 2 else "L",
             "answers": {code: min(5, rng.randint(1, 4) + shift) for code in codes}} for number in range(count)]


class Command(BaseCommand):
    help = "Buat asesmen demo: baseline tervalidasi dan endline diajukan di Sucolor, baseline draf di Pujer Baru."

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
        year = demo_year()
        codes = list(Indicator.objects.filter(dimension__instrument__is_active=True).values_list("code", flat=True))
        rng = random.Random(12)
        sucolor = Village.objects.get(code="35.11.01.2001")
        for phase, shift, submitted, validated in (
            ("baseline", 0, demo_moment(year, 1, 20), demo_moment(year, 2, 3)),
            ("endline", 1, demo_moment(year, 11, 20), None),
        ):
            if Assessment.objects.filter(village=sucolor, year=year, phase=phase).exists():
                continue
            assessment = services.assessment_create(actor=pensosmas, village=sucolor, year=year, phase=phase,
                                                    period_label="Demo")
            services.answers_replace(assessment=assessment, actor=pensosmas, rows=respondents(codes, rng, shift))
            assessment = services.assessment_submit(assessment=assessment, actor=pensosmas, at=submitted)
            if validated:
                services.assessment_validate(assessment=assessment, actor=dinsos, at=validated)
        pujer = Village.objects.get(code="35.11.01.2002")
        if not Assessment.objects.filter(village=pujer, year=year, phase="baseline").exists():
            draft = services.assessment_create(actor=pensosmas, village=pujer, year=year, phase="baseline",
                                               period_label="Demo")
            services.answers_replace(assessment=draft, actor=pensosmas, rows=respondents(codes, rng, 0, count=4))
        self.stdout.write(self.style.SUCCESS("Asesmen demo siap."))
