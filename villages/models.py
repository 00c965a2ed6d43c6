"""The Kemendagri region hierarchy and each village's place in the DBS programme.

Region codes are the official dotted codes and the primary keys, so "everything in a
kabupaten" is a prefix match on the code of any row below it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villages import codes


class RegionQuerySet(models.QuerySet):
    """Reads shared by the four region levels."""

    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        """Rows whose name contains ``text`` or whose code starts with it."""
        text = text.strip()
        if text[:2].isdigit():
            return self.filter(code__startswith=text)
        return self.filter(name__icontains=text)


class Region(models.Model):
    """Fields every level shares. ``region_field`` names the code that region scoping filters on."""

    region_field = "code"
    region_browsable = True

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120, db_index=True)
    active = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Province(Region):
    """Provinsi (``35``)."""

    class Meta(Region.Meta):
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")

    def get_absolute_url(self) -> str:
        return reverse("villages:region", kwargs={"code": self.code})


class Regency(Region):
    """Kabupaten or kota (``35.11``); kota numbers run from 71."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")

    class Meta(Region.Meta):
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")

    def get_absolute_url(self) -> str:
        return reverse("villages:region", kwargs={"code": self.code})

    @property
    def kind(self) -> str:
        return codes.regency_kind(self.code)


class District(Region):
    """Kecamatan (``35.11.01``)."""

    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    class Meta(Region.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def get_absolute_url(self) -> str:
        return reverse("villages:region", kwargs={"code": self.code})


class Village(Region):
    """Desa, kelurahan or desa adat (``35.11.01.2001``); the kind is the first digit of the last part."""

    class Kind(models.TextChoices):
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA = "desa", _("Desa")
        DESA_ADAT = "desa_adat", _("Desa adat")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")

    class Meta(Region.Meta):
        verbose_name = _("desa/kelurahan")
        verbose_name_plural = _("desa/kelurahan")

    def get_absolute_url(self) -> str:
        return reverse("villages:village-detail", kwargs={"code": self.code})

    @property
    def kind(self) -> str:
        return codes.village_kind(self.code)

    def get_kind_display(self) -> str:
        return self.Kind(self.kind).label

    def get_phase_display(self) -> str:
        """The label of the ``phase`` set by ``villages.programme.attach_phases``, or an empty string."""
        phase = getattr(self, "phase", None)
        return ProgrammePhase(phase).label if phase else ""


class ProgrammePhase(models.TextChoices):
    """A village's phase in the DBS programme (Look–Think–Act and after).

    Never stored: the programme app derives it from the village's records (actionplans/lifecycle.py),
    and a Dinas Sosial override with a reason is shown as an override.
    """

    SITE_APPRAISAL = "penjajagan", _("Penjajagan lokasi")
    LOOK = "look", _("Look: pengumpulan data dan asesmen baseline")
    THINK = "think", _("Think: penyusunan rencana aksi")
    ACT = "act", _("Act: pelaksanaan rencana aksi")
    EVALUATION = "evaluasi", _("Monitoring dan evaluasi")
    GRADUATED = "mandiri", _("Mandiri (keluar dari program)")


class VillageProfile(models.Model):
    """Notes about a village's place in the DBS programme (its phase is derived, its cohorts are ``Cohort``)."""

    region_field = "village__code"

    village = models.OneToOneField(Village, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    notes = models.TextField(_("catatan"), blank=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("profil program desa")
        verbose_name_plural = _("profil program desa")

    def __str__(self) -> str:
        return str(self.village)


class Cohort(models.Model):
    """A named pilot cohort of villages (e.g. "Desa Melesat Bondowoso"): a year, an owning region, targets."""

    region_field = "region_code"
    region_field_holds_regions = True

    name = models.CharField(_("nama angkatan"), max_length=120, unique=True,
                            error_messages={"unique": _("Nama angkatan ini sudah dipakai.")})
    year = models.PositiveSmallIntegerField(_("tahun"))
    region_code = models.CharField(
        _("wilayah pengelola"), max_length=13,
        help_text=_("Kode provinsi atau kabupaten/kota yang mengelola angkatan, mis. 35.11."))
    target_villages = models.PositiveSmallIntegerField(_("target jumlah desa"), default=10)
    target_graduated = models.PositiveSmallIntegerField(_("target desa mandiri"), default=0)
    description = models.TextField(_("keterangan"), blank=True)
    villages = models.ManyToManyField(Village, through="CohortVillage", related_name="cohorts", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("angkatan percontohan")
        verbose_name_plural = _("angkatan percontohan")
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="cohort_year_plausible",
                                   violation_error_message=_("Tahun angkatan harus antara 2000 dan 2100.")),
            models.CheckConstraint(condition=models.Q(target_villages__gte=1), name="cohort_target_positive",
                                   violation_error_message=_("Target jumlah desa minimal 1.")),
            models.CheckConstraint(condition=models.Q(target_graduated__lte=models.F("target_villages")),
                                   name="cohort_graduation_target_within_villages",
                                   violation_error_message=_("Target desa mandiri tidak boleh melebihi target "
                                                             "jumlah desa.")),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.year)

    def get_absolute_url(self) -> str:
        return reverse("villages:cohort-detail", kwargs={"pk": self.pk})


class CohortVillage(models.Model):
    """A village's membership of a cohort."""

    region_field = "village__code"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="cohort_memberships")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    added_at = models.DateTimeField(_("ditambahkan"), auto_now_add=True)

    class Meta:
        ordering = ["cohort", "village"]
        verbose_name = _("desa angkatan")
        verbose_name_plural = _("desa angkatan")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "village"], name="cohort_village_once",
                                    violation_error_message=_("Desa ini sudah ada di angkatan tersebut.")),
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.cohort, self.village)


class LokusYear(models.Model):
    """A year in which the village is a programme lokus (location)."""

    region_field = "village__code"

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="lokus_years")
    year = models.PositiveSmallIntegerField(_("tahun lokus"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("tahun lokus")
        verbose_name_plural = _("tahun lokus")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="lokus_year_once_per_village",
                violation_error_message=_("Tahun lokus ini sudah tercatat untuk desa tersebut."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100),
                name="lokus_year_plausible",
                violation_error_message=_("Tahun lokus harus antara 2000 dan 2100."),
            ),
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.village, self.year)


class SocialPillar(models.Model):
    """A PSKS (potensi dan sumber kesejahteraan sosial) active in a village, with its contact."""

    region_field = "village__code"

    class Kind(models.TextChoices):
        PEKSOS = "peksos", _("Pekerja Sosial Profesional")
        PSM = "psm", _("Pekerja Sosial Masyarakat (PSM)")
        TAGANA = "tagana", _("Taruna Siaga Bencana (Tagana)")
        LKS = "lks", _("Lembaga Kesejahteraan Sosial (LKS)")
        KARANG_TARUNA = "karang_taruna", _("Karang Taruna")
        LK3 = "lk3", _("Lembaga Konsultasi Kesejahteraan Keluarga (LK3)")
        KELUARGA_PIONER = "keluarga_pioner", _("Keluarga Pioner")
        WKSBM = "wksbm", _("Wahana Kesejahteraan Sosial Berbasis Masyarakat (WKSBM)")
        WPKS = "wpks", _("Wanita Pemimpin Kesejahteraan Sosial (WPKS)")
        PENSOSMAS = "pensosmas", _("Penyuluh Sosial Masyarakat (Pensosmas)")
        TKSK = "tksk", _("Tenaga Kesejahteraan Sosial Kecamatan (TKSK)")
        DUNIA_USAHA = "dunia_usaha", _("Dunia Usaha")
        OTHER = "lainnya", _("Lainnya (lokal)")

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="social_pillars")
    kind = models.CharField(_("jenis PSKS"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=150)
    contact_person = models.CharField(_("narahubung"), max_length=120, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    email = models.EmailField(_("surel"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("akun pengguna"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_pillars",
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("pilar sosial (PSKS)")
        verbose_name_plural = _("pilar sosial (PSKS)")

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.get_kind_display())


class RegionImport(models.Model):
    """One import of the region code file (``manage.py import_regions``): which file, what it changed.

    Shown to administrators (Django admin) so a stale or unexpected file can be traced: its name,
    SHA-256 and modification date, who ran it, and the counts of the outcome.
    """

    source_name = models.CharField(_("berkas sumber"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_date = models.DateTimeField(_("tanggal berkas"), null=True, blank=True)
    imported_at = models.DateTimeField(_("diimpor"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created = models.PositiveIntegerField(_("kode baru"), default=0)
    renamed = models.PositiveIntegerField(_("nama diperbarui"), default=0)
    reactivated = models.PositiveIntegerField(_("diaktifkan kembali"), default=0)
    deactivated = models.PositiveIntegerField(_("dinonaktifkan"), default=0)
    unchanged = models.PositiveIntegerField(_("tidak berubah"), default=0)
    errors = models.PositiveIntegerField(_("baris salah"), default=0)
    deactivation_allowed = models.BooleanField(_("penonaktifan besar diizinkan"), default=False)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("impor kode wilayah")
        verbose_name_plural = _("impor kode wilayah")

    def __str__(self) -> str:
        return "{} ({})".format(self.source_name, self.imported_at.date() if self.imported_at else "-")
