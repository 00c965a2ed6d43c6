from django.contrib import admin

from ppks.models import (
    Category,
    CategoryDirectorate,
    Directorate,
    DuplicateCandidate,
    Person,
    PersonMerge,
    Registration,
    RegistrationEvent,
)


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class CategoryDirectorateInline(admin.TabularInline):
    model = CategoryDirectorate
    extra = 1


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Reference data an administrator may correct; directorate changes are new dated rows."""

    list_display = ("order_no", "code", "name", "min_age", "max_age", "required_sex", "is_specific_data", "active")
    list_filter = ("is_legacy", "is_specific_data", "active")
    search_fields = ("code", "name")
    inlines = [CategoryDirectorateInline]


class RegistrationEventInline(admin.TabularInline):
    model = RegistrationEvent
    extra = 0
    readonly_fields = ("from_status", "to_status", "actor", "occurred_at", "note")
    can_delete = False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("person", "category", "village", "status", "created_at")
    list_filter = ("status", "category")
    raw_id_fields = ("person", "village", "created_by", "verified_by")
    readonly_fields = ("status",)
    inlines = [RegistrationEventInline]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "village", "sex", "birth_date", "nik_status")
    raw_id_fields = ("village", "merged_into", "created_by")
    search_fields = ("name",)
    exclude = ("nik",)
    show_full_result_count = False


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("person", "other", "reason", "status", "found_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("person", "other", "resolved_by")


@admin.register(PersonMerge)
class PersonMergeAdmin(admin.ModelAdmin):
    list_display = ("kept", "merged", "actor", "merged_at")
    raw_id_fields = ("kept", "merged", "actor")
