"""PPKS by name and address: the 26 categories, people, registrations and their workflow.

A ``Person`` carries identity (NIK, No. KK, name, birth, sex, address to RT/RW); a
``Registration`` says that this person is PPKS of one category in one village, with its own
status history. Reference data (categories and the directorate responsible for each) is
dated, so a re-organisation of Kemensos is a new row, not an edit of history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Directorate(models.Model):
    """A Kemensos Ditjen that receives referrals (Rehsos, Dayasos, Linjamsos)."""

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("direktorat jenderal")
        verbose_name_plural = _("direktorat jenderal")

    def __str__(self) -> str:
        return self.name


class CategoryQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_legacy=False, active=True)


class Category(models.Model):
    """A PPKS category of Permensos 08/2012 (or a legacy one kept for old data)."""

    class SubjectKind(models.TextChoices):
        PERSON = "person", _("Perseorangan")
        FAMILY = "family", _("Keluarga")
        GROUP = "group", _("Kelompok")
        COMMUNITY = "community", _("Masyarakat")

    code = models.CharField(_("kode"), max_length=10, unique=True)
    order_no = models.PositiveSmallIntegerField(_("nomor urut"), default=0)
    name = models.CharField(_("nama"), max_length=150)
    definition = models.TextField(_("definisi"), blank=True)
    criteria = models.TextField(_("kriteria"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("usia minimum"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("usia maksimum"), null=True, blank=True)
    required_sex = models.CharField(_("jenis kelamin wajib"), max_length=1, blank=True)
    subject_kinds = models.JSONField(_("jenis subjek"), default=list)
    is_specific_data = models.BooleanField(
        _("data pribadi spesifik"), default=False, help_text=_("Data spesifik menurut UU 27/2022 (PDP).")
    )
    is_legacy = models.BooleanField(_("kategori lama"), default=False)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("digantikan oleh"), on_delete=models.PROTECT, null=True, blank=True
    )
    legal_basis = models.CharField(_("dasar hukum"), max_length=120, default="Permensos 08/2012")
    active = models.BooleanField(_("aktif"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order_no", "code"]
        verbose_name = _("kategori PPKS")
        verbose_name_plural = _("kategori PPKS")

    def __str__(self) -> str:
        return "{} ({})".format(self.label, self.code)

    @property
    def label(self) -> str:
        """The name in the active language: the English catalogue translates the 26 official names."""
        return gettext(self.name)

    def directorates_on(self, day: datetime.date) -> list["Directorate"]:
        """Every directorate this category is routed to on ``day``, primary first (prefetch ``assignments``).

        Most categories have one; some go to two (fakir miskin to Dayasos and Linjamsos).
        """
        routed = {
            assignment.directorate_id: assignment.directorate
            for assignment in self.assignments.all()
            if assignment.valid_from <= day and (assignment.valid_to is None or day <= assignment.valid_to)
        }
        return [routed[key] for key in sorted(routed)]

    def directorate_on(self, day: datetime.date) -> "Directorate | None":
        """The primary directorate of this category on ``day`` (the first of ``directorates_on``)."""
        routed = self.directorates_on(day)
        return routed[0] if routed else None


class CategoryDirectorate(models.Model):
    """Which directorate handles a category during a period; an admin adds a row when that changes."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="assignments")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="assignments")
    valid_from = models.DateField(_("berlaku sejak"))
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)

    class Meta:
        ordering = ["category", "-valid_from"]
        verbose_name = _("penanggung jawab kategori")
        verbose_name_plural = _("penanggung jawab kategori")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="category_directorate_period_ordered",
                violation_error_message=_("Tanggal akhir tidak boleh sebelum tanggal mulai."),
            )
        ]

    def __str__(self) -> str:
        return "{} → {}".format(self.category.code, self.directorate.code)

    def clean(self):
        """Two periods of the same route may not overlap (an end date closes a route; a new row reopens it)."""
        super().clean()
        if self.category_id is None or self.directorate_id is None or self.valid_from is None:
            return
        overlapping = CategoryDirectorate.objects.filter(
            category_id=self.category_id, directorate_id=self.directorate_id
        ).exclude(pk=self.pk).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from)
        )
        if self.valid_to is not None:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(_("Rute kategori ke direktorat ini sudah berlaku pada sebagian periode tersebut."))


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Whole years between ``birth_date`` and ``day`` (None without a birth date): the one age rule."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Person(models.Model):
    """Someone registered as (or within) a PPKS, identified by name and address and, if any, by NIK."""

    region_field = "village__code"

    class NikStatus(models.TextChoices):
        RECORDED = "ada", _("Ada")
        NONE_YET = "belum_punya", _("Belum punya NIK")
        IN_PROCESS = "dalam_proses", _("Dalam proses adminduk")
        UNKNOWN = "tidak_diketahui", _("Tidak diketahui")

    class Disability(models.TextChoices):
        NONE = "", _("Tidak ada")
        PHYSICAL = "fisik", _("Disabilitas fisik")
        SENSORY_SIGHT = "netra", _("Disabilitas netra")
        SENSORY_HEARING = "rungu_wicara", _("Disabilitas rungu/wicara")
        INTELLECTUAL = "intelektual", _("Disabilitas intelektual")
        MENTAL = "mental", _("Disabilitas mental/psikososial")
        MULTIPLE = "ganda", _("Disabilitas ganda")

    nik = models.CharField(_("NIK"), max_length=16, null=True, blank=True, unique=True)
    nik_status = models.CharField(_("status NIK"), max_length=20, choices=NikStatus.choices, default=NikStatus.RECORDED)
    kk_number = models.CharField(_("No. KK"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("nama lengkap"), max_length=150)
    name_key = models.CharField(_("kunci nama"), max_length=150, db_index=True, editable=False)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    village = models.ForeignKey("villages.Village", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                                related_name="persons")
    dusun = models.CharField(_("dusun/lingkungan"), max_length=80, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    street_address = models.CharField(_("alamat jalan"), max_length=200, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    disability = models.CharField(_("disabilitas"), max_length=20, choices=Disability.choices, blank=True)
    dtsen_decile = models.PositiveSmallIntegerField(
        _("desil DTSEN"), null=True, blank=True,
        validators=[MinValueValidator(1, _("Desil DTSEN harus 1 sampai 10.")),
                    MaxValueValidator(10, _("Desil DTSEN harus 1 sampai 10."))],
    )
    dtsen_decile_as_of = models.DateField(_("desil DTSEN per tanggal"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("digabung ke"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="merged_persons")
    anonymised_at = models.DateTimeField(
        _("dianonimkan"), null=True, blank=True, editable=False,
        help_text=_("Identitas dihapus (UU 27/2022); yang tersisa hanya data untuk statistik."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+", verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("orang")
        verbose_name_plural = _("orang")
        indexes = [
            models.Index(fields=["name_key", "birth_date"], name="person_name_birth_idx"),
            models.Index(Upper("name"), name="person_upper_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nik__isnull=True) | models.Q(nik__regex=r"^[0-9]{16}$"),
                name="person_nik_sixteen_digits",
                violation_error_message=_("NIK harus 16 digit angka."),
            ),
            models.CheckConstraint(
                condition=models.Q(kk_number="") | models.Q(kk_number__regex=r"^[0-9]{16}$"),
                name="person_kk_sixteen_digits",
                violation_error_message=_("No. KK harus 16 digit angka."),
            ),
            models.CheckConstraint(
                condition=~models.Q(nik_status="ada") | models.Q(nik__isnull=False),
                name="person_nik_present_when_recorded",
                violation_error_message=_("Isi NIK, atau pilih alasan NIK tidak ada."),
            ),
            models.CheckConstraint(
                condition=models.Q(dtsen_decile__isnull=True) | models.Q(dtsen_decile__gte=1, dtsen_decile__lte=10),
                name="person_dtsen_decile_range",
                violation_error_message=_("Desil DTSEN harus 1 sampai 10."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ppks:person-detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self) -> str:
        """How the audit trail names this person: by number, never by name (UU 27/2022)."""
        return "Orang #{}".format(self.pk)

    def age_on(self, day: datetime.date) -> int | None:
        return age_on(self.birth_date, day)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def rt_rw(self) -> str:
        return "{}/{}".format(self.rt or "-", self.rw or "-")


class Registration(models.Model):
    """One PPKS registration: a person of a category in a village, moving through the workflow."""

    region_field = "village__code"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Ditolak")
        REFERRED = "referred", _("Dirujuk")
        SERVED = "served", _("Dilayani")
        CLOSED = "closed", _("Selesai")

    person = models.ForeignKey(Person, verbose_name=_("orang"), on_delete=models.PROTECT,
                               related_name="registrations")
    category = models.ForeignKey(Category, verbose_name=_("kategori"), on_delete=models.PROTECT,
                                 related_name="registrations")
    village = models.ForeignKey("villages.Village", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                                related_name="registrations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    needs = models.TextField(_("kebutuhan"), blank=True)
    assessed_on = models.DateField(_("tanggal asesmen"), default=datetime.date.today)
    directorate = models.ForeignKey(Directorate, verbose_name=_("direktorat tujuan"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="registrations")
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    client_uuid = models.UUIDField(_("ID klien"), null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+", verbose_name=_("didaftarkan oleh"))
    created_at = models.DateTimeField(_("didaftarkan"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("diverifikasi oleh"))
    referred_at = models.DateTimeField(_("dirujuk"), null=True, blank=True)
    served_at = models.DateTimeField(_("dilayani"), null=True, blank=True)
    closed_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("registrasi PPKS")
        verbose_name_plural = _("registrasi PPKS")
        indexes = [
            models.Index(fields=["village", "status"], name="registration_village_status"),
            # The list order (-created_at, -pk) read from the index itself, id included: an import gives its
            # rows one created_at, and without the id PostgreSQL sorted a whole import's rows for each page.
            models.Index(fields=["created_at", "id"], name="registration_created_id"),
            models.Index(fields=["category", "status", "created_at", "id"], name="registration_cat_status_id"),
            models.Index(fields=["status", "created_at", "id"], name="registration_status_created_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=~models.Q(status__in=["rejected", "closed"]),
                name="registration_one_open_per_person_category",
                violation_error_message=_("Orang ini sudah terdaftar aktif pada kategori tersebut."),
            ),
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.person, self.category.code)

    def get_absolute_url(self) -> str:
        return reverse("ppks:registration-detail", kwargs={"pk": self.pk})

    notification_related = ("person", "category")

    @property
    def notification_label(self) -> str:
        """How the inbox names this registration (looked up when shown, so anonymisation reaches it)."""
        return "{} ({})".format(self.person.name, self.category.code)

    @property
    def audit_label(self) -> str:
        """How the audit trail names this registration: number and category, no personal name."""
        return "Registrasi #{} ({})".format(self.pk, self.category.code)


class RegistrationEvent(models.Model):
    """A step in a registration's history, shown on its page."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("dari"), max_length=10, blank=True)
    to_status = models.CharField(_("ke"), max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("riwayat registrasi")
        verbose_name_plural = _("riwayat registrasi")

    def __str__(self) -> str:
        return "{} → {}".format(self.from_status or "-", self.to_status)

    def get_to_status_display(self) -> str:
        return Registration.Status(self.to_status).label


class DuplicateCandidate(models.Model):
    """A pair of people that look like the same person, waiting for staff review."""

    region_field = "person__village__code"

    class Reason(models.TextChoices):
        SAME_NIK = "nik", _("NIK sama")
        NAME_BIRTH = "name_birth", _("Nama dan tanggal lahir sama")
        SAME_KK_NAME = "kk_name", _("No. KK dan nama sama")

    class Status(models.TextChoices):
        OPEN = "open", _("Perlu ditinjau")
        MERGED = "merged", _("Digabung")
        DISMISSED = "dismissed", _("Bukan duplikat")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_candidates")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("alasan"), max_length=12, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(_("ditemukan"), auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("calon duplikat")
        verbose_name_plural = _("calon duplikat")
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="duplicate_candidate_pair_once"),
            models.CheckConstraint(condition=models.Q(person__lt=models.F("other")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return "{} ~ {}".format(self.person_id, self.other_id)


class PersonMerge(models.Model):
    """The record of a merge: which person was kept, which was folded in, and the values that differed."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    conflicts = models.JSONField(_("nilai yang berbeda"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("digabung"), auto_now_add=True)
    undo_state = models.JSONField(
        _("data untuk pembatalan"), default=dict, blank=True, editable=False,
        help_text=_("Nilai sebelum penggabungan, untuk membatalkannya (dikosongkan saat dibatalkan atau dianonimkan)."),
    )
    undone_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("dibatalkan oleh"))

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("penggabungan orang")
        verbose_name_plural = _("penggabungan orang")

    def __str__(self) -> str:
        return "{} ← {}".format(self.kept_id, self.merged_id)

    @property
    def audit_label(self) -> str:
        return "Orang #{} ← #{}".format(self.kept_id, self.merged_id)


class PersonHistory(models.Model):
    """One inserted, changed or deleted person or registration row, written by a database trigger.

    Triggers (``ppks/history.py``) catch every write, ``QuerySet.update()`` and raw SQL included.
    ``changes`` maps a column to ``{"old": ..., "new": ...}``; NIK values are stored masked.
    ``person`` and ``actor`` carry no database constraint so history outlives the rows it describes.
    """

    class Action(models.TextChoices):
        INSERT = "insert", _("dibuat")
        UPDATE = "update", _("diubah")
        DELETE = "delete", _("dihapus")

    table_name = models.CharField(_("tabel"), max_length=40)
    record_id = models.BigIntegerField(_("ID data"))
    person = models.ForeignKey(Person, verbose_name=_("orang"), on_delete=models.DO_NOTHING, db_constraint=False,
                               null=True, related_name="history")
    action = models.CharField(_("tindakan"), max_length=6, choices=Action.choices)
    changes = models.JSONField(_("perubahan"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pelaku"), on_delete=models.DO_NOTHING,
                              db_constraint=False, null=True, related_name="+")
    reason = models.TextField(_("alasan"), blank=True, default="")
    occurred_at = models.DateTimeField(_("waktu"))

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("riwayat perubahan data")
        verbose_name_plural = _("riwayat perubahan data")
        indexes = [models.Index(fields=["person", "-occurred_at"], name="person_history_person_time")]

    def __str__(self) -> str:
        return "{} {} #{}".format(self.action, self.table_name, self.record_id)


def _import_upload_path(instance, filename: str) -> str:
    """``imports/2026/11/<name>``; storage adds a suffix when the name is taken."""
    return timezone.now().strftime("imports/%Y/%m/") + filename


class ImportJob(models.Model):
    """One uploaded CSV/XLSX file of PPKS rows and the outcome of importing it.

    Rows are validated first; with ``all_or_nothing`` any row error means nothing is written.
    ``errors`` keeps the first ``ERRORS_STORED`` problems for the page; ``error_file`` holds all
    of them as CSV. Jobs are visible to the user who uploaded them and to administrators.
    """

    ERRORS_STORED = 1000

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    file = models.FileField(_("berkas"), upload_to=_import_upload_path, max_length=255)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"),
                                     on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    all_or_nothing = models.BooleanField(_("semua atau tidak sama sekali"), default=True)
    submit_rows = models.BooleanField(_("langsung ajukan"), default=False)
    total_rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    valid_rows = models.PositiveIntegerField(_("baris sah"), default=0)
    created_persons = models.PositiveIntegerField(_("orang baru"), default=0)
    created_registrations = models.PositiveIntegerField(_("registrasi baru"), default=0)
    skipped_existing = models.PositiveIntegerField(_("sudah terdaftar (dilewati)"), default=0)
    duplicate_candidates = models.PositiveIntegerField(_("calon duplikat"), default=0)
    error_count = models.PositiveIntegerField(_("jumlah kesalahan"), default=0)
    errors = models.JSONField(_("kesalahan"), default=list, blank=True)
    error_file = models.FileField(_("berkas kesalahan"), upload_to=_import_upload_path, max_length=255, blank=True)
    warning_count = models.PositiveIntegerField(_("jumlah peringatan"), default=0)
    warnings = models.JSONField(_("peringatan"), default=list, blank=True)
    message = models.TextField(_("pesan"), blank=True)
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    timings = models.JSONField(_("waktu per tahap (detik)"), default=dict, blank=True)
    registrations = models.ManyToManyField(Registration, verbose_name=_("registrasi hasil impor"), blank=True,
                                           related_name="import_jobs")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("impor PPKS")
        verbose_name_plural = _("impor PPKS")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="import_job_progress_percent"),
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.original_name, self.get_state_display())

    def get_absolute_url(self) -> str:
        return reverse("ppks:import-detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
