"""The referral loop: receiving units, referral letters, one referral per person and unit, and the services given.

A Dinas Sosial office sends verified registrations to a Kemensos directorate in a letter
(``ReferralBatch``); each registration then has a ``Referral`` addressed to a ``ServiceUnit``
(the Ditjen itself, or one of its Sentra/Balai/UPT, a panti or a partner LKS). The unit's
officers accept, decline (with a reason), forward to another unit, record the services given
and close; each step is a ``ReferralEvent`` and the registration's status follows from its
referrals (``ppks.referral_services.registration_follow_referrals``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceUnit(models.Model):
    """A unit that receives referrals: a Ditjen, one of its Sentra/Balai/UPT, a panti, a Dinas or an LKS partner.

    ``officers`` are the accounts (role "petugas unit layanan") who answer the referrals addressed
    to the unit; ``needs_full_nik`` lets them reveal a referred person's full NIK (each reveal audited).
    """

    class Kind(models.TextChoices):
        DITJEN = "ditjen", _("Direktorat Jenderal")
        DIRECTORATE = "direktorat", _("Direktorat")
        SENTRA = "sentra", _("Sentra/Balai")
        UPT = "upt", _("UPT/UPTD")
        PANTI = "panti", _("Panti")
        DINSOS = "dinsos", _("Dinas Sosial")
        LKS = "lks", _("Lembaga Kesejahteraan Sosial (mitra)")

    name = models.CharField(_("nama unit"), max_length=160)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    directorate = models.ForeignKey("ppks.Directorate", verbose_name=_("direktorat jenderal"), on_delete=models.PROTECT,
                                    related_name="units")
    parent = models.ForeignKey("self", verbose_name=_("unit induk"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children")
    region_code = models.CharField(_("kode wilayah lokasi"), max_length=13, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    email = models.EmailField(_("pos-el"), blank=True)
    needs_full_nik = models.BooleanField(
        _("perlu NIK lengkap"), default=False,
        help_text=_("Petugas unit boleh membuka NIK lengkap orang yang dirujuk ke unit ini (tercatat di log audit)."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("petugas"), blank=True,
                                      related_name="service_units")

    class Meta:
        ordering = ["directorate", "kind", "name"]
        verbose_name = _("unit layanan")
        verbose_name_plural = _("unit layanan")

    def __str__(self) -> str:
        return self.name


class ReferralBatch(models.Model):
    """A referral letter: verified registrations sent, on the user's confirmation, to one directorate.

    The letter is issued by the sender's ``office`` and numbered from that office's register
    (``year``/``sequence``). What the letter prints about the office and the signatory is kept as
    it was on the day (``office_snapshot``, ``signed_by``, ``copies_to``), so a letter rendered
    again later reads the same. The table names stay those of the reports app, where it began.
    """

    region_field = "region_code"
    region_field_holds_regions = True

    region_code = models.CharField(_("wilayah"), max_length=13, blank=True)
    directorate = models.ForeignKey("ppks.Directorate", verbose_name=_("direktorat tujuan"), on_delete=models.PROTECT)
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("unit tujuan"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="letters")
    office = models.ForeignKey("accounts.Office", verbose_name=_("kantor penerbit"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="referral_letters")
    year = models.PositiveSmallIntegerField(_("tahun register"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("nomor urut"), null=True, blank=True)
    letter_number = models.CharField(_("nomor surat"), max_length=60)
    office_snapshot = models.JSONField(_("kop surat"), default=dict, blank=True)
    signed_by = models.JSONField(_("penanda tangan"), default=dict, blank=True)
    copies_to = models.JSONField(_("tembusan"), default=list, blank=True)
    registrations = models.ManyToManyField("ppks.Registration", related_name="referral_batches",
                                           db_table="reports_referralbatch_registrations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dikirim"), auto_now_add=True)

    class Meta:
        db_table = "reports_referralbatch"
        ordering = ["-created_at"]
        verbose_name = _("surat rujukan")
        verbose_name_plural = _("surat rujukan")
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "sequence"], name="referral_letter_number_once"),
        ]

    def __str__(self) -> str:
        return self.letter_number

    @property
    def audit_label(self) -> str:
        return "Surat {}".format(self.letter_number)

    @property
    def notification_label(self) -> str:
        return self.letter_number


def overdue_condition(*, now: datetime.datetime | None = None, days: int | None = None) -> Q:
    """Still waiting for the unit's first answer after ``days`` (SIDBS_REFERRAL_ANSWER_DAYS): derived, never stored."""
    now = now or timezone.now()
    days = settings.SIDBS_REFERRAL_ANSWER_DAYS if days is None else days
    return Q(state="sent", sent_at__lt=now - datetime.timedelta(days=days))


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=Referral.OPEN_STATES)

    def overdue(self, *, now: datetime.datetime | None = None, days: int | None = None):
        return self.filter(overdue_condition(now=now, days=days))


class Referral(models.Model):
    """One registration referred to one unit, from the letter until the unit closes it.

    The unit's officers see it through ``unit_scope``; Dinas Sosial sees it by the village of the
    registration (``region_field``). Forwarding ends this referral and opens a new one at the
    other unit (``forwarded_from``). Whether it is overdue is derived (sent, no answer after the
    configured number of days), never stored.
    """

    region_field = "registration__village__code"

    class State(models.TextChoices):
        SENT = "sent", _("Terkirim, menunggu jawaban")
        ACCEPTED = "accepted", _("Diterima unit")
        IN_SERVICE = "in_service", _("Dilayani")
        DECLINED = "declined", _("Ditolak unit")
        FORWARDED = "forwarded", _("Diteruskan ke unit lain")
        CLOSED = "closed", _("Selesai")

    OPEN_STATES = ("sent", "accepted", "in_service")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Layanan selesai diberikan")
        PARTIAL = "partial", _("Layanan sebagian, dilanjutkan pihak lain")
        REFUSED = "refused", _("Penerima menolak layanan")
        UNREACHABLE = "unreachable", _("Penerima tidak dapat ditemui/pindah")
        DECEASED = "deceased", _("Penerima meninggal dunia")

    registration = models.ForeignKey("ppks.Registration", verbose_name=_("registrasi"), on_delete=models.PROTECT,
                                     related_name="referrals")
    batch = models.ForeignKey(ReferralBatch, verbose_name=_("surat rujukan"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="referrals")
    directorate = models.ForeignKey("ppks.Directorate", verbose_name=_("direktorat jenderal"),
                                    on_delete=models.PROTECT, related_name="referrals")
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("unit tujuan"), on_delete=models.PROTECT,
                             related_name="referrals")
    forwarded_from = models.ForeignKey("self", verbose_name=_("diteruskan dari"), on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="forwards")
    state = models.CharField(_("status rujukan"), max_length=12, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(_("dikirim"), default=timezone.now)
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    decline_reason = models.TextField(_("alasan penolakan"), blank=True)
    outcome = models.CharField(_("hasil akhir"), max_length=12, choices=Outcome.choices, blank=True)
    closing_note = models.TextField(_("catatan penutupan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("rujukan")
        verbose_name_plural = _("rujukan")
        indexes = [
            models.Index(fields=["unit", "state"], name="referral_unit_state"),
            models.Index(fields=["state", "sent_at"], name="referral_state_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "directorate"], condition=Q(state__in=["sent", "accepted", "in_service"]),
                name="referral_one_open_per_directorate",
                violation_error_message=_("Registrasi ini sudah memiliki rujukan aktif ke direktorat tersebut."),
            ),
        ]

    def __str__(self) -> str:
        return "Rujukan #{}".format(self.pk)

    def get_absolute_url(self) -> str:
        return reverse("ppks:referral-detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self) -> str:
        return "Rujukan #{} (registrasi #{})".format(self.pk, self.registration_id)

    notification_related = ("registration__person", "registration__category")

    @property
    def notification_label(self) -> str:
        """How the inbox names this referral (looked up when shown, so anonymisation reaches it)."""
        return "{} ({})".format(self.registration.person.name, self.registration.category.code)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        """The same rule as ``overdue_condition``, for one loaded referral."""
        now = now or timezone.now()
        return self.state == self.State.SENT and self.sent_at < now - datetime.timedelta(
            days=settings.SIDBS_REFERRAL_ANSWER_DAYS)

    @staticmethod
    def unit_scope(user) -> Q:
        """The referrals a unit officer may see: those addressed to their units that they have not passed on."""
        return Q(unit__officers=user) & ~Q(state__in=["declined", "forwarded"])


class ReferralEvent(models.Model):
    """A step of a referral: sent, accepted, declined, forwarded, a service recorded, closed."""

    class Action(models.TextChoices):
        SENT = "sent", _("Dikirim")
        ACCEPTED = "accepted", _("Diterima")
        DECLINED = "declined", _("Ditolak")
        FORWARDED = "forwarded", _("Diteruskan")
        SERVICE = "service", _("Layanan dicatat")
        CLOSED = "closed", _("Ditutup")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("langkah"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("riwayat rujukan")
        verbose_name_plural = _("riwayat rujukan")

    def __str__(self) -> str:
        return "{} {}".format(self.referral_id, self.action)


class ServiceRecord(models.Model):
    """A service a unit gave to a referred person: what, when, with which outcome."""

    class ServiceType(models.TextChoices):
        ASSESSMENT = "asesmen", _("Asesmen/penjangkauan")
        RESIDENTIAL = "dalam_panti", _("Rehabilitasi sosial dalam panti/sentra")
        COMMUNITY = "luar_panti", _("Rehabilitasi sosial luar panti")
        SOCIAL_ASSISTANCE = "bansos", _("Bantuan sosial")
        SOCIAL_SECURITY = "jaminan", _("Jaminan/perlindungan sosial")
        EMPOWERMENT = "pemberdayaan", _("Pemberdayaan sosial/usaha ekonomi")
        ASSISTIVE = "alat_bantu", _("Alat bantu/aksesibilitas")
        ADMINDUK = "adminduk", _("Fasilitasi dokumen kependudukan")
        OTHER = "lainnya", _("Layanan lain")

    class Result(models.TextChoices):
        GIVEN = "given", _("Diberikan")
        PARTIAL = "partial", _("Diberikan sebagian")
        NOT_GIVEN = "not_given", _("Tidak dapat diberikan")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("jenis layanan"), max_length=14, choices=ServiceType.choices)
    service_date = models.DateField(_("tanggal layanan"))
    result = models.CharField(_("hasil"), max_length=10, choices=Result.choices, default=Result.GIVEN)
    note = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["service_date", "pk"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self) -> str:
        return "{} {}".format(self.get_service_type_display(), self.service_date)
