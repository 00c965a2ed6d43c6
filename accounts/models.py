"""Users with a role and the region they may see, and the audit trail of what they did."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: Dinas Sosial staff, a Pensosmas, a Kemensos analyst or an administrator.

    What the user may see follows from ``role``: national roles see everything, Dinas Sosial staff
    the province or kab/kota in ``region_code``, a Pensosmas the villages in ``assigned_villages``.
    A user whose role needs a region and has none sees nothing (see ``accounts.scoping``).
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        KEMENSOS_ANALYST = "kemensos_analyst", _("Analis Kemensos (nasional)")
        DINSOS_PROVINSI = "dinsos_provinsi", _("Dinas Sosial Provinsi")
        DINSOS_KABUPATEN = "dinsos_kabupaten", _("Dinas Sosial Kabupaten/Kota")
        PENSOSMAS = "pensosmas", _("Pensosmas")

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True)
    region_code = models.CharField(
        _("kode wilayah"),
        max_length=13,
        blank=True,
        help_text=_("Kode provinsi (35) atau kabupaten/kota (35.11) untuk staf Dinas Sosial."),
    )
    assigned_villages = models.ManyToManyField(
        "villages.Village",
        verbose_name=_("desa dampingan"),
        blank=True,
        related_name="assigned_users",
        help_text=_("Desa/kelurahan yang didampingi oleh Pensosmas."),
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    is_head = models.BooleanField(
        _("kepala dinas/kepala bidang"),
        default=False,
        help_text=_("Pimpinan Dinas Sosial; boleh memakai verifikasi dua langkah seperti administrator."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @property
    def is_national(self) -> bool:
        return self.is_superuser or self.role in {self.Role.ADMIN, self.Role.KEMENSOS_ANALYST}

    @property
    def is_dinsos(self) -> bool:
        return self.role in {self.Role.DINSOS_PROVINSI, self.Role.DINSOS_KABUPATEN}

    @property
    def is_pensosmas(self) -> bool:
        return self.role == self.Role.PENSOSMAS

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN


class AuditEventImmutableError(Exception):
    """An audit event was about to be changed or deleted; the trail is append-only."""


class AuditEventQuerySet(models.QuerySet):
    """Audit events are added, never changed or removed, also not in bulk."""

    def update(self, **kwargs):
        raise AuditEventImmutableError(_("Peristiwa audit tidak boleh diubah."))

    def delete(self):
        raise AuditEventImmutableError(_("Peristiwa audit tidak boleh dihapus."))

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEventImmutableError(_("Peristiwa audit tidak boleh diubah."))


class AuditEvent(models.Model):
    """One recorded action: who did what to which object, when, with details.

    Append-only: ``save`` of an existing event, ``delete`` and the queryset's ``update``/``delete``
    raise ``AuditEventImmutableError``; the admin shows events read-only.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(_("tindakan"), max_length=60, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=60, blank=True)
    object_id = models.CharField(_("ID objek"), max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("peristiwa audit")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return "{} {} {}".format(self.occurred_at, self.actor, self.action)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutableError(_("Peristiwa audit tidak boleh diubah."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutableError(_("Peristiwa audit tidak boleh dihapus."))
