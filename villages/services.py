"""Writes for the region hierarchy: the Kemendagri code import, profiles, pillars and Pensosmas assignment."""

import csv
import datetime
import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.scoping import scope_of
from accounts.services import audit_record
from config.caching import aggregates_changed
from config.files import path_sha256
from villages import codes
from villages.models import Cohort, CohortVillage, District, LokusYear, Province, Regency, Village, VillageProfile

LEVEL_MODELS = {codes.PROVINCE: Province, codes.REGENCY: Regency, codes.DISTRICT: District, codes.VILLAGE: Village}
PARENT_FIELDS = {codes.REGENCY: "province_id", codes.DISTRICT: "regency_id", codes.VILLAGE: "district_id"}
HEADER_WORDS = {"code", "kode", "kode_wilayah", "kd"}
BATCH_SIZE = 5000


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("Baris {line}, kolom {field}: {message}").format(
            line=self.line, field=self.field, message=self.message
        )


@dataclass
class RegionImportResult:
    """What an import changed, per outcome, and the lines it skipped."""

    created: int = 0
    renamed: int = 0
    reactivated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    refusal: str | None = None  # a dry run: why the real import would be refused, if it would

    @property
    def changed(self) -> bool:
        return bool(self.created or self.renamed or self.reactivated or self.deactivated)

    def summary(self) -> str:
        if not self.changed:
            text = _("Tidak ada perubahan: {unchanged} kode sudah sesuai.").format(unchanged=self.unchanged)
        else:
            text = _(
                "{created} kode baru, {renamed} nama diperbarui, {reactivated} diaktifkan kembali, "
                "{deactivated} dinonaktifkan, {unchanged} tidak berubah."
            ).format(
                created=self.created,
                renamed=self.renamed,
                reactivated=self.reactivated,
                deactivated=self.deactivated,
                unchanged=self.unchanged,
            )
        if self.errors:
            text += " " + _("{count} baris dilewati karena salah.").format(count=len(self.errors))
        return text


def bundled_regions_path() -> Path:
    """The bundled national file: 38 provinces down to every desa/kelurahan, dotted codes, gzip-compressed.

    Built from idn-area-data (ODbL) by ``manage.py build_region_file``; see villages/data/README.md.
    """
    return Path(__file__).resolve().parent / "data" / "wilayah.csv.gz"


def _parse_region_lines(lines: Iterable[str]) -> tuple[dict[int, dict[str, tuple[str, int]]], list[LineError]]:
    """Read ``code,name`` rows into {level: {code: (name, line)}}, collecting per-line errors."""
    by_level: dict[int, dict[str, tuple[str, int]]] = {level: {} for level in LEVEL_MODELS}
    first_seen: dict[str, int] = {}
    errors: list[LineError] = []
    for line_number, row in enumerate(csv.reader(lines), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        code = row[0].strip().lstrip("\ufeff")
        if line_number == 1 and code.lower() in HEADER_WORDS:
            continue
        name = row[1].strip() if len(row) > 1 else ""
        level = codes.region_level(code)
        if level is None:
            errors.append(
                LineError(
                    line_number,
                    "kode",
                    _("bentuk kode '{code}' tidak sah; contoh yang benar: 35, 35.11, 35.11.01, 35.11.01.2001.").format(
                        code=code[:30]
                    ),
                )
            )
            continue
        if not name:
            errors.append(LineError(line_number, "nama", _("nama wilayah kosong untuk kode {code}.").format(code=code)))
            continue
        if code in first_seen:
            errors.append(
                LineError(
                    line_number,
                    "kode",
                    _("kode {code} ganda; sudah ada di baris {line}.").format(code=code, line=first_seen[code]),
                )
            )
            continue
        first_seen[code] = line_number
        by_level[level][code] = (name[:120], line_number)
    return by_level, errors


def _drop_orphans(by_level: dict[int, dict[str, tuple[str, int]]], errors: list[LineError]) -> None:
    """Skip rows whose parent code is not in the file (and, in turn, their own children)."""
    for level in (codes.REGENCY, codes.DISTRICT, codes.VILLAGE):
        parents = by_level[level - 1]
        for code, (_name, line_number) in list(by_level[level].items()):
            parent = codes.parent_code(code)
            if parent not in parents:
                errors.append(
                    LineError(
                        line_number,
                        "kode",
                        _("induk {parent} untuk kode {code} tidak ada di berkas.").format(parent=parent, code=code),
                    )
                )
                del by_level[level][code]


@dataclass
class LevelPlan:
    """What importing a file changes at one level: rows to insert, rows to rename/reactivate, codes to retire."""

    level: int
    new_rows: list[tuple] = field(default_factory=list)
    changed_objects: list = field(default_factory=list)
    deactivate: list[str] = field(default_factory=list)
    active_before: int = 0


def _plan_level(level: int, rows: dict[str, tuple[str, int]], result: RegionImportResult) -> LevelPlan:
    """Compare the file's rows of one level with the table (no writes); counts go into ``result``."""
    model = LEVEL_MODELS[level]
    parent_field = PARENT_FIELDS.get(level)
    existing = {code: (name, active) for code, name, active in model.objects.values_list("code", "name", "active")}
    plan = LevelPlan(level=level, active_before=sum(active for _name, active in existing.values()))
    for code, (name, _line) in rows.items():
        if code not in existing:
            plan.new_rows.append((code, name, codes.parent_code(code)) if parent_field else (code, name))
            continue
        old_name, was_active = existing[code]
        if old_name == name and was_active:
            result.unchanged += 1
            continue
        result.renamed += old_name != name
        result.reactivated += not was_active
        plan.changed_objects.append(model(code=code, name=name, active=True))
    result.created += len(plan.new_rows)
    plan.deactivate = sorted(code for code, (_name, active) in existing.items() if active and code not in rows)
    result.deactivated += len(plan.deactivate)
    return plan


def _apply_level(plan: LevelPlan) -> None:
    model = LEVEL_MODELS[plan.level]
    _insert_regions(model, PARENT_FIELDS.get(plan.level), plan.new_rows)
    model.objects.bulk_update(plan.changed_objects, ["name", "active"], batch_size=BATCH_SIZE)
    for start in range(0, len(plan.deactivate), BATCH_SIZE):
        model.objects.filter(code__in=plan.deactivate[start : start + BATCH_SIZE]).update(active=False)


class RegionImportRefused(Exception):
    """The file would retire too many codes (or a whole province); nothing was written."""

    def __init__(self, message: str, result: "RegionImportResult"):
        super().__init__(message)
        self.message = message
        self.result = result


def _deactivation_problem(plans: list[LevelPlan], max_share: float) -> str | None:
    """Why this plan retires too much, in Indonesian, or None: a share of the active codes, or a province."""
    provinces = next(plan for plan in plans if plan.level == codes.PROVINCE).deactivate
    if provinces:
        return _("Berkas ini akan menonaktifkan seluruh provinsi {codes}. Periksa apakah berkasnya terbaru; bila "
                 "memang benar, ulangi dengan --allow-deactivate.").format(codes=", ".join(provinces[:10]))
    retiring = sum(len(plan.deactivate) for plan in plans)
    active = sum(plan.active_before for plan in plans)
    if active and retiring / active > max_share:
        return _("Berkas ini akan menonaktifkan {count} dari {active} kode aktif ({share:.1%}), lebih dari batas "
                 "{limit:.1%}. Periksa apakah berkasnya terbaru (mis. berkas lama 34 provinsi); bila memang benar, "
                 "ulangi dengan --allow-deactivate.").format(count=retiring, active=active, share=retiring / active,
                                                            limit=max_share)
    return None


def _insert_regions(model, parent_field: str | None, rows: list[tuple]) -> None:
    """Insert new codes as plain tuples: COPY on PostgreSQL, one prepared statement per batch elsewhere.

    The first import of the national file adds 91,599 rows; building a model instance per row
    for ``bulk_create`` took most of the time (about 5 s on SQLite). Rows are
    ``(code, name[, parent code])``; all start active. Runs inside the import's transaction.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["code", "name", "active", "updated_at"] + ([parent_field] if parent_field else [])
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY {} ({}) FROM STDIN".format(table, column_list)) as copy:
                for row in rows:
                    copy.write_row((row[0], row[1], True, now, *row[2:]))
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(table, column_list, ", ".join(["%s"] * len(columns)))
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, [(row[0], row[1], True, now, *row[2:]) for row in rows[start : start + BATCH_SIZE]])


def regions_import(*, lines: Iterable[str], actor=None, source: str = "", sha256: str = "",
                   file_date=None, dry_run: bool = False, max_deactivate_share: float | None = None
                   ) -> RegionImportResult:
    """Upsert the region hierarchy from ``code,name`` rows with dotted Kemendagri codes.

    Bad lines (malformed code, empty name, duplicate code, parent missing from the file) are
    reported with their line numbers and skipped; the rest is imported in one transaction.
    Codes absent from the file are marked inactive, never deleted, so records that point at
    them survive. Importing the same file twice changes nothing the second time.

    ``dry_run`` computes and returns the plan without writing. With ``max_deactivate_share`` (a
    fraction, e.g. 0.01), a file that would retire more than that share of the active codes, or
    any whole province, raises ``RegionImportRefused`` and writes nothing. A real import is
    recorded as a ``RegionImport`` (file name, SHA-256, file date, counts) and audited.
    """
    from villages.models import RegionImport

    by_level, errors = _parse_region_lines(lines)
    _drop_orphans(by_level, errors)
    result = RegionImportResult(errors=sorted(errors, key=lambda error: error.line))
    with transaction.atomic():
        plans = [_plan_level(level, by_level[level], result) for level in sorted(LEVEL_MODELS)]
        if dry_run:
            result.refusal = _deactivation_problem(plans, max_deactivate_share) if max_deactivate_share is not None \
                else None
            return result
        if max_deactivate_share is not None:
            problem = _deactivation_problem(plans, max_deactivate_share)
            if problem:
                raise RegionImportRefused(problem, result)
        for plan in plans:
            _apply_level(plan)
        aggregates_changed("regions")
        RegionImport.objects.create(
            source_name=source[:255], sha256=sha256, file_date=file_date, actor=actor if getattr(
                actor, "is_authenticated", False) else None,
            created=result.created, renamed=result.renamed, reactivated=result.reactivated,
            deactivated=result.deactivated, unchanged=result.unchanged, errors=len(result.errors),
            deactivation_allowed=max_deactivate_share is None,
        )
        audit_record(
            actor=actor,
            action="villages.regions_import",
            detail={
                "source": source,
                "sha256": sha256,
                "created": result.created,
                "renamed": result.renamed,
                "reactivated": result.reactivated,
                "deactivated": result.deactivated,
                "unchanged": result.unchanged,
                "errors": len(result.errors),
            },
        )
    return result


def regions_import_file(*, path: Path, actor=None, dry_run: bool = False, allow_deactivate: bool = False
                        ) -> RegionImportResult:
    """``regions_import`` for a CSV file on disk (UTF-8, optional BOM; ``.gz`` files are decompressed).

    Guarded unless ``allow_deactivate``: at most ``SIDBS_REGION_DEACTIVATE_MAX_SHARE`` of the active
    codes (default 1%) and no whole province may be retired.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    file_date = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    share = None if allow_deactivate else settings.SIDBS_REGION_DEACTIVATE_MAX_SHARE
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return regions_import(lines=handle, actor=actor, source=path.name, sha256=path_sha256(path),
                              file_date=file_date, dry_run=dry_run, max_deactivate_share=share)


def regions_file_imported(*, path: Path) -> bool:
    """Whether the latest region import read exactly this file (same SHA-256) without bad lines.

    ``manage.py setup_demo`` skips the import then; codes changed since by another file or by
    hand make the latest import a different one, and the file is imported again.
    """
    latest = AuditEvent.objects.filter(action="villages.regions_import").order_by("-occurred_at", "-pk").first()
    if latest is None or latest.detail.get("errors") or not Village.objects.exists():
        return False
    return latest.detail.get("sha256") == path_sha256(path)


def parse_lokus_years(text: str) -> list[int]:
    """``"2024, 2025"`` -> ``[2024, 2025]``; raises ValidationError with an Indonesian message."""
    years = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 2000 <= int(part) <= 2100:
            raise ValidationError(
                _("Tahun lokus '{value}' tidak sah; tulis tahun empat angka dipisah koma, misalnya 2024, 2025.").format(
                    value=part[:10]
                )
            )
        years.add(int(part))
    return sorted(years)


@transaction.atomic
def village_profile_update(*, village: Village, actor, notes: str, lokus_years: list[int]) -> VillageProfile:
    """Save a village's programme notes and replace its lokus years, with an audit event.

    The village's phase is not set here: it is derived from its records (an override with a reason
    is recorded by the programme app).
    """
    profile, _created = VillageProfile.objects.get_or_create(village=village)
    before = {"lokus_years": list(village.lokus_years.values_list("year", flat=True))}
    profile.notes = notes
    profile.full_clean()
    profile.save()
    village.lokus_years.exclude(year__in=lokus_years).delete()
    existing_years = set(village.lokus_years.values_list("year", flat=True))
    LokusYear.objects.bulk_create(
        [LokusYear(village=village, year=year) for year in lokus_years if year not in existing_years]
    )
    aggregates_changed("regions")
    audit_record(
        actor=actor,
        action="villages.profile_update",
        obj=village,
        detail={"before": before, "after": {"lokus_years": lokus_years}},
    )
    return profile


def can_manage_cohorts(user) -> bool:
    """Dinas Sosial staff and administrators set up cohorts of their region."""
    return user.is_superuser or user.role in {"admin", "dinsos_provinsi", "dinsos_kabupaten"}


def _require_cohort_manager(actor, region_code: str) -> None:
    if not can_manage_cohorts(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat mengelola angkatan."))
    if not scope_of(actor).covers(region_code):
        raise PermissionDenied(_("Wilayah {code} di luar wilayah kerja Anda.").format(code=region_code))


@transaction.atomic
def cohort_save(*, actor, data: dict, cohort: Cohort | None = None) -> Cohort:
    """Create or change a cohort; its region is a province or kab/kota inside the actor's scope."""
    region_code = (data.get("region_code") or "").strip()
    if codes.region_level(region_code) not in {codes.PROVINCE, codes.REGENCY}:
        raise ValidationError({"region_code": [_("Isi kode provinsi atau kabupaten/kota, mis. 35 atau 35.11.")]})
    if not (Province if codes.region_level(region_code) == codes.PROVINCE else Regency).objects.filter(
            code=region_code).exists():
        raise ValidationError({"region_code": [_("Kode wilayah {code} tidak dikenal.").format(code=region_code)]})
    _require_cohort_manager(actor, region_code)
    if cohort is not None:
        _require_cohort_manager(actor, cohort.region_code)
        outside = [code for code in cohort.memberships.values_list("village_id", flat=True)
                   if not codes.within(code, region_code)]
        if outside:
            raise ValidationError({"region_code": [_("Desa {codes} di angkatan ini berada di luar wilayah {code}.")
                                                   .format(codes=", ".join(outside[:5]), code=region_code)]})
    cohort = cohort or Cohort(created_by=actor)
    for name, value in {**data, "region_code": region_code}.items():
        setattr(cohort, name, value.strip() if isinstance(value, str) else value)
    cohort.full_clean()
    cohort.save()
    aggregates_changed("regions")
    audit_record(actor=actor, action="villages.cohort_save", obj=cohort,
                 detail={"name": cohort.name, "year": cohort.year, "region": cohort.region_code,
                         "targets": [cohort.target_villages, cohort.target_graduated]})
    return cohort


@transaction.atomic
def cohort_village_add(*, cohort: Cohort, village: Village, actor) -> CohortVillage:
    """Add a village of the cohort's region to it (a re-sent request changes nothing)."""
    _require_cohort_manager(actor, cohort.region_code)
    if not codes.within(village.code, cohort.region_code):
        raise ValidationError({"village": [_("Desa {village} berada di luar wilayah angkatan ({code}).").format(
            village=village.code, code=cohort.region_code)]})
    if not scope_of(actor).covers(village.code):
        raise PermissionDenied(_("Desa {code} di luar wilayah kerja Anda.").format(code=village.code))
    membership, created = CohortVillage.objects.get_or_create(cohort=cohort, village=village,
                                                               defaults={"added_by": actor})
    if created:
        aggregates_changed("regions")
        audit_record(actor=actor, action="villages.cohort_village_add", obj=cohort, detail={"village": village.code})
    return membership


@transaction.atomic
def cohort_village_remove(*, cohort: Cohort, village: Village, actor) -> None:
    _require_cohort_manager(actor, cohort.region_code)
    deleted, _rows = CohortVillage.objects.filter(cohort=cohort, village=village).delete()
    if deleted:
        aggregates_changed("regions")
        audit_record(actor=actor, action="villages.cohort_village_remove", obj=cohort,
                     detail={"village": village.code})


@transaction.atomic
def pensosmas_assign(*, village: Village, user, actor) -> None:
    """Assign a Pensosmas account to a village, so the village enters that user's scope."""
    if not user.is_pensosmas:
        raise ValidationError(_("Hanya akun berperan Pensosmas yang dapat ditugaskan ke desa."))
    user.assigned_villages.add(village)
    audit_record(actor=actor, action="villages.pensosmas_assign", obj=village, detail={"user": user.username})


@transaction.atomic
def pensosmas_unassign(*, village: Village, user, actor) -> None:
    """Remove a Pensosmas from a village."""
    user.assigned_villages.remove(village)
    audit_record(actor=actor, action="villages.pensosmas_unassign", obj=village, detail={"user": user.username})
