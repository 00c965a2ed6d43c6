"""manage.py seed_demo_plans: Pokja, an approved action plan, stages, stimulus and monitoring for the demo village."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from actionplans import services
from actionplans.models import ActionPlan
from villages.models import Village

MEMBERS = (
    ("Slamet Riyadi", "ketua", "formal", "Pemerintah Desa"), ("Sri Wahyuni", "sekretaris", "formal", "PKK"),
    ("Bambang Hartono", "bendahara", "nonformal", "Kelompok Tani"), ("Ustadz Hasan", "anggota", "nonformal",
                                                                      "Majelis Taklim"),
    ("Dewi Lestari", "anggota", "formal", "Karang Taruna"), ("Pak Darmo", "anggota", "nonformal", "Tokoh adat"),
)
ACTIVITIES = (
    (3, ("3.2", "3.4"), "Pelatihan mediator desa dan siskamling", 4_500_000),
    (1, ("1.4",), "Revitalisasi lumbung pangan dan jimpitan", 6_000_000),
    (2, ("2.5",), "Rapat rutin Pokja Tansosmas triwulanan", 1_500_000),
)


class Command(BaseCommand):
    help = "Buat data Pokja dan rencana aksi demo di desa Sucolor (butuh seed_demo_assessments). Aman diulang."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo_plans hanya untuk pengembangan (DJANGO_DEBUG=1).")
        pensosmas = User.objects.get(username="pensosmas.maesan")
        dinsos = User.objects.get(username="dinsos.bondowoso")
        village = Village.objects.get(code="35.11.01.2001")
        if ActionPlan.objects.filter(village=village, year=2026).exists():
            self.stdout.write("Rencana aksi demo sudah ada.")
            return
        pokja = services.pokja_save(village=village, actor=pensosmas, decree_number="188/12/430.9.11/2026",
                                    decree_date=datetime.date(2026, 1, 12))
        for name, role, origin, institution in MEMBERS:
            services.pokja_member_save(pokja=pokja, actor=pensosmas, data={
                "name": name, "role": role, "origin": origin, "institution": institution})
        plan = services.plan_create(village=village, year=2026, actor=pensosmas)
        if plan.assessment is None:
            raise CommandError("Jalankan 'manage.py seed_demo_assessments' dahulu.")
        dimensions = {dimension.number: dimension for dimension in plan.assessment.instrument.dimensions.all()}
        for number, codes, title, budget in ACTIVITIES:
            dimension = dimensions[number]
            services.activity_save(plan=plan, actor=pensosmas, data={
                "dimension": dimension, "indicators": list(dimension.indicators.filter(code__in=codes)),
                "title": title, "target_group": "Warga desa dan pranata sosial",
                "start_date": datetime.date(2026, 4, 1),
                "end_date": datetime.date(2026, 9, 30), "budget": Decimal(budget), "fund_source": "stimulan",
                "responsible_person": "Ketua Pokja"})
        services.plan_submit(plan=plan, actor=pensosmas)
        services.plan_review(plan=plan, actor=dinsos, approve=True)
        stages = services.stages_initialise(village=village, year=2026, actor=dinsos)
        for index, stage in enumerate(stages):
            planned_end = datetime.date(2026, 1 + index * 2 if index < 6 else 12, 28)
            actual_end = planned_end + datetime.timedelta(days=10 if index == 1 else 0) if index < 3 else None
            services.stage_update(stage=stage, actor=dinsos, data={
                "planned_start": planned_end - datetime.timedelta(days=27), "planned_end": planned_end,
                "actual_end": actual_end})
        services.tranche_record(village=village, year=2026, actor=dinsos, number=1, amount=Decimal(8_000_000),
                                received_on=datetime.date(2026, 3, 20), reference="BAST/STM/2026/001")
        first = plan.activities.order_by("pk").first()
        services.spending_record(activity=first, actor=pensosmas, amount=Decimal(2_750_000),
                                 spent_on=datetime.date(2026, 4, 15), description="Konsumsi dan modul pelatihan")
        services.monitoring_record(village=village, actor=dinsos, plan=plan, visited_on=datetime.date(2026, 5, 5),
                                   findings="Pelatihan mediator berjalan; lumbung pangan belum mulai.",
                                   follow_ups="Percepat pengadaan lumbung sebelum Juli.")
        self.stdout.write(self.style.SUCCESS("Rencana aksi demo siap."))
