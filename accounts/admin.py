from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, LetterSequence, Office, Signatory, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "region_code", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "region_code")
    autocomplete_fields = ("assigned_villages",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Peran dan wilayah"), {
            "fields": ("role", "is_head", "region_code", "office", "assigned_villages", "phone"),
        }),
    )


class ReadOnlyAdminMixin:
    """Records that the admin shows but never adds, changes or deletes (they are written by services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events are never edited or deleted from the admin."""

    list_display = ("occurred_at", "actor", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_id", "object_repr", "actor__username")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ("mode", "name", "nip", "rank", "position", "user", "active")
    raw_id_fields = ("user",)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """Issuing offices (kop surat, numbering, signatories); Dinas Sosial heads also edit theirs at /akun/kantor/."""

    list_display = ("__str__", "kind", "region_code", "city", "letter_code")
    list_filter = ("kind",)
    search_fields = ("region_code", "government_name", "name", "city")
    inlines = [SignatoryInline]


@admin.register(LetterSequence)
class LetterSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The number registers, read-only: numbers are taken only by sending letters."""

    list_display = ("office", "year", "last_number")
