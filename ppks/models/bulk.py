"""Bulk work on many registrations at once: one ``BulkAction`` per submitted selection."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class BulkAction(models.Model):
    """Submit, verify or reject a selection of registrations, each through the one workflow service.

    ``registration_ids`` is the selection as it was sent (already checked against the requester's scope);
    ``processed`` counts the ids handled so far, committed together with each batch, so a worker that
    dies mid-way continues where the last batch ended. ``failures`` lists ``{"id", "reason"}`` for the
    records a rule refused (the names are looked up when shown, so anonymisation reaches them).
    The state (menunggu, berjalan, selesai) and the progress are derived from the timestamps and counts.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Ajukan")
        VERIFY = "verify", _("Verifikasi")
        REJECT = "reject", _("Tolak")

    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    note = models.TextField(_("alasan"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diminta oleh"),
                                     on_delete=models.PROTECT, related_name="+")
    request_token = models.UUIDField(_("token permintaan"), null=True, blank=True, unique=True)
    registration_ids = models.JSONField(_("registrasi terpilih"), default=list)
    total = models.PositiveIntegerField(_("jumlah"), default=0)
    processed = models.PositiveIntegerField(_("sudah diproses"), default=0)
    succeeded = models.PositiveIntegerField(_("berhasil"), default=0)
    failures = models.JSONField(_("gagal"), default=list, blank=True)
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tindakan massal")
        verbose_name_plural = _("tindakan massal")
        constraints = [
            models.CheckConstraint(condition=models.Q(processed__lte=models.F("total")),
                                   name="bulk_action_processed_within_total"),
        ]

    def __str__(self) -> str:
        return "{} × {}".format(self.get_action_display(), self.total)

    def get_absolute_url(self) -> str:
        return reverse("ppks:bulk-detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self) -> str:
        return "Tindakan massal #{} ({}, {} registrasi)".format(self.pk, self.action, self.total)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def state_label(self) -> str:
        if self.finished_at is not None:
            return str(_("Selesai"))
        if self.started_at is not None:
            return str(_("Berjalan"))
        return str(_("Menunggu"))

    @property
    def progress(self) -> int:
        """Percent of the selection handled (100 once finished, also for an empty selection)."""
        if self.finished_at is not None or not self.total:
            return 100 if self.finished_at is not None else 0
        return min(int(100 * self.processed / self.total), 99)

    @property
    def failed(self) -> int:
        return len(self.failures)
