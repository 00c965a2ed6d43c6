"""Report jobs rendered by Celery workers and their parts (the referral letters they render live in ppks)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    """One requested report: parameters, who asked, progress, and the stored files with their SHA-256."""

    region_field = "region_code"
    region_field_holds_regions = True

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Surat rujukan PPKS")
        REFERRAL_SUMMARY = "referral_summary", _("Rekap rujukan PPKS")
        VILLAGE_PROFILE = "village_profile", _("Profil desa")

    class State(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Diproses")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    parameters = models.JSONField(_("parameter"), default=dict)
    region_code = models.CharField(_("wilayah"), max_length=13, blank=True)
    batch = models.ForeignKey("ppks.ReferralBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs")
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    row_count = models.PositiveIntegerField(_("jumlah baris"), default=0)
    page_count = models.PositiveIntegerField(_("jumlah halaman"), default=0)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    csv = models.FileField(_("CSV"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256 PDF"), max_length=64, blank=True)
    summary = models.JSONField(_("rekapitulasi"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)
    retryable = models.BooleanField(
        _("dapat diulang"), default=True, help_text=_("Salah jika kegagalan tidak akan hilang dengan mengulang.")
    )
    masked_copy_of = models.ForeignKey(
        "self", verbose_name=_("salinan tersamar dari"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="masked_copies",
        help_text=_("Salinan surat rujukan dengan NIK dan No. KK disamarkan, untuk peran yang tidak melihat NIK "
                    "lengkap."),
    )
    front_pdf = models.FileField(
        _("halaman depan"), upload_to="reports/parts/%Y/%m/", blank=True,
        help_text=_("Surat atau halaman rekap (dan peta) sebelum daftar, belum bernomor halaman; dihapus setelah "
                    "digabung."),
    )
    front_page_count = models.PositiveIntegerField(_("halaman depan (jumlah)"), default=0)
    paginated_at = models.DateTimeField(
        _("waktu penomoran"), null=True, blank=True,
        help_text=_("Waktu yang dicetak di kaki setiap halaman; ditetapkan sekali, saat semua bagian selesai."),
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True, db_index=True)
    touched_at = models.DateTimeField(
        _("tanda hidup terakhir"), default=timezone.now, db_index=True,
        help_text=_("Waktu terakhir pekerjaan ini maju; tanpa kemajuan terlalu lama, pengawas menjalankannya lagi."),
    )
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pekerjaan laporan")
        verbose_name_plural = _("pekerjaan laporan")

    def __str__(self) -> str:
        return "{} {}".format(self.get_kind_display(), self.pk)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs={"pk": self.pk})

    @property
    def is_stalled(self) -> bool:
        """Queued or running without any progress for SIDBS_REPORT_STALL_MINUTES (a lost worker, a lost chord)."""
        return self.state in {self.State.QUEUED, self.State.RUNNING} and self.touched_at < timezone.now() - \
            datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ReportPart(models.Model):
    """A slice of a large report (one or more kecamatan) rendered by its own task, merged at the end.

    ``done``: rendered, without page numbers; ``stamped``: its own pages carry "Halaman X dari Y" and the
    footer (``reports.services.report_stamp_part``), ready to be concatenated.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        DONE = "done", _("Selesai")
        STAMPED = "stamped", _("Bernomor halaman")

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveSmallIntegerField()
    district_codes = models.JSONField(default=list)
    village_codes = models.JSONField(
        default=list, blank=True,
        help_text=_("Bila diisi: hanya desa ini dari kecamatannya (kecamatan yang lebih besar dari satu bagian dibagi "
                    "per desa)."),
    )
    first_number = models.PositiveIntegerField(default=1)
    row_count = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    pdf = models.FileField(upload_to="reports/parts/%Y/%m/", blank=True)
    page_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["job", "index"]
        verbose_name = _("bagian laporan")
        verbose_name_plural = _("bagian laporan")
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="report_part_index_once")]

    def __str__(self) -> str:
        return "{} #{}".format(self.job_id, self.index)
