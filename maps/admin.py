from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin
from maps.models import FiguresRefresh, MapDataset, RegionPopulation


@admin.register(RegionPopulation)
class RegionPopulationAdmin(admin.ModelAdmin):
    list_display = ("code", "population", "year", "source", "updated_at")
    search_fields = ("code", "source")
    list_filter = ("year",)


@admin.register(FiguresRefresh)
class FiguresRefreshAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """When the map figures were last counted (read only: ``manage.py refresh_map_figures`` refreshes them)."""

    list_display = ("kind", "started_at", "finished_at", "full_at", "districts", "seconds")


@admin.register(MapDataset)
class MapDatasetAdmin(FiguresRefreshAdmin):
    list_display = ("name", "sha256", "regions", "points", "loaded_at")
