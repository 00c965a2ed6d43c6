"""Region boundaries, population, and the figures per region that maps and charts read.

Boundaries are plain GeoJSON text per region (no PostGIS), so PostgreSQL and SQLite both work.
``RegionFigures`` holds counts kept per region by ``maps.services.figures_refresh``: a page never
scans the registrations, it reads the few rows of the regions it draws.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionShape(models.Model):
    """The boundary of a provinsi, kab/kota or kecamatan, and (kecamatan) its villages' centroids.

    Boundaries are public reference data (not scoped); what a user sees of a region's figures is
    decided by ``maps.selectors``. ``geometry`` is simplified for a map of the parent region;
    ``geometry_national`` (kab/kota) for a national map of all 514 kab/kota.
    """

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    level = models.PositiveSmallIntegerField(_("tingkat"))
    geometry = models.TextField(_("batas (GeoJSON)"))
    geometry_national = models.TextField(_("batas skala nasional (GeoJSON)"), blank=True)
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    label_lon = models.FloatField(null=True, blank=True)
    label_lat = models.FloatField(null=True, blank=True)
    village_points = models.JSONField(_("titik desa"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("batas wilayah")
        verbose_name_plural = _("batas wilayah")
        indexes = [models.Index(fields=["level", "code"], name="region_shape_level_code")]

    def __str__(self) -> str:
        return self.code


class MapDataset(models.Model):
    """Which bundled boundary file is loaded (its SHA-256), so loading the same file again is a no-op."""

    name = models.CharField(max_length=40, primary_key=True)
    sha256 = models.CharField(max_length=64)
    regions = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("data batas wilayah")
        verbose_name_plural = _("data batas wilayah")

    def __str__(self) -> str:
        return self.name


class RegionPopulation(models.Model):
    """The population of a region (any level), where known; the per-1,000 measure stays empty elsewhere."""

    region_field = "code"
    region_field_holds_regions = True

    code = models.CharField(_("kode wilayah"), max_length=13, primary_key=True)
    population = models.PositiveBigIntegerField(_("jumlah penduduk"))
    year = models.PositiveSmallIntegerField(_("tahun data"))
    source = models.CharField(_("sumber"), max_length=200)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("jumlah penduduk wilayah")
        verbose_name_plural = _("jumlah penduduk wilayah")
        constraints = [
            models.CheckConstraint(condition=models.Q(population__gt=0), name="region_population_positive"),
            models.CheckConstraint(condition=models.Q(year__gte=1990, year__lte=2100),
                                   name="region_population_year_plausible"),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.code, self.year)


class RegionFigures(models.Model):
    """The counts of one region (``""`` is Indonesia), kept by ``maps.services.figures_refresh``.

    ``figures`` holds the region's totals (see ``maps.services`` for the keys). Kecamatan rows
    also hold ``villages`` (the same figures per desa/kelurahan, for the village points) and
    ``inputs_digest`` (a digest of the small per-village inputs, to find changed kecamatan).
    """

    code = models.CharField(max_length=13, primary_key=True, blank=True)
    level = models.PositiveSmallIntegerField()
    figures = models.JSONField(default=dict)
    villages = models.JSONField(default=dict, blank=True)
    inputs_digest = models.CharField(max_length=32, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        verbose_name = _("angka wilayah")
        verbose_name_plural = _("angka wilayah")
        indexes = [models.Index(fields=["level", "code"], name="region_figures_level_code")]

    def __str__(self) -> str:
        return self.code or "Indonesia"


class FiguresRefresh(models.Model):
    """The state of the figures (one row): when they were last refreshed and from which point in time.

    ``watermark`` is the start of the last refresh minus a margin; the next one looks at
    registrations changed since then. The row is locked while a refresh runs, so two never overlap.
    """

    class Kind(models.TextChoices):
        FULL = "full", _("lengkap")
        CHANGES = "changes", _("perubahan")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices, blank=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    full_at = models.DateTimeField(_("penghitungan lengkap terakhir"), null=True, blank=True)
    watermark = models.DateTimeField(null=True, blank=True)
    districts = models.PositiveIntegerField(_("kecamatan dihitung ulang"), default=0)
    seconds = models.FloatField(_("durasi (detik)"), default=0)

    class Meta:
        verbose_name = _("penghitungan angka peta")
        verbose_name_plural = _("penghitungan angka peta")

    def __str__(self) -> str:
        return "{} {}".format(self.kind, self.finished_at)
