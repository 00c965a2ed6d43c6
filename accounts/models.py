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
        UNIT_OFFICER = "unit_officer", _("Petugas unit layanan")

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
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("kantor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_(
            "Kantor yang menerbitkan surat pengguna ini. Kosongkan untuk staf Dinas Sosial: kantornya mengikuti "
            "kode wilayah."
        ),
    )
    is_head = models.BooleanField(
        _("kepala dinas/kepala bidang"),
        default=False,
        help_text=_("Pimpinan Dinas Sosial; boleh memakai verifikasi dua langkah seperti administrator."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def save(self, *args, **kwargs):
        """A changed password (any path: the page, a reset, the admin) revokes the user's API token."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from accounts.api_tokens import token_revoke

            token_revoke(user=self, reason="password_changed")

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

    @property
    def is_unit_officer(self) -> bool:
        return self.role == self.Role.UNIT_OFFICER


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


class Office(models.Model):
    """An office that issues letters: a Dinas Sosial of a province or kab/kota, or a Kemensos unit.

    The kop surat (government line, office name, address and contacts, lambang daerah) comes from
    here; the people who may sign are its ``signatories``; its letters are numbered from one
    ``LetterSequence`` per year. A Dinas Sosial user's office is the office of their region code.
    """

    region_field = "region_code"
    region_field_holds_regions = True

    class Kind(models.TextChoices):
        DINSOS_PROVINSI = "dinsos_provinsi", _("Dinas Sosial Provinsi")
        DINSOS_KABUPATEN = "dinsos_kabupaten", _("Dinas Sosial Kabupaten/Kota")
        KEMENSOS = "kemensos", _("Unit Kementerian Sosial")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    region_code = models.CharField(
        _("kode wilayah"), max_length=13, blank=True,
        help_text=_("Provinsi (35) atau kab/kota (35.11); kosong untuk Kemensos."),
    )
    government_name = models.CharField(
        _("baris pemerintah"), max_length=120, help_text=_("Mis. PEMERINTAH KABUPATEN BONDOWOSO.")
    )
    name = models.CharField(_("nama kantor"), max_length=120, help_text=_("Mis. DINAS SOSIAL."))
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    city = models.CharField(
        _("tempat (kota) surat"), max_length=60, help_text=_("Ditulis sebelum tanggal surat, mis. Bondowoso.")
    )
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    email = models.EmailField(_("pos-el"), blank=True)
    website = models.CharField(_("laman"), max_length=100, blank=True)
    emblem = models.ImageField(_("lambang daerah"), upload_to="offices/", blank=True)
    classification_code = models.CharField(
        _("kode klasifikasi arsip"), max_length=20, default="400.9",
        help_text=_("Bagian pertama nomor surat (Permendagri 83/2022); periksa dengan pola klasifikasi arsip daerah."),
    )
    letter_code = models.CharField(
        _("kode unit pengolah"), max_length=30, help_text=_("Bagian nomor surat setelah nomor urut, mis. DINSOS.")
    )
    copies_to = models.TextField(
        _("tembusan baku"), blank=True, help_text=_("Satu penerima tembusan per baris; diisi ke setiap surat.")
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("kantor penerbit surat")
        verbose_name_plural = _("kantor penerbit surat")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"], condition=~models.Q(kind="kemensos"), name="office_one_dinsos_per_region",
                violation_error_message=_("Wilayah ini sudah memiliki kantor Dinas Sosial."),
            ),
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.name.title(), self.government_name.replace("PEMERINTAH ", "").title()).strip()

    @property
    def head_title(self) -> str:
        """``KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO``: the jabatan of the office's head."""
        region = self.government_name.replace("PEMERINTAH ", "").strip()
        if self.kind == self.Kind.KEMENSOS:
            return "KEPALA {}".format(self.name).upper()
        return "KEPALA {} {}".format(self.name, region).upper()

    def copies_to_lines(self) -> list[str]:
        return [line.strip() for line in self.copies_to.splitlines() if line.strip()]


class Signatory(models.Model):
    """Someone who signs an office's letters: the head, or another official "a.n." (on behalf of) or
    "Plt."/"Plh." (acting) the head, each with their own name, NIP and pangkat/golongan."""

    class Mode(models.TextChoices):
        HEAD = "kepala", _("Kepala (definitif)")
        ON_BEHALF = "an", _("a.n. (atas nama kepala)")
        ACTING = "plt", _("Plt. (pelaksana tugas kepala)")
        DAILY = "plh", _("Plh. (pelaksana harian kepala)")

    class Rank(models.TextChoices):
        III_A = "III/a", _("Penata Muda (III/a)")
        III_B = "III/b", _("Penata Muda Tingkat I (III/b)")
        III_C = "III/c", _("Penata (III/c)")
        III_D = "III/d", _("Penata Tingkat I (III/d)")
        IV_A = "IV/a", _("Pembina (IV/a)")
        IV_B = "IV/b", _("Pembina Tingkat I (IV/b)")
        IV_C = "IV/c", _("Pembina Utama Muda (IV/c)")
        IV_D = "IV/d", _("Pembina Utama Madya (IV/d)")
        IV_E = "IV/e", _("Pembina Utama (IV/e)")

    office = models.ForeignKey(Office, verbose_name=_("kantor"), on_delete=models.CASCADE, related_name="signatories")
    mode = models.CharField(_("kedudukan"), max_length=6, choices=Mode.choices, default=Mode.HEAD)
    name = models.CharField(_("nama lengkap dan gelar"), max_length=120)
    nip = models.CharField(_("NIP"), max_length=18, help_text=_("18 digit, tanpa spasi."))
    rank = models.CharField(_("pangkat/golongan"), max_length=6, choices=Rank.choices)
    position = models.CharField(
        _("jabatan sendiri"), max_length=120, blank=True,
        help_text=_("Untuk a.n.: jabatan penanda tangan, mis. Sekretaris. Kosong untuk kepala dan Plt./Plh."),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("akun"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="signatory_roles")
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["office", "mode", "name"]
        verbose_name = _("penanda tangan")
        verbose_name_plural = _("penanda tangan")
        constraints = [
            models.UniqueConstraint(
                fields=["office"], condition=models.Q(mode="kepala", active=True), name="signatory_one_active_head",
                violation_error_message=_("Kantor ini sudah memiliki kepala definitif yang aktif."),
            ),
            models.CheckConstraint(
                condition=models.Q(nip__regex=r"^[0-9]{18}$"), name="signatory_nip_eighteen_digits",
                violation_error_message=_("NIP harus 18 digit angka."),
            ),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.name, self.get_mode_display())

    @property
    def nip_display(self) -> str:
        """``19700101 199503 1 001``: birth date, appointment month, sex and serial, as printed."""
        nip = self.nip
        return "{} {} {} {}".format(nip[:8], nip[8:14], nip[14], nip[15:]) if len(nip) == 18 else nip

    @property
    def title_label(self) -> str:
        """The jabatan lines on one line, for lists and choices: ``a.n. KEPALA DINAS SOSIAL … Sekretaris``."""
        return " ".join(line.rstrip(",") for line in self.block_title_lines()).strip()

    def block_title_lines(self) -> list[str]:
        """The jabatan lines above the signature (Tata Naskah Dinas)."""
        head = self.office.head_title
        if self.mode == self.Mode.ON_BEHALF:
            return ["a.n. " + head, (self.position or "").strip() + ","]
        if self.mode in {self.Mode.ACTING, self.Mode.DAILY}:
            return ["{}. {},".format("Plt" if self.mode == self.Mode.ACTING else "Plh", head)]
        return [head + ","]


class LetterSequence(models.Model):
    """The register of one office for one year: the last letter number it issued.

    ``accounts.offices.letter_number_next`` takes the next number under a row lock, so two letters
    sent at the same moment never share a number.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="letter_sequences")
    year = models.PositiveSmallIntegerField(_("tahun"))
    last_number = models.PositiveIntegerField(_("nomor terakhir"), default=0)

    class Meta:
        verbose_name = _("register nomor surat")
        verbose_name_plural = _("register nomor surat")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="letter_sequence_office_year")]

    def __str__(self) -> str:
        return "{} {}: {}".format(self.office, self.year, self.last_number)


class Notification(models.Model):
    """A message in a user's inbox (and, when email is configured, in their mail).

    It names its subject by reference (``object_type``/``object_id`` and ``url``) and keeps only
    non-identifying parameters (letter numbers, unit names, counts): the person's name is looked up
    when the inbox is shown, so an anonymised person is not named by old notifications.
    """

    class Kind(models.TextChoices):
        REFERRAL_RECEIVED = "referral_received", _("Rujukan masuk")
        REFERRAL_ACCEPTED = "referral_accepted", _("Rujukan diterima")
        REFERRAL_DECLINED = "referral_declined", _("Rujukan ditolak unit")
        REFERRAL_FORWARDED = "referral_forwarded", _("Rujukan diteruskan")
        REFERRAL_SERVED = "referral_served", _("Layanan dicatat")
        REFERRAL_CLOSED = "referral_closed", _("Rujukan selesai")
        REFERRAL_OVERDUE = "referral_overdue", _("Rujukan belum dijawab")
        REGISTRATION_REJECTED = "registration_rejected", _("Registrasi ditolak")
        ASSESSMENT_RETURNED = "assessment_returned", _("Asesmen dikembalikan")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("jenis"), max_length=30, choices=Kind.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("dikirim lewat pos-el"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_once",
            ),
        ]

    def __str__(self) -> str:
        return "{} → {}".format(self.kind, self.recipient_id)


class FormSubmission(models.Model):
    """A one-time form token that was used: a repeated POST of the same form returns this first result.

    ``config.middleware.OneTimeFormMiddleware`` claims the token in the request's transaction, so a
    second copy of the request (a double click, a resend after a timeout) waits for the first and
    is then redirected to where the first one went, instead of doing the work again.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    path = models.CharField(max_length=300)
    redirect_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pengiriman formulir")
        verbose_name_plural = _("pengiriman formulir")

    def __str__(self) -> str:
        return str(self.token)
