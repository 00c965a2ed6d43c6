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


class VillageProfile(models.Model):
    """A village's place in the DBS programme: its stage, pilot cohort and notes."""

    region_field = "village__code"

    class Stage(models.TextChoices):
        CANDIDATE = "calon", _("Calon lokasi")
        LOOK = "look", _("Look: penjajagan dan pengumpulan data")
        THINK = "think", _("Think: penyusunan rencana aksi")
        ACT = "act", _("Act: pelaksanaan")
        EVALUATED = "evaluasi", _("Evaluasi")
        GRADUATED = "mandiri", _("Desa Berketahanan Sosial (mandiri)")

    village = models.OneToOneField(Village, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    stage = models.CharField(_("tahap DBS"), max_length=10, choices=Stage.choices, default=Stage.CANDIDATE)
    pilot_cohort = models.CharField(_("angkatan percontohan"), max_length=60, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("profil program desa")
        verbose_name_plural = _("profil program desa")

    def __str__(self) -> str:
        return str(self.village)


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
