from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, LetterSequence, Office, Signatory, User
from accounts.services import audit_record


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "region_code", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "region_code")
    autocomplete_fields = ("assigned_villages",)
    actions = ["password_reset_links"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Peran dan wilayah"), {
            "fields": ("role", "is_head", "region_code", "office", "assigned_villages", "phone"),
        }),
    )

    @admin.action(description=_("Buat tautan atur ulang kata sandi (untuk akun tanpa pos-el)"))
    def password_reset_links(self, request, queryset):
        """Show a one-time reset link per selected account, to hand over in person; each is audited."""
        for user in queryset[:20]:
            audit_record(actor=request.user, action="accounts.password_reset.admin_link", obj=user, request=request)
            self.message_user(request, _("{user}: {link} (sekali pakai; serahkan langsung kepada pemiliknya)").format(
                user=user.get_username(), link=password_reset_link(user)))


def password_reset_link(user) -> str:
    """A one-time link to set a new password (Django's token: valid PASSWORD_RESET_TIMEOUT, void after use)."""
    return settings.SITE_URL + reverse("accounts:password-reset-confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})


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
