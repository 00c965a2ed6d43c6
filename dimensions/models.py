"""The versioned resilience instrument (four dimensions of Kepmensos 12/HUK/2006) and village assessments.

An ``Assessment`` is one survey (Look/baseline, monitoring, or endline/evaluation) of one village
under one instrument version. Respondents answer each indicator on its scale; on submission a
service computes one score per dimension and the overall index, stored against the assessment
and therefore against the instrument version it used. A new instrument version is new rows, so
scores recorded under an older version never change.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Band(models.TextChoices):
    LOW = "rendah", _("Rendah")
    MEDIUM = "sedang", _("Sedang")
    HIGH = "tinggi", _("Tinggi")


class Instrument(models.Model):
    """One version of the instrument, with the cut-offs of its bands."""

    code = models.CharField(_("kode versi"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    valid_from = models.DateField(_("berlaku sejak"), null=True, blank=True)
    is_active = models.BooleanField(_("dipakai untuk asesmen baru"), default=False)
    band_sedang_from = models.DecimalField(_("batas bawah sedang"), max_digits=4, decimal_places=3,
                                           default=Decimal("0.500"))
    band_tinggi_from = models.DecimalField(_("batas bawah tinggi"), max_digits=4, decimal_places=3,
                                           default=Decimal("0.750"))
    weak_point_below = models.DecimalField(_("titik lemah di bawah"), max_digits=4, decimal_places=3,
                                           default=Decimal("0.400"))

    class Meta:
        ordering = ["-valid_from", "code"]
        verbose_name = _("instrumen")
        verbose_name_plural = _("instrumen")

    def __str__(self) -> str:
        return self.code


class Dimension(models.Model):
    """One of the four dimensions, within one instrument version."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    number = models.PositiveSmallIntegerField(_("nomor"))
    code = models.CharField(_("kode"), max_length=4)
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("dimensi")
        verbose_name_plural = _("dimensi")
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="dimension_number_once")]

    def __str__(self) -> str:
        return "{} {}".format(self.code, self.name)


class Indicator(models.Model):
    """An indicator scored on an ordinal scale, with a weight inside its dimension."""

    class Source(models.TextChoices):
        ADMINISTRATIVE = "A", _("Administratif")
        KEY_INFORMANT = "K", _("Informan kunci/FGD")
        SURVEY = "S", _("Survei rumah tangga")

    class RecordRule(models.TextChoices):
        """How an administrative indicator's value is computed from the app's own records (dimensions/records.py)."""

        PPKS_FRESHNESS = "ppks_freshness", _("Kemutakhiran daftar PPKS desa")
        PPKS_SERVED_SHARE = "ppks_served_share", _("Persentase PPKS yang dilayani atau rujukannya tuntas")
        PSKS_ACTIVE_TYPES = "psks_active_types", _("Jumlah jenis PSKS aktif di desa")

    class ScoredFrom(models.TextChoices):
        RESPONDENTS = "respondents", _("Jawaban responden")
        RECORDS = "records", _("Catatan aplikasi")

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("kode"), max_length=8)
    text = models.TextField(_("indikator"))
    source = models.CharField(_("sumber"), max_length=1, choices=Source.choices)
    guidance = models.TextField(_("pedoman skor"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("skala minimum"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("skala maksimum"), default=5)
    weight = models.DecimalField(_("bobot"), max_digits=5, decimal_places=2, default=Decimal("1.00"))
    record_rule = models.CharField(_("dihitung dari catatan"), max_length=20, choices=RecordRule.choices, blank=True)
    scored_from = models.CharField(
        _("skor dari"), max_length=12, choices=ScoredFrom.choices, default=ScoredFrom.RESPONDENTS,
        help_text=_("Instrumen menentukan: skor indikator administratif dari catatan aplikasi atau dari jawaban "
                    "responden (yang lain ditampilkan sebagai pembanding)."),
    )

    class Meta:
        ordering = ["dimension__number", "code"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_once"),
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")),
                                   name="indicator_scale_ordered"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=~models.Q(scored_from="records") | ~models.Q(record_rule=""),
                name="indicator_scored_from_records_has_rule",
                violation_error_message=_("Indikator yang diskor dari catatan harus punya aturan perhitungan."),
            ),
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.code, self.text[:60])

    @property
    def is_scored_from_records(self) -> bool:
        return self.scored_from == self.ScoredFrom.RECORDS and bool(self.record_rule)


class Assessment(models.Model):
    """One survey of one village in one period and phase, under one instrument version."""

    region_field = "village__code"

    class Phase(models.TextChoices):
        BASELINE = "baseline", _("Baseline (Look)")
        MONITORING = "monitoring", _("Monitoring")
        ENDLINE = "endline", _("Endline (evaluasi)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        VALIDATED = "validated", _("Divalidasi")
        RETURNED = "returned", _("Dikembalikan")

    village = models.ForeignKey("villages.Village", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                                related_name="assessments")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrumen"), on_delete=models.PROTECT,
                                   related_name="assessments")
    year = models.PositiveSmallIntegerField(_("tahun"))
    period_label = models.CharField(_("periode"), max_length=60, blank=True)
    phase = models.CharField(_("tahap"), max_length=10, choices=Phase.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asesor"), on_delete=models.PROTECT,
                                 related_name="assessments")
    client_uuid = models.UUIDField(_("ID klien"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    validated_at = models.DateTimeField(_("divalidasi"), null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    overall_index = models.DecimalField(_("indeks ketahanan sosial"), max_digits=5, decimal_places=4, null=True,
                                        blank=True)
    band = models.CharField(_("kategori"), max_length=6, choices=Band.choices, blank=True)
    weakest_dimension = models.ForeignKey(Dimension, verbose_name=_("dimensi terlemah"), on_delete=models.PROTECT,
                                          null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-year", "village", "phase"]
        verbose_name = _("asesmen desa")
        verbose_name_plural = _("asesmen desa")
        indexes = [models.Index(fields=["village", "status", "year"], name="assessment_village_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "phase"],
                condition=~models.Q(phase="monitoring"),
                name="assessment_one_baseline_endline_per_year",
                violation_error_message=_("Desa ini sudah punya asesmen tahap tersebut pada tahun itu."),
            ),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="assessment_year_range"),
            # The mapping picks each village's latest validated assessment by validation time.
            models.CheckConstraint(
                condition=~models.Q(status="validated") | models.Q(validated_at__isnull=False),
                name="assessment_validated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return "{} {} {}".format(self.village, self.year, self.get_phase_display())

    def get_absolute_url(self) -> str:
        return reverse("dimensions:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class Respondent(models.Model):
    """A member of a local institution who answers the survey."""

    class Sex(models.TextChoices):
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    name = models.CharField(_("nama"), max_length=150)
    institution = models.CharField(_("lembaga"), max_length=150)
    position = models.CharField(_("jabatan"), max_length=100, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("responden")
        verbose_name_plural = _("responden")

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.institution)


class Answer(models.Model):
    """One respondent's score for one indicator."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("nilai"))

    class Meta:
        verbose_name = _("jawaban")
        verbose_name_plural = _("jawaban")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "indicator"], name="answer_once_per_respondent"),
        ]

    def __str__(self) -> str:
        return "{} {}={}".format(self.respondent_id, self.indicator_id, self.value)


class DimensionScore(models.Model):
    """A dimension's index (0–1) in one assessment, with the indicator means it came from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("indeks dimensi"), max_digits=5, decimal_places=4)
    indicator_means = models.JSONField(_("rata-rata indikator"), default=dict)
    is_weak_point = models.BooleanField(_("titik lemah"), default=False)

    class Meta:
        ordering = ["assessment", "dimension__number"]
        verbose_name = _("skor dimensi")
        verbose_name_plural = _("skor dimensi")
        constraints = [models.UniqueConstraint(fields=["assessment", "dimension"], name="dimension_score_once")]

    def __str__(self) -> str:
        return "{} {}".format(self.dimension.code, self.score)


class RecordValue(models.Model):
    """An administrative indicator's value computed from the app's records when the assessment was submitted.

    Shown beside the respondents' mean; ``used_for_score`` says which of the two the instrument
    scored. ``score`` is empty when the records cannot give a value (then the respondents' mean counts).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="record_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="record_values")
    value = models.DecimalField(_("nilai"), max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("keterangan"), max_length=250)
    score = models.PositiveSmallIntegerField(_("skor dari catatan"), null=True, blank=True)
    respondents_mean = models.DecimalField(_("rata-rata jawaban responden"), max_digits=5, decimal_places=4,
                                           null=True, blank=True)
    as_of = models.DateField(_("per tanggal"))
    used_for_score = models.BooleanField(_("dipakai untuk skor"), default=False)

    class Meta:
        ordering = ["assessment", "indicator__code"]
        verbose_name = _("nilai indikator dari catatan")
        verbose_name_plural = _("nilai indikator dari catatan")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="record_value_once"),
            models.CheckConstraint(condition=~models.Q(used_for_score=True) | models.Q(score__isnull=False),
                                   name="record_value_scored_has_score"),
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.indicator.code, self.description)
