"""manage.py seed_demo_letters: a demo referral letter from Dinas Sosial Bondowoso to Ditjen Rehsos, and the
unit's first answers (accepted, a service recorded), all through the same services as the pages (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ppks import referral_services
from ppks.models import Directorate, Referral, Registration, ServiceRecord
from reports import services

DEMO_REFERRED = ("Sumarno", "Muhammad Rizki")


class Command(BaseCommand):
    help = "Kirim surat rujukan demo dan jawaban unit (butuh seed_demo dan seed_demo_ppks). Aman diulang."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo_letters hanya untuk pengembangan (DJANGO_DEBUG=1).")
        sender = User.objects.filter(username="dinsos.bondowoso").first()
        officer = User.objects.filter(username="unit.rehsos").first()
        if sender is None or officer is None:
            raise CommandError("Jalankan 'manage.py seed_demo' dan 'seed_demo_ppks' dahulu.")
        if Referral.objects.filter(registration__person__name__in=DEMO_REFERRED).exists():
            self.stdout.write("Surat rujukan demo sudah ada.")
            return
        registrations = list(Registration.objects.filter(person__name__in=DEMO_REFERRED, status="verified"))
        if len(registrations) != len(DEMO_REFERRED):
            raise CommandError("Registrasi demo belum terverifikasi; jalankan 'manage.py seed_demo_ppks' dahulu.")
        job = services.referral_send(
            actor=sender, region_code="35.11", directorate=Directorate.objects.get(code="rehsos"),
            registration_ids=[registration.pk for registration in registrations],
        )
        child = Referral.objects.get(batch=job.batch, registration__person__name="Muhammad Rizki")
        referral_services.referral_accept(referral=child, actor=officer, note="Diterima untuk asesmen lanjutan.")
        referral_services.referral_service_record(
            referral=child, actor=officer, service_type=ServiceRecord.ServiceType.ASSESSMENT,
            service_date=timezone.localdate(),
            note="Asesmen awal oleh pekerja sosial.")
        self.stdout.write(self.style.SUCCESS("Surat rujukan demo {} dikirim ke Ditjen Rehsos.".format(
            job.batch.letter_number)))
