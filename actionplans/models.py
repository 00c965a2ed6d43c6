"""Think and Act: the Pokja Tansosmas, action plans and activities per dimension, programme stages,
stimulus funds and their spending, monitoring visits and the evaluation against the baseline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villages.models import ProgrammePhase


class Pokja(models.Model):
    """The village's Kelompok Kerja Ketahanan Sosial Masyarakat, set up by a decree (SK)."""

    region_field = "village__code"

    village = models.OneToOneField("villages.Village", on_delete=models.CASCADE, related_name="pokja",
                                   verbose_name=_("desa/kelurahan"))
    decree_number = models.CharField(_("nomor SK"), max_length=80, blank=True)
    decree_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    decree_file = models.FileField(_("berkas SK (PDF/foto)"), upload_to="pokja-sk/%Y/", blank=True)
    target_members = models.PositiveSmallIntegerField(
        _("target anggota"), default=30, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Sekitar 30 orang dari pranata sosial formal dan non-formal di lokus."))
    notes = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("Pokja Tansosmas")
        verbose_name_plural = _("Pokja Tansosmas")

    def __str__(self) -> str:
        return "Pokja Tansosmas {}".format(self.village)

    def get_absolute_url(self) -> str:
        return reverse("actionplans:pokja", kwargs={"code": self.village_id})


class PokjaMember(models.Model):
    """A person in the Pokja, or working with it as fasilitator or pendamping (roles of their own)."""

    class Role(models.TextChoices):
        ADVISER = "pengarah", _("Pengarah")
        CHAIR = "ketua", _("Ketua")
        SECRETARY = "sekretaris", _("Sekretaris")
        TREASURER = "bendahara", _("Bendahara")
        COORDINATOR = "koordinator", _("Koordinator dimensi")
        MEMBER = "anggota", _("Anggota")
        FACILITATOR = "fasilitator", _("Fasilitator")
        COMPANION = "pendamping", _("Pendamping")

    # Fasilitator and pendamping support the Pokja; they do not count towards its members.
    SUPPORT_ROLES = frozenset({Role.FACILITATOR, Role.COMPANION})
    ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}

    class Origin(models.TextChoices):
        FORMAL = "formal", _("Pranata sosial formal")
        INFORMAL = "nonformal", _("Pranata sosial non-formal")

    class InstitutionType(models.TextChoices):
        VILLAGE_GOVERNMENT = "pemdes", _("Pemerintah desa/kelurahan")
        VILLAGE_COUNCIL = "bpd_lpm", _("BPD/LPM")
        NEIGHBOURHOOD = "rt_rw", _("RT/RW/dusun")
        PKK = "pkk", _("PKK")
        YOUTH = "karang_taruna", _("Karang Taruna/kelompok pemuda")
        WELFARE = "lks", _("LKS/LK3/Puskesos")
        PSKS = "psks", _("PSKS (PSM, TKSK, Tagana, Pensosmas)")
        HEALTH_EDUCATION = "kesehatan_pendidikan", _("Posyandu/sekolah")
        RELIGIOUS = "keagamaan", _("Lembaga/majelis keagamaan")
        CUSTOMARY = "adat", _("Lembaga adat")
        COMMUNITY_FIGURE = "tokoh", _("Tokoh masyarakat/agama")
        ECONOMIC = "ekonomi", _("Kelompok tani/nelayan/usaha")
        BUSINESS = "dunia_usaha", _("Dunia usaha")
        OTHER = "lainnya", _("Lainnya")

    class AgeGroup(models.TextChoices):
        YOUNG = "muda", _("Di bawah 30 tahun")
        ADULT = "dewasa", _("30–59 tahun")
        ELDERLY = "lansia", _("60 tahun ke atas")

    pokja = models.ForeignKey(Pokja, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nama"), max_length=150)
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    dimension = models.PositiveSmallIntegerField(
        _("dimensi yang dikoordinasi"), null=True, blank=True, choices=[(1, "D1"), (2, "D2"), (3, "D3"), (4, "D4")],
        help_text=_("Hanya untuk koordinator dimensi."))
    origin = models.CharField(_("asal pranata sosial"), max_length=10, choices=Origin.choices)
    institution_type = models.CharField(_("jenis lembaga"), max_length=20, choices=InstitutionType.choices,
                                        default=InstitutionType.OTHER)
    institution = models.CharField(_("nama lembaga"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=[("L", _("Laki-laki")), ("P", _("Perempuan"))],
                           blank=True)
    age_group = models.CharField(_("kelompok umur"), max_length=6, choices=AgeGroup.choices, blank=True)
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
            models.UniqueConstraint(
                fields=["pokja", "dimension"], condition=models.Q(role="koordinator", active=True),
                name="pokja_one_active_coordinator_per_dimension",
                violation_error_message=_("Dimensi ini sudah punya koordinator aktif."),
            ),
            models.CheckConstraint(
                condition=(models.Q(role="koordinator", dimension__isnull=False)
                           | (~models.Q(role="koordinator") & models.Q(dimension__isnull=True))),
                name="pokja_coordinator_has_a_dimension",
                violation_error_message=_("Koordinator harus memilih satu dimensi; peran lain tanpa dimensi."),
            ),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.role_label)

    @property
    def role_label(self) -> str:
        if self.role == self.Role.COORDINATOR and self.dimension:
            return _("Koordinator D{number}").format(number=self.dimension)
        return self.get_role_display()

    @property
    def is_support(self) -> bool:
        return self.role in self.SUPPORT_ROLES


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
    source_asset = models.ForeignKey("Asset", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="activities", verbose_name=_("dari aset desa"))

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

    @property
    def follows_tranches(self) -> bool:
        """The transfer-stimulan stage's actual dates are those of its tranches, never typed in."""
        return self.stage_follows_tranches(self.stage)

    @classmethod
    def stage_follows_tranches(cls, stage: str) -> bool:
        """``follows_tranches`` for a stage code (rows read with ``values()``)."""
        return stage == cls.Stage.STIMULUS_TRANSFER


class StageChangeRequest(models.Model):
    """A change of a stage's planned dates after its year's plan was approved; Dinas Sosial decides it.

    Until it is approved the stage keeps its dates (and its lateness); the request and the decision
    stay as the stage's schedule history.
    """

    region_field = "stage__village__code"

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu keputusan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")

    stage = models.ForeignKey(ProgrammeStage, on_delete=models.CASCADE, related_name="change_requests")
    old_planned_start = models.DateField(_("rencana mulai semula"), null=True, blank=True)
    old_planned_end = models.DateField(_("rencana selesai semula"), null=True, blank=True)
    new_planned_start = models.DateField(_("rencana mulai baru"), null=True, blank=True)
    new_planned_end = models.DateField(_("rencana selesai baru"), null=True, blank=True)
    reason = models.TextField(_("alasan perubahan"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("pengajuan perubahan jadwal")
        verbose_name_plural = _("pengajuan perubahan jadwal")
        constraints = [
            models.UniqueConstraint(fields=["stage"], condition=models.Q(status="pending"),
                                    name="stage_change_one_pending",
                                    violation_error_message=_("Tahap ini sudah punya pengajuan perubahan yang "
                                                              "menunggu keputusan.")),
            models.CheckConstraint(
                condition=models.Q(new_planned_end__isnull=True) | models.Q(new_planned_start__isnull=True)
                | models.Q(new_planned_end__gte=models.F("new_planned_start")),
                name="stage_change_dates_ordered",
                violation_error_message=_("Rencana selesai tidak boleh sebelum rencana mulai."),
            ),
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.stage, self.get_status_display())


class StimulusTranche(models.Model):
    """A tranche of the Kemensos stimulus of a lokus year: planned (number, amount, date) on the
    transfer-stimulan stage, then received (amount, date, BAST), corrected or voided, never deleted."""

    region_field = "village__code"

    class State(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        RECEIVED = "received", _("Diterima")
        VOID = "void", _("Dibatalkan")

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="stimulus_tranches")
    year = models.PositiveSmallIntegerField(_("tahun"))
    number = models.PositiveSmallIntegerField(_("tahap ke"), validators=[MinValueValidator(1)])
    planned_amount = models.DecimalField(_("rencana jumlah (Rp)"), max_digits=14, decimal_places=0,
                                         validators=[MinValueValidator(Decimal(1))])
    planned_date = models.DateField(_("rencana tanggal"))
    amount = models.DecimalField(_("jumlah diterima (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(1))])
    received_on = models.DateField(_("tanggal diterima"), null=True, blank=True)
    reference = models.CharField(_("nomor BAST/bukti"), max_length=100, blank=True)
    receipt_note = models.TextField(
        _("alasan"), blank=True,
        help_text=_("Wajib bila diterima sebelum rencana aksi disetujui atau jumlahnya berbeda dari rencana."))
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("penerimaan dicatat oleh"))
    voided_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    void_reason = models.TextField(_("alasan pembatalan"), blank=True)

    class Meta:
        ordering = ["village", "year", "number"]
        verbose_name = _("tahap stimulan")
        verbose_name_plural = _("tahap stimulan")
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "number"], name="stimulus_tranche_once",
                                    violation_error_message=_("Tahap stimulan ini sudah tercatat.")),
            models.CheckConstraint(condition=models.Q(planned_amount__gt=0), name="stimulus_tranche_planned_positive"),
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                                   name="stimulus_tranche_positive"),
            models.CheckConstraint(
                condition=(models.Q(amount__isnull=True, received_on__isnull=True)
                           | models.Q(amount__isnull=False, received_on__isnull=False)),
                name="stimulus_tranche_received_whole",
                violation_error_message=_("Jumlah dan tanggal diterima diisi bersama."),
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="stimulus_tranche_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return "{} {} #{}".format(self.village_id, self.year, self.number)

    @property
    def state(self) -> str:
        if self.voided_at:
            return self.State.VOID
        return self.State.RECEIVED if self.received_on else self.State.PLANNED

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def difference(self) -> Decimal | None:
        """Received minus planned, when received."""
        return None if self.amount is None else self.amount - self.planned_amount


class TrancheRevision(models.Model):
    """One change of a tranche, with who, when and why: planned, received, corrected, voided."""

    class Action(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        RECEIVED = "received", _("Penerimaan dicatat")
        CORRECTED = "corrected", _("Dikoreksi")
        VOIDED = "voided", _("Dibatalkan")

    tranche = models.ForeignKey(StimulusTranche, on_delete=models.PROTECT, related_name="revisions")
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    before = models.JSONField(_("sebelum"), default=dict)
    after = models.JSONField(_("sesudah"), default=dict)
    reason = models.TextField(_("alasan"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        ordering = ["tranche", "at", "pk"]
        verbose_name = _("riwayat tahap stimulan")
        verbose_name_plural = _("riwayat tahap stimulan")

    def __str__(self) -> str:
        return "{} {}".format(self.tranche, self.get_action_display())


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


class Asset(models.Model):
    """A village asset found by ABCD asset mapping, which the Think stage can turn into plan activities.

    "Ember bocor" (leaky bucket) marks where money flows out of the village economy; "mudah digerakkan"
    (low hanging fruit) marks a quick win the Pokja can start with.
    """

    region_field = "village__code"

    class Kind(models.TextChoices):
        SKILLS = "keterampilan", _("Keterampilan individu")
        ASSOCIATION = "asosiasi", _("Asosiasi dan kelompok warga")
        INSTITUTION = "lembaga", _("Lembaga")
        PHYSICAL = "fisik_alam", _("Fisik dan alam")
        ECONOMIC = "ekonomi", _("Ekonomi")
        CULTURAL = "budaya_religi", _("Budaya dan religi")

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="assets",
                                verbose_name=_("desa/kelurahan"))
    kind = models.CharField(_("jenis aset"), max_length=14, choices=Kind.choices)
    name = models.CharField(_("nama aset"), max_length=150)
    description = models.TextField(_("uraian"), blank=True)
    owner = models.CharField(_("pemilik/pengelola"), max_length=150, blank=True)
    contact = models.CharField(_("kontak"), max_length=60, blank=True)
    location = models.CharField(_("lokasi"), max_length=200, blank=True,
                                help_text=_("Dusun, RT/RW atau patokan, mis. 'Dusun Krajan, dekat balai desa'."))
    leaky_bucket = models.BooleanField(_("ember bocor (uang mengalir keluar desa)"), default=False)
    monthly_outflow = models.DecimalField(_("perkiraan uang keluar per bulan (Rp)"), max_digits=14, decimal_places=0,
                                          null=True, blank=True, validators=[MinValueValidator(Decimal(0))])
    low_hanging_fruit = models.BooleanField(_("mudah digerakkan (low hanging fruit)"), default=False)
    active = models.BooleanField(_("masih ada"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["village", "kind", "name"]
        verbose_name = _("aset desa")
        verbose_name_plural = _("aset desa")
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_outflow__isnull=True) | models.Q(leaky_bucket=True),
                                   name="asset_outflow_only_on_leaky_bucket",
                                   violation_error_message=_("Perkiraan uang keluar hanya untuk aset bertanda "
                                                             "ember bocor.")),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseOverride(models.Model):
    """A Dinas Sosial correction of a village's derived DBS phase, with its reason; cleared, never deleted."""

    region_field = "village__code"

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, related_name="phase_overrides")
    phase = models.CharField(_("tahap DBS"), max_length=10, choices=ProgrammePhase.choices)
    reason = models.TextField(_("alasan"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("ditetapkan"), auto_now_add=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    cleared_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    clear_reason = models.TextField(_("alasan dicabut"), blank=True)

    class Meta:
        ordering = ["village", "-set_at", "-pk"]
        verbose_name = _("koreksi tahap DBS")
        verbose_name_plural = _("koreksi tahap DBS")
        constraints = [
            models.UniqueConstraint(fields=["village"], condition=models.Q(cleared_at__isnull=True),
                                    name="phase_override_one_active",
                                    violation_error_message=_("Desa ini sudah punya koreksi tahap yang berlaku.")),
        ]

    def __str__(self) -> str:
        return "{} → {}".format(self.village_id, self.get_phase_display())
