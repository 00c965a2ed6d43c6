from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin
from villages.models import (
    Cohort,
    CohortVillage,
    District,
    LokusYear,
    Province,
    Regency,
    RegionImport,
    SocialPillar,
    Village,
    VillageProfile,
)


class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    show_full_result_count = False


admin.site.register(Province, RegionAdmin)


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    raw_id_fields = ("province",)


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    raw_id_fields = ("regency",)


@admin.register(Village)
class VillageAdmin(RegionAdmin):
    raw_id_fields = ("district",)


class LokusYearInline(admin.TabularInline):
    model = LokusYear
    extra = 0


@admin.register(VillageProfile)
class VillageProfileAdmin(admin.ModelAdmin):
    list_display = ("village", "updated_at")
    raw_id_fields = ("village",)
    search_fields = ("village__name", "village__code")


@admin.register(SocialPillar)
class SocialPillarAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "village", "contact_person", "phone", "active")
    list_filter = ("kind", "active")
    raw_id_fields = ("village", "user")
    search_fields = ("name", "village__name", "village__code")


class CohortVillageInline(admin.TabularInline):
    model = CohortVillage
    extra = 0
    raw_id_fields = ("village", "added_by")


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "region_code", "target_villages", "target_graduated")
    list_filter = ("year",)
    search_fields = ("name", "region_code")
    raw_id_fields = ("created_by",)
    inlines = [CohortVillageInline]


@admin.register(RegionImport)
class RegionImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each import of the region code file: which file (name, SHA-256, date), who ran it, what it changed."""

    list_display = ("imported_at", "source_name", "file_date", "short_sha256", "created", "renamed", "reactivated",
                    "deactivated", "errors", "deactivation_allowed", "actor")
    list_filter = ("deactivation_allowed",)
    search_fields = ("source_name", "sha256")
    readonly_fields = [field.name for field in RegionImport._meta.fields]

    @admin.display(description="SHA-256")
    def short_sha256(self, obj) -> str:
        return obj.sha256[:12]
