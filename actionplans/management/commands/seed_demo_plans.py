"""manage.py seed_demo_plans: Sucolor's Pokja, asset map, approved action plan, schedule, stimulus and monitoring.

Everything goes through the services and is dated inside the demo year (config/demo.py), so the
demo obeys the rules the pages enforce: the plan was approved on 2 March after the baseline was
validated; tranches arrived after that and never in the future; spending lies in the plan period;
one stage finished late, so later stages are at risk; implementation is overdue and the
Pensosmas's request to move its end waits for Dinas Sosial. Sucolor's phase is therefore Act,
derived from these records.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from actionplans import services
from actionplans.models import ActionPlan
from config.demo import demo_moment, demo_year
from villages.models import Village

# name, role, coordinated dimension, origin, institution type, institution, sex, age group
MEMBERS = (
    ("H. Abdul Rahman", "pengarah", None, "formal", "pemdes", "Pemerintah Desa Sucolor", "L", "dewasa"),
    ("Slamet Riyadi", "ketua", None, "formal", "bpd_lpm", "LPM Sucolor", "L", "dewasa"),
    ("Sri Wahyuni", "sekretaris", None, "formal", "pkk", "TP PKK Desa", "P", "dewasa"),
    ("Bambang Hartono", "bendahara", None, "nonformal", "ekonomi", "Kelompok Tani Makmur", "L", "dewasa"),
    ("Siti Khotijah", "koordinator", 1, "formal", "lks", "LKS Sejahtera Sucolor", "P", "dewasa"),
    ("Dewi Lestari", "koordinator", 2, "formal", "karang_taruna", "Karang Taruna Sucolor", "P", "muda"),
    ("Ustadz Hasan", "koordinator", 3, "nonformal", "keagamaan", "Majelis Taklim Al-Ikhlas", "L", "dewasa"),
    ("Pak Darmo", "koordinator", 4, "nonformal", "adat", "Sesepuh Desa", "L", "lansia"),
    ("Nur Aini", "anggota", None, "formal", "kesehatan_pendidikan", "Posyandu Melati", "P", "dewasa"),
    ("Yuni Astutik", "anggota", None, "formal", "kesehatan_pendidikan", "SDN Sucolor 1", "P", "dewasa"),
    ("Agus Salim", "anggota", None, "formal", "rt_rw", "RW 01 Krajan", "L", "dewasa"),
    ("Heru Susanto", "anggota", None, "formal", "rt_rw", "RW 02 Kidul", "L", "dewasa"),
    ("Rahayu Ningsih", "anggota", None, "formal", "pkk", "Pokja I PKK", "P", "dewasa"),
    ("Imam Syafii", "anggota", None, "nonformal", "keagamaan", "Takmir Masjid Baiturrahman", "L", "dewasa"),
    ("Kartini", "anggota", None, "nonformal", "keagamaan", "Muslimat NU Ranting Sucolor", "P", "dewasa"),
    ("Sugeng Riyanto", "anggota", None, "nonformal", "ekonomi", "Kelompok Ternak Sapi Jaya", "L", "dewasa"),
    ("Lina Marlina", "anggota", None, "nonformal", "ekonomi", "KWT Sekar Arum", "P", "dewasa"),
    ("Rizki Pratama", "anggota", None, "formal", "karang_taruna", "Karang Taruna Sucolor", "L", "muda"),
    ("Fitri Handayani", "anggota", None, "formal", "karang_taruna", "Karang Taruna Sucolor", "P", "muda"),
    ("Teguh Wibowo", "anggota", None, "formal", "psks", "Tagana Maesan", "L", "muda"),
    ("Sulastri", "anggota", None, "formal", "psks", "PSM Desa Sucolor", "P", "dewasa"),
    ("Mbah Karto", "anggota", None, "nonformal", "tokoh", "Tokoh masyarakat Dusun Wetan", "L", "lansia"),
    ("Ibu Suminah", "anggota", None, "nonformal", "tokoh", "Tokoh perempuan Dusun Kulon", "P", "lansia"),
    ("Joko Susilo", "anggota", None, "formal", "bpd_lpm", "BPD Sucolor", "L", "dewasa"),
    ("Endang Sri", "anggota", None, "nonformal", "adat", "Paguyuban Seni Singo Ulung", "P", "dewasa"),
    ("Dimas Saputra", "anggota", None, "nonformal", "ekonomi", "UMKM Tape Bondowoso", "L", "muda"),
    ("Indah Permata", "anggota", None, "formal", "dunia_usaha", "BUMDes Sucolor Mandiri", "P", "dewasa"),
    ("Arif Hidayat", "anggota", None, "nonformal", "tokoh", "Tokoh pemuda", "L", "muda"),
    ("Rina Wulandari", "pendamping", None, "formal", "psks", "Penyuluh Sosial Masyarakat", "P", "dewasa"),
    ("Drs. Wahyu Nugroho", "fasilitator", None, "formal", "psks", "TKSK Kecamatan Maesan", "L", "dewasa"),
)
# kind, name, description, owner, contact, location, leaky bucket (monthly outflow), quick win
ASSETS = (
    ("keterampilan", "Perajin anyaman bambu", "Delapan perajin, pasar di luar kabupaten.", "Bu Rukmini", "081330001111",
     "Dusun Krajan RT 02", None, True),
    ("keterampilan", "Tukang batu dan kayu", "Kelompok 12 tukang untuk bedah rumah gotong royong.", "Pak Sukardi", "",
     "Dusun Kidul", None, False),
    ("asosiasi", "Kelompok Wanita Tani Sekar Arum", "Pekarangan pangan lestari 25 anggota.", "Lina Marlina",
     "081330002222", "Dusun Wetan", None, True),
    ("lembaga", "BUMDes Sucolor Mandiri", "Unit simpan pinjam dan pengelolaan sampah.", "Indah Permata",
     "081330003333", "Kantor desa", None, False),
    ("fisik_alam", "Mata air Sumber Urip", "Air bersih untuk 3 dusun; dijaga aturan adat.", "Pemdes", "",
     "Dusun Kulon, 300 m dari balai desa", None, False),
    ("ekonomi", "Belanja pupuk dan pakan ke luar desa", "Petani membeli pupuk dan pakan di kota kecamatan.",
     "Kelompok Tani Makmur", "", "Pasar Maesan", Decimal(45_000_000), False),
    ("ekonomi", "Beras dibeli dari luar desa", "Panen dijual gabah lalu beras dibeli kembali.", "", "", "Warung desa",
     Decimal(30_000_000), True),
    ("budaya_religi", "Tradisi selamatan desa (bersih desa)", "Gotong royong tahunan seluruh dusun.", "Sesepuh Desa",
     "", "Balai desa", None, True),
)
ACTIVITIES = (
    (3, ("3.2", "3.4"), "Pelatihan mediator desa dan siskamling", 4_500_000, None),
    (1, ("1.4",), "Revitalisasi lumbung pangan dan jimpitan", 6_000_000, "Beras dibeli dari luar desa"),
    (2, ("2.5",), "Rapat rutin Pokja Tansosmas triwulanan", 1_500_000, None),
)


class Command(BaseCommand):
    help = "Buat data Pokja, peta aset dan rencana aksi demo di desa Sucolor (butuh seed_demo_assessments)."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo_plans hanya untuk pengembangan (DJANGO_DEBUG=1).")
        pensosmas = User.objects.get(username="pensosmas.maesan")
        dinsos = User.objects.get(username="dinsos.bondowoso")
        village = Village.objects.get(code="35.11.01.2001")
        year = demo_year()
        day = lambda month, day_of_month: datetime.date(year, month, day_of_month)  # noqa: E731
        if ActionPlan.objects.filter(village=village, year=year).exists():
            self.stdout.write("Rencana aksi demo sudah ada.")
            return
        pokja = services.pokja_save(village=village, actor=pensosmas, decree_number="188/12/430.9.11/{}".format(year),
                                    decree_date=day(1, 12), target_members=30)
        for name, role, dimension, origin, kind, institution, sex, age in MEMBERS:
            services.pokja_member_save(pokja=pokja, actor=pensosmas, data={
                "name": name, "role": role, "dimension": dimension, "origin": origin, "institution_type": kind,
                "institution": institution, "sex": sex, "age_group": age})
        assets = {}
        for kind, name, description, owner, contact, location, outflow, quick in ASSETS:
            assets[name] = services.asset_save(village=village, actor=pensosmas, data={
                "kind": kind, "name": name, "description": description, "owner": owner, "contact": contact,
                "location": location, "leaky_bucket": outflow is not None, "monthly_outflow": outflow,
                "low_hanging_fruit": quick})
        plan = services.plan_create(village=village, year=year, actor=pensosmas)
        if plan.assessment is None:
            raise CommandError("Jalankan 'manage.py seed_demo_assessments' dahulu.")
        dimensions = {dimension.number: dimension for dimension in plan.assessment.instrument.dimensions.all()}
        for number, codes, title, budget, asset_name in ACTIVITIES:
            dimension = dimensions[number]
            services.activity_save(plan=plan, actor=pensosmas, data={
                "dimension": dimension, "indicators": list(dimension.indicators.filter(code__in=codes)),
                "title": title, "target_group": "Warga desa dan pranata sosial", "start_date": day(4, 1),
                "end_date": day(9, 30), "budget": Decimal(budget), "fund_source": "stimulan",
                "responsible_person": "Ketua Pokja", "source_asset": assets.get(asset_name)})
        # The Pokja agrees the schedule while drafting the plan; approval then locks the planned dates.
        stages = services.stages_initialise(village=village, year=year, actor=pensosmas)
        schedule = (
            # planned start, planned end, actual start, actual end
            (day(1, 2), day(1, 31), day(1, 5), day(1, 29)),       # penjajagan: on time
            (day(2, 1), day(2, 28), day(2, 2), day(3, 10)),       # pengumpulan data: 10 days late
            (day(3, 1), day(3, 31), day(2, 15), day(3, 2)),       # rencana aksi: approved 2 March
            (day(3, 15), day(8, 31), None, None),                 # transfer stimulan: follows the tranches
            (day(4, 1), day(9, 30), day(4, 1), None),             # pelaksanaan: overdue
            (day(10, 1), day(11, 15), None, None),                # monitoring: overdue, not started
            (day(11, 16), day(12, 15), None, None),               # evaluasi: planned
        )
        for stage, (planned_start, planned_end, actual_start, actual_end) in zip(stages, schedule, strict=True):
            services.stage_update(stage=stage, actor=pensosmas, data={
                "planned_start": planned_start, "planned_end": planned_end, "actual_start": actual_start,
                "actual_end": actual_end})
        services.plan_submit(plan=plan, actor=pensosmas)
        plan = services.plan_review(plan=plan, actor=dinsos, approve=True, at=demo_moment(year, 3, 2))
        first = services.tranche_plan(village=village, year=year, actor=dinsos, number=1,
                                      planned_amount=Decimal(8_000_000), planned_date=day(3, 15))
        services.tranche_receive(tranche=first, actor=dinsos, amount=Decimal(8_000_000), received_on=day(3, 20),
                                 reference="BAST/STM/{}/001".format(year))
        second = services.tranche_plan(village=village, year=year, actor=dinsos, number=2,
                                       planned_amount=Decimal(7_000_000), planned_date=day(8, 15))
        services.tranche_receive(tranche=second, actor=dinsos, amount=Decimal(7_000_000), received_on=day(8, 20),
                                 reference="BAST/STM/{}/014".format(year))
        activities = list(plan.activities.order_by("pk"))
        services.spending_record(activity=activities[0], actor=pensosmas, amount=Decimal(2_750_000),
                                 spent_on=day(4, 15), description="Konsumsi dan modul pelatihan mediator")
        services.spending_record(activity=activities[1], actor=pensosmas, amount=Decimal(3_200_000),
                                 spent_on=day(9, 2), description="Bahan bangunan lumbung pangan")
        for activity, status, progress in zip(activities, ("ongoing", "ongoing", "done"), (70, 40, 100), strict=True):
            services.activity_progress_update(activity=activity, actor=pensosmas, status=status, progress=progress)
        services.monitoring_record(village=village, actor=dinsos, plan=plan, visited_on=day(5, 5),
                                   findings="Pelatihan mediator berjalan; lumbung pangan belum mulai.",
                                   follow_ups="Percepat pengadaan lumbung sebelum Juli.")
        implementation = stages[4]
        services.stage_change_request(stage=implementation, actor=pensosmas, planned_start=day(4, 1),
                                      planned_end=day(12, 15),
                                      reason="Pembangunan lumbung tertunda musim hujan; bahan baru tiba September.")
        self.stdout.write(self.style.SUCCESS("Rencana aksi demo siap (Sucolor, tahap Act)."))
