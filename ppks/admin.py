from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin
from ppks.models import (
    Category,
    CategoryDirectorate,
    Directorate,
    DuplicateCandidate,
    Person,
    PersonMerge,
    ReferralBatch,
    Registration,
    RegistrationEvent,
    ServiceUnit,
)


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class CategoryDirectorateInline(admin.TabularInline):
    """Routes of a category to directorates, each with its validity period; a category may have two at once."""

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
    """Read and correct people; erasure goes through anonymisation (the person page), never a delete,
    which would leave the full identity in the field history where no page can reach it."""

    list_display = ("name", "village", "sex", "birth_date", "nik_status")
    raw_id_fields = ("village", "merged_into", "created_by")
    search_fields = ("name",)
    exclude = ("nik",)
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.anonymised_at is not None or obj.merged_into_id is not None):
            return False
        return super().has_change_permission(request, obj)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("person", "other", "reason", "status", "found_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("person", "other", "resolved_by")


@admin.register(PersonMerge)
class PersonMergeAdmin(admin.ModelAdmin):
    list_display = ("kept", "merged", "actor", "merged_at")
    raw_id_fields = ("kept", "merged", "actor")
    exclude = ("conflicts",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    """Receiving units and their officers (accounts with the role "petugas unit layanan")."""

    list_display = ("name", "kind", "directorate", "parent", "needs_full_nik", "active")
    list_filter = ("kind", "directorate", "active", "needs_full_nik")
    search_fields = ("name",)
    raw_id_fields = ("parent",)
    filter_horizontal = ("officers",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "officers":
            from accounts.models import User

            kwargs["queryset"] = User.objects.filter(role=User.Role.UNIT_OFFICER)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ReferralBatch)
class ReferralBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Referral letters, read-only: a letter is a record; it is changed by nothing after it is sent."""

    list_display = ("letter_number", "office", "directorate", "created_by", "created_at")
    list_filter = ("directorate",)
    search_fields = ("letter_number",)
