"""Writes of the maps app: loading the bundled boundaries, importing population, refreshing the figures.

Figures (``RegionFigures``) are kept per kecamatan and summed up to kab/kota, provinsi and
Indonesia, so no page ever scans the registrations of a whole province or of the country. Keys
of ``RegionFigures.figures``:

- ``status`` {status: registrations}; ``category`` {category code: n} and ``directorate``
  {directorate code or "": n} of the recorded registrations (``definitions.RECORDED_STATUSES``);
  ``persons``: people with a recorded registration (counted per kecamatan);
- ``unanswered`` {"total", "overdue"}: referrals without an answer, and those older than
  ``SIDBS_REFERRAL_ANSWER_DAYS`` on the day of the refresh; ``answer_days`` {days: n}: answered
  referrals by days from referral to answer (medians and shares are read from it);
- ``monthly`` {"2026-11": {submitted, verified, referred, served}} and ``monthly_directorate``
  {"2026-11": {directorate: n}} (registrations submitted that month, by directorate);
- ``villages`` (active desa/kelurahan), ``programme`` (of them in the programme), ``index``
  {"sum", "n"} and ``bands`` {band: n} of each village's latest validated index, ``hist`` (ten
  bins of 0.1), ``cohorts`` {cohort year: {"villages", "n", "baseline", "endline"}} (sums of
  the latest validated baseline and endline of villages that have both) and ``overdue`` stages.

A refresh recounts the kecamatan with registrations changed since the previous one (see
``_next_watermark``) and those whose village-based inputs changed. One is started by every
committed write to these data (``maps.signals``, a Celery task a few seconds later, or at once
when Celery runs eagerly), every ten minutes by Celery beat, and in full every night (which also
catches deleted registrations and the day-dependent figures).
"""

import datetime
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from config.files import path_sha256
from maps import definitions, geodata
from maps.models import FiguresRefresh, MapDataset, RegionFigures, RegionPopulation, RegionShape
from ppks.models import Category, Directorate, Registration
from villages import codes
from villages.models import Village

logger = logging.getLogger(__name__)

DATASET_NAME = "wilayah-geo"
WRITE_BATCH = 500
ANSWER_DAYS_CAP = 365
REGISTRATION_KEYS = ("status", "category", "directorate", "persons", "unanswered")
SERIES_KEYS = ("monthly", "monthly_directorate", "answer_days")
SCHEDULED_KEY = "maps:figures-refresh-scheduled"


# ---------------------------------------------------------------------------------------------
# Boundaries
# ---------------------------------------------------------------------------------------------


@dataclass
class ShapesLoadResult:
    regions: int = 0
    points: int = 0
    removed: int = 0
    unchanged: bool = False
    seconds: float = 0.0


def shapes_load(*, path: Path = geodata.BUNDLE_PATH, force: bool = False, only: tuple[str, ...] = ()
                ) -> ShapesLoadResult:
    """Load the boundary bundle into ``RegionShape`` (idempotent: the same file again changes nothing).

    Regions missing from a new file are removed (boundaries are reference data, nothing points
    at them). The file's SHA-256 is remembered, so a second run only reads the file's digest.
    ``only`` (province codes) loads part of the file and leaves the rest alone (tests, try-outs);
    a partial load is not remembered, so the next full load reads the whole file.
    """
    started = time.monotonic()
    sha256 = path_sha256(path)
    dataset = MapDataset.objects.filter(name=DATASET_NAME).first()
    if (dataset and dataset.sha256 == sha256 and not force and not only
            and RegionShape.objects.count() == dataset.regions):
        return ShapesLoadResult(regions=dataset.regions, points=dataset.points, unchanged=True,
                                seconds=time.monotonic() - started)
    result = ShapesLoadResult()
    rows = []
    for record in geodata.read_bundle(path, only=only):
        min_lon, min_lat, max_lon, max_lat = geodata.bbox_of(record.geometry)
        district = record.code
        rows.append(RegionShape(
            code=record.code, level=record.level, geometry=json.dumps(record.geometry, separators=(",", ":")),
            geometry_national=json.dumps(record.coarse, separators=(",", ":")) if record.coarse else "",
            min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat,
            label_lon=record.label[0] if record.label else None, label_lat=record.label[1] if record.label else None,
            village_points=[["{}.{}".format(district, suffix), lon, lat] for suffix, lon, lat in record.points],
        ))
        result.points += len(record.points)
    result.regions = len(rows)
    with transaction.atomic():
        for start in range(0, len(rows), WRITE_BATCH):
            RegionShape.objects.bulk_create(
                rows[start:start + WRITE_BATCH], update_conflicts=True, unique_fields=["code"],
                update_fields=["level", "geometry", "geometry_national", "min_lon", "min_lat", "max_lon", "max_lat",
                               "label_lon", "label_lat", "village_points"])
        if only:
            MapDataset.objects.filter(name=DATASET_NAME).delete()
        else:
            result.removed, _deleted = RegionShape.objects.exclude(code__in=[row.code for row in rows]).delete()
            MapDataset.objects.update_or_create(name=DATASET_NAME, defaults={
                "sha256": sha256, "regions": result.regions, "points": result.points, "loaded_at": timezone.now()})
    result.seconds = time.monotonic() - started
    return result


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


@dataclass
class PopulationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def population_import(*, lines: Iterable[str], actor=None, source_name: str = "") -> PopulationImportResult:
    """Upsert populations from ``code,population,year,source`` CSV lines (header required).

    All or nothing: any bad line (unknown or malformed code, population not a positive whole
    number, implausible year, missing source) is reported with its line and column, and nothing
    is written. Importing the same file again changes nothing.
    """
    import csv

    from villages.selectors import LEVEL_MODELS

    reader = csv.DictReader(lines)
    expected = {"code", "population", "year", "source"}
    if reader.fieldnames is None or not expected <= {name.strip().lower() for name in reader.fieldnames}:
        raise ValidationError(_("Baris 1: kolom wajib code, population, year, source."))
    parsed, errors = {}, []
    for line_number, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        code = row["code"]
        level = codes.region_level(code)
        if level is None or not LEVEL_MODELS[level].objects.filter(code=code).exists():
            errors.append(_("Baris {line}, kolom code: kode wilayah '{code}' tidak dikenal.").format(
                line=line_number, code=code[:20]))
            continue
        if not row["population"].isdigit() or int(row["population"]) <= 0:
            errors.append(_("Baris {line}, kolom population: harus bilangan bulat positif.").format(line=line_number))
            continue
        if not row["year"].isdigit() or not 1990 <= int(row["year"]) <= 2100:
            errors.append(_("Baris {line}, kolom year: tahun antara 1990 dan 2100.").format(line=line_number))
            continue
        if not row["source"]:
            errors.append(_("Baris {line}, kolom source: sebutkan sumber data (mis. BPS 2024).").format(
                line=line_number))
            continue
        if code in parsed:
            errors.append(_("Baris {line}, kolom code: kode {code} sudah ada di baris sebelumnya.").format(
                line=line_number, code=code))
            continue
        parsed[code] = (int(row["population"]), int(row["year"]), row["source"][:200])
    result = PopulationImportResult(errors=errors)
    if errors:
        return result
    with transaction.atomic():
        existing = {row.code: row for row in RegionPopulation.objects.select_for_update().filter(code__in=parsed)}
        for code, (population, year, source) in parsed.items():
            current = existing.get(code)
            if current is None:
                RegionPopulation.objects.create(code=code, population=population, year=year, source=source)
                result.created += 1
            elif (current.population, current.year, current.source) != (population, year, source):
                current.population, current.year, current.source = population, year, source
                current.save()
                result.updated += 1
            else:
                result.unchanged += 1
        audit_record(actor=actor, action="maps.population_import",
                     detail={"source": source_name, "created": result.created, "updated": result.updated,
                             "unchanged": result.unchanged})
    return result


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

DISTRICT = Substr("village_id", 1, 8)
REGENCY = Substr("village_id", 1, 5)


def _add(target: dict, key: str, path: tuple, value) -> None:
    node = target
    for part in (key, *path[:-1]):
        node = node.setdefault(part, {})
    node[path[-1]] = node.get(path[-1], 0) + value


def registration_counts(queryset, *, today: datetime.date, group=DISTRICT) -> dict[str, dict]:
    """{group code (kecamatan by default): status, category, directorate, persons, unanswered} of ``queryset``."""
    result: dict[str, dict] = defaultdict(dict)
    category_codes = dict(Category.objects.values_list("pk", "code"))
    directorate_codes = dict(Directorate.objects.values_list("pk", "code"))
    queryset = queryset.order_by().annotate(group=group)
    for code, status, count in queryset.values_list("group", "status").annotate(n=Count("pk")):
        _add(result[code], "status", (status,), count)
    recorded = definitions.recorded_registrations(queryset)
    for code, category, count in recorded.values_list("group", "category_id").annotate(n=Count("pk")):
        _add(result[code], "category", (category_codes.get(category, "?"),), count)
    for code, directorate, count in recorded.values_list("group", "directorate_id").annotate(n=Count("pk")):
        _add(result[code], "directorate", (directorate_codes.get(directorate, ""),), count)
    for code, persons in recorded.values_list("group").annotate(n=Count("person_id", distinct=True)):
        result[code]["persons"] = persons
    cutoff = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=settings.SIDBS_REFERRAL_ANSWER_DAYS), datetime.time.min))
    unanswered = definitions.referred_without_answer(queryset).values_list("group")
    for code, total, overdue in unanswered.annotate(total=Count("pk"),
                                                    overdue=Count("pk", filter=Q(referred_at__lt=cutoff))):
        result[code]["unanswered"] = {"total": total, "overdue": overdue}
    return dict(result)


def registration_series(queryset, *, group=REGENCY, answers_only: bool = False) -> dict[str, dict]:
    """{group code (kab/kota by default): monthly, monthly_directorate, answer_days} of ``queryset``.

    Months and days are computed by the database in the site's time zone (Asia/Jakarta);
    ``answers_only`` counts only ``answer_days`` (the answer times of sub-regions on a chart page).
    """
    result: dict[str, dict] = defaultdict(dict)
    queryset = queryset.order_by().annotate(group=group)
    answers = definitions.referral_answers(queryset).values_list(
        "group", TruncDate("answered_at") - TruncDate("referred_at")).annotate(n=Count("pk"))
    for code, elapsed, count in answers:
        days = min(max(elapsed.days, 0), ANSWER_DAYS_CAP)
        _add(result[code], "answer_days", (str(days),), count)
    if answers_only:
        return dict(result)
    directorate_codes = dict(Directorate.objects.values_list("pk", "code"))
    for field_name, key in definitions.MONTHLY_EVENTS:
        monthly = queryset.filter(**{field_name + "__isnull": False}).values_list(
            "group", ExtractYear(field_name), ExtractMonth(field_name)).annotate(n=Count("pk"))
        for code, year, month, count in monthly:
            _add(result[code], "monthly", ("{:04d}-{:02d}".format(year, month), key), count)
    by_directorate = queryset.filter(submitted_at__isnull=False).values_list(
        "group", ExtractYear("submitted_at"), ExtractMonth("submitted_at"), "directorate_id").annotate(n=Count("pk"))
    for code, year, month, directorate, count in by_directorate:
        _add(result[code], "monthly_directorate",
             ("{:04d}-{:02d}".format(year, month), directorate_codes.get(directorate, "")), count)
    return dict(result)


def district_inputs(*, today: datetime.date) -> dict[str, dict]:
    """{kecamatan code: the village-based keys of the figures}, for every kecamatan with active villages.

    These come from small tables (villages, lokus years, validated assessments, programme
    stages) and are recomputed in full on every refresh; a digest per kecamatan tells which
    kecamatan changed since the figures were stored.
    """
    inputs: dict[str, dict] = defaultdict(lambda: {"villages": 0, "programme": 0})
    for district, count in Village.objects.filter(active=True).values_list("district_id").annotate(
            n=Count("code")).order_by():
        inputs[district]["villages"] = count
    for village in definitions.villages_in_programme():
        inputs[village[:8]]["programme"] += 1
    latest = definitions.latest_by_village(_assessment_rows())
    for village, value in latest.items():
        figures = inputs[village[:8]]
        _add(figures, "index", ("sum",), value["index"])
        _add(figures, "index", ("n",), 1)
        if value["band"]:
            _add(figures, "bands", (value["band"],), 1)
        hist = figures.setdefault("hist", [0] * 10)
        hist[min(int(value["index"] * 10), 9)] += 1
    baselines = definitions.latest_by_village(_assessment_rows(phase="baseline"))
    endlines = definitions.latest_by_village(_assessment_rows(phase="endline"))
    for village, cohort in definitions.village_cohorts().items():
        figures = inputs[village[:8]]
        _add(figures, "cohorts", (str(cohort), "villages"), 1)
        if village in baselines and village in endlines:
            _add(figures, "cohorts", (str(cohort), "n"), 1)
            _add(figures, "cohorts", (str(cohort), "baseline"), baselines[village]["index"])
            _add(figures, "cohorts", (str(cohort), "endline"), endlines[village]["index"])
    for village, count in definitions.overdue_stages(today).items():
        inputs[village[:8]]["overdue"] = inputs[village[:8]].get("overdue", 0) + count
    for figures in inputs.values():
        if "index" in figures:
            figures["index"]["sum"] = round(figures["index"]["sum"], 6)
        for cohort in figures.get("cohorts", {}).values():
            for key in ("baseline", "endline"):
                if key in cohort:
                    cohort[key] = round(cohort[key], 6)
    return dict(inputs)


def _assessment_rows(*, phase: str | None = None, villages: Iterable[str] | None = None):
    queryset = definitions.validated_assessments()
    if phase:
        queryset = queryset.filter(phase=phase)
    if villages is not None:
        queryset = queryset.filter(village_id__in=list(villages))
    return queryset.values_list("village_id", "phase", "year", "validated_at", "pk", "overall_index", "band")


def _digest(value: dict) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:32]


def sum_figures(items: Iterable[dict]) -> dict:
    """Add figure dicts key by key (numbers add, dicts recurse, lists add element-wise)."""
    total: dict = {}
    for item in items:
        _merge_into(total, item)
    return total


def _merge_into(total: dict, item: dict) -> None:
    for key, value in item.items():
        if isinstance(value, dict):
            _merge_into(total.setdefault(key, {}), value)
        elif isinstance(value, list):
            current = total.setdefault(key, [0] * len(value))
            for index, number in enumerate(value):
                current[index] += number
        else:
            total[key] = round(total.get(key, 0) + value, 6) if isinstance(value, float) else total.get(key, 0) + value


def _changed_districts(since: datetime.datetime) -> set[str]:
    """Kecamatan with a registration created or changed since ``since`` (every write sets ``updated_at``)."""
    return set(Registration.objects.filter(updated_at__gte=since).annotate(district=DISTRICT)
               .values_list("district", flat=True).order_by().distinct())


def _write(rows: list[RegionFigures], fields: list[str]) -> None:
    for start in range(0, len(rows), WRITE_BATCH):
        RegionFigures.objects.bulk_create(rows[start:start + WRITE_BATCH], update_conflicts=True,
                                          unique_fields=["code"], update_fields=fields)


@dataclass
class RefreshResult:
    kind: str
    districts: int
    seconds: float
    busy: bool = False


def figures_refresh(*, full: bool = False, today: datetime.date | None = None) -> RefreshResult:
    """Bring ``RegionFigures`` up to date: changed kecamatan (or all, ``full``) and the regions above them.

    Kecamatan rows hold the counts; the monthly series and answer times are counted per kab/kota
    (for the kab/kota of changed kecamatan) and summed above. Runs in one transaction holding the
    lock of the ``FiguresRefresh`` row; when another refresh holds it, returns at once with
    ``busy`` (the running one, or the next scheduled, covers the changes). The first is full.
    """
    started, clock = timezone.now(), time.monotonic()
    today = today or timezone.localdate()
    FiguresRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = FiguresRefresh.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if state is None:
            return RefreshResult(kind="busy", districts=0, seconds=0.0, busy=True)
        full = full or state.finished_at is None or state.watermark is None
        inputs = district_inputs(today=today)
        stored = dict(RegionFigures.objects.filter(level=codes.DISTRICT).values_list("code", "inputs_digest"))
        digests = {district: _digest(values) for district, values in inputs.items()}
        recount = None if full else _changed_districts(state.watermark)
        if recount is not None and len(recount) > max(len(stored), 1) // 4:
            recount = None  # most of the country changed: one pass over all registrations is cheaper
        if recount is None:
            counts = registration_counts(Registration.objects.all(), today=today)
            series = registration_series(Registration.objects.all())
            districts = set(inputs) | set(stored) | set(counts)
        else:
            regencies = {district[:5] for district in recount}
            counts = registration_counts(Registration.objects.filter(
                village_id__in=_villages_below(recount, codes.DISTRICT)), today=today)
            series = registration_series(Registration.objects.filter(
                village_id__in=_villages_below(regencies, codes.REGENCY)))
            series.update({regency: {} for regency in regencies - set(series)})
            districts = recount | {district for district in set(inputs) | set(stored)
                                   if digests.get(district, "") != stored.get(district)}
        rows = _district_rows(districts, inputs, digests, counts, recount, started)
        _write(rows, ["level", "figures", "inputs_digest", "refreshed_at"])
        if full:
            RegionFigures.objects.filter(level=codes.DISTRICT).exclude(code__in=[row.code for row in rows]).delete()
        _roll_up({row.code for row in rows}, series, started, full=recount is None)
        state.kind = FiguresRefresh.Kind.FULL if full else FiguresRefresh.Kind.CHANGES
        state.started_at, state.finished_at = started, timezone.now()
        state.watermark = _next_watermark(started)
        if full:
            state.full_at = started
        state.districts = len(rows)
        state.seconds = round(time.monotonic() - clock, 3)
        state.save()
    return RefreshResult(kind=state.kind, districts=state.districts, seconds=state.seconds)


def _next_watermark(started: datetime.datetime) -> datetime.datetime:
    """Where the next refresh starts looking for changed registrations.

    A write committed after this refresh read the table may carry an ``updated_at`` from before
    it started, so the mark goes back to the start of the oldest transaction still open on the
    database (PostgreSQL; never more than the longest task, so a stuck session cannot hold it
    back for ever) and then by ``SIDBS_MAP_REFRESH_MARGIN_SECONDS`` for clock differences between
    application servers (``updated_at`` is their time).
    """
    mark = started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
            oldest = cursor.fetchone()[0]
        floor = started - datetime.timedelta(seconds=settings.LONGEST_TASK_SECONDS)
        if oldest is not None and oldest < mark:
            mark = max(oldest, floor)
    return mark - datetime.timedelta(seconds=settings.SIDBS_MAP_REFRESH_MARGIN_SECONDS)


def _villages_below(region_codes: set[str], level: int) -> list[str]:
    """Codes of the villages (active or not) of the given kecamatan or kab/kota."""
    lookup = "district_id__in" if level == codes.DISTRICT else "district__regency_id__in"
    return list(Village.objects.filter(**{lookup: sorted(region_codes)}).values_list("code", flat=True))


def _district_rows(districts, inputs, digests, counts, recount, now) -> list[RegionFigures]:
    """The kecamatan rows to write: recounted registration keys (or the stored ones kept) plus fresh inputs."""
    keep = [district for district in districts if recount is not None and district not in recount]
    stored = dict(RegionFigures.objects.filter(code__in=keep).values_list("code", "figures"))
    rows = []
    for district in sorted(districts):
        if codes.region_level(district) != codes.DISTRICT:
            continue
        if district in stored:
            counted = {key: value for key, value in stored[district].items() if key in REGISTRATION_KEYS}
        else:
            counted = counts.get(district, {})
        figures = {**inputs.get(district, {"villages": 0, "programme": 0}), **counted}
        rows.append(RegionFigures(code=district, level=codes.DISTRICT, figures=figures,
                                  inputs_digest=digests.get(district, ""), refreshed_at=now))
    return rows


def _roll_up(districts: set[str], series: dict[str, dict], now, *, full: bool) -> None:
    """Recompute the kab/kota, provinces and Indonesia above ``districts`` from the rows one level down.

    Kab/kota rows add their recounted ``series`` (or keep their stored series when not recounted).
    """
    changed = districts
    for level, length in ((codes.REGENCY, 5), (codes.PROVINCE, 2), (0, 0)):
        parents = {code[:length] for code in changed}
        if level == codes.REGENCY:
            parents |= set(series)
        if not parents:
            return
        children = RegionFigures.objects.filter(level=level + 1)
        if not full and length:
            children = children.annotate(parent=Substr("code", 1, length)).filter(parent__in=parents)
        grouped: dict[str, list[dict]] = defaultdict(list)
        for code, figures in children.values_list("code", "figures"):
            grouped[code[:length]].append(figures)
        kept = {}
        if level == codes.REGENCY:
            kept = {code: {key: value for key, value in figures.items() if key in SERIES_KEYS}
                    for code, figures in RegionFigures.objects.filter(
                        code__in=parents - set(series)).values_list("code", "figures")}
        rows = []
        for parent in sorted(parents):
            figures = sum_figures(grouped.get(parent, []))
            if level == codes.REGENCY:
                for key in SERIES_KEYS:
                    figures.pop(key, None)
                figures.update(series[parent] if parent in series else kept.get(parent, {}))
            rows.append(RegionFigures(code=parent, level=level, figures=figures, refreshed_at=now))
        _write(rows, ["level", "figures", "refreshed_at"])
        if full:
            RegionFigures.objects.filter(level=level).exclude(code__in=parents).delete()
        changed = parents


def figures_refresh_schedule() -> None:
    """Refresh soon after a write: at once when Celery runs eagerly, else one task per ``SIDBS_MAP_REFRESH_DELAY``."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        figures_refresh()
        return
    from maps.tasks import figures_refresh_task

    delay = settings.SIDBS_MAP_REFRESH_DELAY
    try:
        first = cache.add(SCHEDULED_KEY, 1, timeout=delay)
    except Exception:  # without the cache, schedule anyway: a refresh with nothing to do is cheap
        logger.exception("cache jadwal penghitungan peta tidak dapat dibaca")
        first = True
    if first:
        figures_refresh_task.apply_async(countdown=delay)


def figures_state() -> FiguresRefresh | None:
    return FiguresRefresh.objects.filter(pk=1, finished_at__isnull=False).first()
