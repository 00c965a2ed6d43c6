"""Think and Act: the Pokja Tansosmas, action plans and activities per dimension, programme stages,
stimulus funds and their spending, monitoring visits and the evaluation against the baseline."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Pokja(models.Model):
    """The village's Kelompok Kerja Ketahanan Sosial Masyarakat, set up by a decree (SK)."""

    region_field = "village__code"

    village = models.OneToOneField("villages.Village", on_delete=models.CASCADE, related_name="pokja",
                                   verbose_name=_("desa/kelurahan"))
    decree_number = models.CharField(_("nomor SK"), max_length=80, blank=True)
    decree_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    notes = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("Pokja Tansosmas")
        verbose_name_plural = _("Pokja Tansosmas")

    def __str__(self) -> str:
        return "Pokja Tansosmas {}".format(self.village)

    def get_absolute_url(self) -> str:
        return reverse("actionplans:pokja", kwargs={"code": self.village_id})


class PokjaMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "ketua", _("Ketua")
        SECRETARY = "sekretaris", _("Sekretaris")
        TREASURER = "bendahara", _("Bendahara")
        MEMBER = "anggota", _("Anggota")

    class Origin(models.TextChoices):
        FORMAL = "formal", _("Pranata sosial formal")
        INFORMAL = "nonformal", _("Pranata sosial non-formal")

    pokja = models.ForeignKey(Pokja, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nama"), max_length=150)
    role = models.CharField(_("jabatan"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    origin = models.CharField(_("asal"), max_length=10, choices=Origin.choices)
    institution = models.CharField(_("lembaga"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=[("L", _("Laki-laki")), ("P", _("Perempuan"))],
                           blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["pokja", "role", "name"]
        verbose_name = _("anggota Pokja")
        verbose_name_plural = _("anggota Pokja")
        constraints = [
            models.UniqueConstraint(
                fields=["pokja"], condition=models.Q(role="ketua", active=True), name="pokja_one_active_chair",
                violation_error_message=_("Pokja ini sudah punya ketua aktif."),
            ),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.get_role_display())


class ActionPlan(models.Model):
    """A village's plan for one programme year, answering one assessment (Think)."""

    region_field = "village__code"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        APPROVED = "approved", _("Disetujui")
        RETURNED = "returned", _("Dikembalikan")

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="action_plans",
                                verbose_name=_("desa/kelurahan"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    assessment = models.ForeignKey("dimensions.Assessment", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="action_plans", verbose_name=_("asesmen yang dijawab"))
    title = models.CharField(_("judul"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("disetujui"), null=True, blank=True)
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)

    class Meta:
        ordering = ["-year", "village"]
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="action_plan_once_per_year",
                                    violation_error_message=_("Desa ini sudah punya rencana aksi untuk tahun itu.")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actionplans:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class Activity(models.Model):
    """An activity of the plan addressing one dimension (and optionally weak indicators) (Act)."""

    class FundSource(models.TextChoices):
        STIMULUS = "stimulan", _("Stimulan Kemensos")
        VILLAGE_BUDGET = "apbdes", _("APBDes")
        SELF_HELP = "swadaya", _("Swadaya masyarakat")
        OTHER = "lainnya", _("Lainnya")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        ONGOING = "ongoing", _("Berjalan")
        DONE = "done", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    dimension = models.ForeignKey("dimensions.Dimension", on_delete=models.PROTECT, related_name="activities",
                                  verbose_name=_("dimensi"))
    indicators = models.ManyToManyField("dimensions.Indicator", blank=True, related_name="activities",
                                        verbose_name=_("indikator lemah yang dijawab"))
    title = models.CharField(_("kegiatan"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    target_group = models.CharField(_("sasaran"), max_length=200)
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("selesai"))
    budget = models.DecimalField(_("anggaran (Rp)"), max_digits=14, decimal_places=0, default=Decimal(0),
                                 validators=[MinValueValidator(Decimal(0))])
    fund_source = models.CharField(_("sumber dana"), max_length=10, choices=FundSource.choices)
    responsible_person = models.CharField(_("penanggung jawab"), max_length=150)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["plan", "dimension__number", "start_date"]
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="activity_dates_ordered",
                                   violation_error_message=_("Tanggal selesai tidak boleh sebelum tanggal mulai.")),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="activity_progress_percent"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="activity_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityEvidence(models.Model):
    """A photo or document proving an activity happened (type and size checked on upload)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Foto")
        DOCUMENT = "document", _("Dokumen")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to="evidence/%Y/%m/")
    caption = models.CharField(_("keterangan"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("bukti kegiatan")
        verbose_name_plural = _("bukti kegiatan")

    def __str__(self) -> str:
        return self.caption or self.file.name


class ProgrammeStage(models.Model):
    """One stage of the programme at a lokus, with planned and actual dates."""

    region_field = "village__code"

    class Stage(models.TextChoices):
        SITE_APPRAISAL = "penjajagan", _("Penjajagan lokasi")
        DATA_COLLECTION = "pengumpulan_data", _("Pengumpulan data")
        PLANNING = "rencana_aksi", _("Penyusunan rencana aksi")
        STIMULUS_TRANSFER = "transfer_stimulan", _("Transfer stimulan")
        IMPLEMENTATION = "pelaksanaan", _("Pelaksanaan")
        MONITORING = "monitoring", _("Monitoring")
        EVALUATION = "evaluasi", _("Evaluasi")

    ORDER = list(Stage.values)

    village = models.ForeignKey("villages.Village", on_delete=models.CASCADE, related_name="programme_stages")
    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    order = models.PositiveSmallIntegerField(default=0)
    planned_start = models.DateField(_("rencana mulai"), null=True, blank=True)
    planned_end = models.DateField(_("rencana selesai"), null=True, blank=True)
    actual_start = models.DateField(_("realisasi mulai"), null=True, blank=True)
    actual_end = models.DateField(_("realisasi selesai"), null=True, blank=True)
    notes = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta:
        ordering = ["village", "year", "order"]
        verbose_name = _("tahap program")
        verbose_name_plural = _("tahap program")
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "stage"], name="programme_stage_once"),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True) | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="programme_stage_plan_ordered",
                violation_error_message=_("Rencana selesai tidak boleh sebelum rencana mulai."),
            ),
        ]

    def __str__(self) -> str:
        return "{} {} {}".format(self.village_id, self.year, self.get_stage_display())

    def is_late(self, today: datetime.date) -> bool:
        """Past its planned end without finishing, or finished after its planned end."""
        if self.planned_end is None:
            return False
        if self.actual_end is None:
            return today > self.planned_end
        return self.actual_end > self.planned_end


class StimulusTranche(models.Model):
    """A tranche of the Kemensos stimulus received by the village for a programme year."""

    region_field = "village__code"

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="stimulus_tranches")
    year = models.PositiveSmallIntegerField(_("tahun"))
    number = models.PositiveSmallIntegerField(_("tahap ke"))
    amount = models.DecimalField(_("jumlah (Rp)"), max_digits=14, decimal_places=0,
                                 validators=[MinValueValidator(Decimal(1))])
    received_on = models.DateField(_("diterima"))
    reference = models.CharField(_("nomor BAST/bukti"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["village", "year", "number"]
        verbose_name = _("tahap stimulan")
        verbose_name_plural = _("tahap stimulan")
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "number"], name="stimulus_tranche_once",
                                    violation_error_message=_("Tahap stimulan ini sudah tercatat.")),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="stimulus_tranche_positive"),
        ]

    def __str__(self) -> str:
        return "{} {} #{}".format(self.village_id, self.year, self.number)


class Spending(models.Model):
    """Money spent on an activity from the stimulus; overspending only with an authorised override."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="spendings")
    amount = models.DecimalField(_("jumlah (Rp)"), max_digits=14, decimal_places=0,
                                 validators=[MinValueValidator(Decimal(1))])
    spent_on = models.DateField(_("tanggal"))
    description = models.CharField(_("uraian"), max_length=200)
    override_reason = models.TextField(_("alasan melebihi saldo"), blank=True)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("belanja")
        verbose_name_plural = _("belanja")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="spending_positive")]

    def __str__(self) -> str:
        return "{} {}".format(self.activity, self.amount)


class MonitoringVisit(models.Model):
    region_field = "village__code"

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="monitoring_visits")
    plan = models.ForeignKey(ActionPlan, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="monitoring_visits")
    visited_on = models.DateField(_("tanggal kunjungan"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(_("temuan"))
    follow_ups = models.TextField(_("tindak lanjut"), blank=True)

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("kunjungan monitoring")
        verbose_name_plural = _("kunjungan monitoring")

    def __str__(self) -> str:
        return "{} {}".format(self.village_id, self.visited_on)


class Evaluation(models.Model):
    """The plan's evaluation: endline compared with baseline, with findings and follow-ups."""

    plan = models.OneToOneField(ActionPlan, on_delete=models.CASCADE, related_name="evaluation")
    baseline = models.ForeignKey("dimensions.Assessment", on_delete=models.PROTECT, related_name="+")
    endline = models.ForeignKey("dimensions.Assessment", on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(_("temuan"))
    follow_ups = models.TextField(_("tindak lanjut"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluasi")
        verbose_name_plural = _("evaluasi")

    def __str__(self) -> str:
        return "Evaluasi {}".format(self.plan)
